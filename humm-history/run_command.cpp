// humm-history run --run ID --org ORG: one run with its schedule (the run-details endpoint),
// shown as fetch shows a page.

#include "command_context.hpp"
#include "commands.hpp"

#include <humm/analyst/client.hpp>

#include <chrono>
#include <memory>

namespace humm_history {

namespace ha = humm::analyst;

namespace {

struct run_args {
  std::string run;
  std::string organization;
  std::optional<std::chrono::milliseconds> deadline;
  connection_settings connection;
  output_settings output;
};

boost::asio::awaitable<int> show_run(command_context& ctx, const run_args& a) {
  // Named: GCC 12 destroys a braced temporary inside a co_await expression twice.
  const ha::call_options call{.timeout = a.deadline};
  const ha::run_details details = co_await ctx.client.get_run_details(a.run, a.organization, call);
  ctx.counts.runs = 1;
  // json is the whole answer; the other formats show the run as fetch and batch show runs,
  // so that its NDJSON line or CSV row joins theirs.
  if (ctx.format == output_format::json)
    write_json_line(ctx.out, details);
  else
    write_schedule_runs(ctx.out, ctx.format, terminal_table_style(false), details.schedule, details.command_name,
                        {&details.run, 1});
  co_return success;
}

}  // namespace

command add_run_command(CLI::App& app) {
  CLI::App* sub = app.add_subcommand("run", "One run with its schedule");
  sub->footer(
      "json prints the run, its schedule and the command's name as the API sends them; ndjson and csv print "
      "the run as fetch does (with its schedule_id), table the schedule's line above the run's row.");
  auto a = std::make_shared<run_args>();
  sub->add_option("--run", a->run, "The run's id (a UUID)")->required();
  add_organization_option(*sub, a->organization);
  add_deadline_option(*sub, a->deadline, "the request");
  add_connection_options(*sub, a->connection);
  add_output_options(*sub, a->output, false);

  return [a] {
    if (!check_id("--run", a->run)) return int{bad_input};
    auto ctx = command_context::open(a->connection, a->output);
    if (!ctx) return int{bad_input};
    return ctx->run([&] { return show_run(*ctx, *a); });
  };
}

}  // namespace humm_history
