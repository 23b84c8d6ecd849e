// humm-history fetch --schedule ID --org ORG [--limit N] [--offset N]: one page of a
// schedule's run history.

#include "command_context.hpp"
#include "commands.hpp"

#include <humm/analyst/client.hpp>

#include <chrono>
#include <memory>

namespace humm_history {

namespace ha = humm::analyst;

namespace {

struct fetch_args {
  std::string schedule;
  std::string organization;
  std::int64_t limit = 20;
  std::int64_t offset = 0;
  std::optional<std::chrono::milliseconds> deadline;
  connection_settings connection;
  output_settings output;
};

boost::asio::awaitable<int> fetch(command_context& ctx, const fetch_args& a) {
  // A named query: GCC 12 destroys a braced temporary inside a co_await expression twice.
  const ha::history_query query{
      .organization_id = a.organization, .limit = a.limit, .offset = a.offset, .call = {.timeout = a.deadline}};
  const ha::schedule_history page = co_await ctx.client.get_schedule_history(a.schedule, query);
  ctx.counts.pages = 1;
  ctx.counts.runs = page.runs.size();

  if (ctx.format == output_format::json)
    write_json_line(ctx.out, page);
  else
    write_schedule_runs(ctx.out, ctx.format, terminal_table_style(false), page.schedule, page.command_name, page.runs);
  co_return success;
}

}  // namespace

command add_fetch_command(CLI::App& app) {
  CLI::App* sub = app.add_subcommand("fetch", "One page of a schedule's run history, newest runs first");
  auto a = std::make_shared<fetch_args>();
  add_schedule_option(*sub, a->schedule);
  add_organization_option(*sub, a->organization);
  sub->add_option("--limit", a->limit, "Runs on the page")->check(CLI::Range(1, 100))->capture_default_str();
  sub->add_option("--offset", a->offset, "Runs to skip, newest first")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  add_deadline_option(*sub, a->deadline, "the request");
  add_connection_options(*sub, a->connection);
  add_output_options(*sub, a->output, false);

  return [a] {
    if (!check_schedule_id(a->schedule)) return int{bad_input};
    auto ctx = command_context::open(a->connection, a->output);
    if (!ctx) return int{bad_input};
    return ctx->run([&] { return fetch(*ctx, *a); });
  };
}

}  // namespace humm_history
