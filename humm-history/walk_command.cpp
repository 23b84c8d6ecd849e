// humm-history walk --schedule ID --org ORG [--page-size N] [--start-offset N]: every run of
// one schedule, newest first, page after page, each run once.

#include "command_context.hpp"
#include "commands.hpp"

#include <humm/analyst/walk.hpp>

#include <unistd.h>

#include <algorithm>
#include <memory>

namespace humm_history {

namespace ha = humm::analyst;

namespace {

struct walk_args {
  std::string schedule;
  std::string organization;
  std::int64_t page_size = 100;
  std::int64_t start_offset = 0;
  std::optional<std::chrono::milliseconds> deadline;
  connection_settings connection;
  output_settings output;
};

ha::walk_options walk_options_for(const walk_args& a) {
  // Once a page tells the history's length, a few pages are requested at once (still handed
  // out in order): a long history walks several times faster.
  const std::size_t in_flight = std::min<std::size_t>(4, a.connection.max_connections);
  return {.organization_id = a.organization,
          .page_size = a.page_size,
          .start_offset = a.start_offset,
          .prefetch = in_flight,
          .max_in_flight = in_flight,
          .timeout = a.deadline};
}

boost::asio::awaitable<int> walk(command_context& ctx, const walk_args& a) {
  auto runs = ctx.client.history_runs(a.schedule, walk_options_for(a));
  auto writer = make_run_writer(ctx.format, ctx.out, terminal_table_style(false));
  writer->begin();
  std::uint64_t pages = 0;
  int code = success;
  try {
    while (auto run = co_await runs.next()) {
      const ha::walk_stats now = runs.stats();
      if (now.pages != pages) {  // a new page: what came before it can be shown now (-v tells of it)
        ctx.out.flush();
        pages = now.pages;
      }
      writer->run(*run);
      std::optional<std::uint64_t> total;
      if (now.total) total = static_cast<std::uint64_t>(std::max<std::int64_t>(0, *now.total - a.start_offset));
      ctx.status.update({0, now.runs, now.pages, total});
      if (ctx.out.stopped()) break;  // the reader went away (walk ... | head): stop quietly
    }
  } catch (const ha::api_error& e) {
    code = ctx.fail(e);
  }
  writer->finish();  // even after a failure, so that json output stays a valid array
  ctx.count(runs.stats());
  co_return code;
}

}  // namespace

command add_walk_command(CLI::App& app) {
  CLI::App* sub = app.add_subcommand("walk", "Every run of a schedule, newest first, page after page");
  sub->footer(
      "A run that new runs push onto the next page is shown once. After a failure, the error tells the "
      "--start-offset that resumes the walk.");
  auto a = std::make_shared<walk_args>();
  add_schedule_option(*sub, a->schedule);
  add_organization_option(*sub, a->organization);
  add_page_size_option(*sub, a->page_size);
  add_deadline_option(*sub, a->deadline, "the whole walk");
  sub->add_option("--start-offset", a->start_offset, "Runs to skip, newest first (to resume a walk)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  add_connection_options(*sub, a->connection);
  add_output_options(*sub, a->output, true);

  return [a] {
    if (!check_schedule_id(a->schedule)) return int{bad_input};
    auto ctx = command_context::open(a->connection, a->output);
    if (!ctx) return int{bad_input};
    if (a->output.progress || isatty(STDERR_FILENO)) ctx->status.enable(1);
    return ctx->run([&] { return walk(*ctx, *a); });
  };
}

}  // namespace humm_history
