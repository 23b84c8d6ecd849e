// humm-history batch --org ORG [--schedules-file FILE | -] [--concurrency N] [--shard K/N]:
// the run histories of many schedules, several walks at a time. With --state, the batch
// with a journal of batch_checkpoint.*.

#include "batch_checkpoint.hpp"
#include "command_context.hpp"
#include "commands.hpp"
#include "input.hpp"
#include "interruption.hpp"
#include "job_runner.hpp"
#include "schedule_list.hpp"
#include "text.hpp"

#include <humm/analyst/walk_schedules.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <unistd.h>

#include <iostream>
#include <memory>

namespace humm_history {

namespace ha = humm::analyst;
namespace asio = boost::asio;

namespace {

struct batch_args {
  std::string organization;
  std::string schedules_file = "-";
  std::size_t concurrency = 16;
  std::optional<std::string> shard_text;  // --shard K/N or auto, when given
  std::int64_t page_size = 100;
  std::optional<std::chrono::milliseconds> deadline;
  connection_settings connection;
  output_settings output;
  checkpoint_settings checkpoint;
};

// The ids this job walks, or nullopt after printing why (exit 2): every line that is not an
// id is reported, and nothing is requested.
std::optional<std::vector<std::string>> load_ids(const batch_args& a) {
  std::optional<shard> part = shard{};
  std::string why, text, found;
  if (a.shard_text && !(part = resolve_shard(*a.shard_text, process_environment(), why, found))) {
    std::cerr << message_line(why) << '\n';
    return std::nullopt;
  }
  if (a.output.verbose && !found.empty()) std::cerr << message_line(found) << '\n';  // -v, before the client is made
  if (a.schedules_file == "-" && isatty(STDIN_FILENO))
    std::cerr << "humm-history: reading schedule ids from the terminal, one per line; end with Ctrl-D\n";
  if (!read_all(a.schedules_file, text, why)) {
    std::cerr << message_line(why) << '\n';
    return std::nullopt;
  }
  schedule_list list = parse_schedule_list(text, source_name(a.schedules_file));
  for (const std::string& problem : list.problems) std::cerr << message_line(problem) << '\n';
  if (!list.problems.empty()) return std::nullopt;
  if (list.ids.empty()) std::cerr << message_line("no schedule ids in " + source_name(a.schedules_file)) << '\n';
  std::vector<std::string> kept;
  for (std::string& id : list.ids)
    if (in_shard(id, *part)) kept.push_back(std::move(id));
  return kept;
}

// Counts each run and each finished schedule, for --stats, -v and the progress bar.
class batch_consumer {
 public:
  batch_consumer(command_context& ctx, run_writer& writer, const batch_args& a) : ctx_(ctx), writer_(writer), a_(a) {}

  void run(const ha::command_run& run) {
    writer_.run(run);
    ++ctx_.counts.runs;
  }

  void done(const ha::schedule_walk_result& result) {
    ++done_;
    ctx_.counts.pages += result.stats.pages;
    ctx_.counts.duplicates_skipped += result.stats.duplicates_skipped;
    const ha::history_query first_page{.organization_id = a_.organization, .limit = a_.page_size};
    ctx_.log("schedule " + result.schedule_id + ": " + ctx_.request_line(result.schedule_id, first_page) +
             " and on: " + std::to_string(result.stats.runs) + " runs in " + std::to_string(result.stats.pages) +
             " pages" + (result.error ? " (failed)" : ""));
    ctx_.out.flush();
    ctx_.status.update({done_, ctx_.counts.runs, ctx_.counts.pages});
  }

 private:
  command_context& ctx_;
  run_writer& writer_;
  const batch_args& a_;
  std::size_t done_ = 0;
};

// Reports each failed schedule on its own line; the exit code of the batch, its worst failure's.
int report(command_context& ctx, const std::vector<ha::schedule_walk_result>& results) {
  std::size_t failed = 0;
  int code = success;
  for (const ha::schedule_walk_result& result : results) {
    if (!result.error) continue;
    ++failed;
    const int schedule_code = ctx.fail(ha::api_error(result.error, result.details), "schedule " + result.schedule_id);
    code = worst_exit_code(code, schedule_code);
  }
  if (failed == 0) return success;
  ctx.error(std::to_string(failed) + " of " + std::to_string(results.size()) + " schedules failed");
  return code;
}

asio::awaitable<int> batch(command_context& ctx, const batch_args& a, std::vector<std::string> ids) {
  auto writer = make_run_writer(ctx.format, ctx.out, terminal_table_style(true));
  writer->begin();
  batch_consumer consumer(ctx, *writer, a);
  // When the reader of the output goes away, the walks stop. The signal is emitted from a
  // posted handler, not from inside a callback, and is shared with it: the walks may end first.
  auto stop = std::make_shared<asio::cancellation_signal>();
  bool stopping = false;
  auto on_run = [&](const std::string&, const ha::command_run& run) {
    if (stopping) return;
    consumer.run(run);
    if (ctx.out.stopped() && !stopping) {
      stopping = true;
      asio::post(ctx.io, [stop] { stop->emit(asio::cancellation_type::terminal); });
    }
  };
  auto on_done = [&](const ha::schedule_walk_result& result) { consumer.done(result); };
  // Ctrl-C or SIGTERM stops the walks the same way, and what they walked is written.
  interruption signals(
      ctx.io,
      [&](int) {
        ctx.error("interrupted: stopping; the output holds the runs walked so far (a second signal exits at once)");
        stopping = true;
        stop->emit(asio::cancellation_type::terminal);
      },
      "interrupted again: exiting at once");
  const ha::walk_options options{
      .organization_id = a.organization, .page_size = a.page_size, .timeout = a.deadline, .since = a.checkpoint.since_time};
  const auto results = co_await asio::co_spawn(
      ctx.io, ha::walk_schedules(ctx.client, std::move(ids), options, a.concurrency, on_run, on_done),
      asio::bind_cancellation_slot(stop->slot(), asio::use_awaitable));
  writer->finish();
  signals.stop_listening();
  if (signals.received()) co_return signals.exit_code();
  co_return stopping ? success : report(ctx, results);
}

}  // namespace

command add_batch_command(CLI::App& app) {
  CLI::App* sub = app.add_subcommand("batch", "The run histories of many schedules, several at a time");
  sub->footer(
      "One schedule's failure never stops the others: each is reported with its id, and the exit code is "
      "the worst failure's (3 over 1: see humm-history --help). A list with a line that is not an id exits 2 "
      "before any request.\n"
      "--shard K/N splits one list among N jobs without overlap: job K keeps the ids whose FNV-1a 64-bit "
      "hash of the lowercase id (8-4-4-4-12 form), modulo N, is K-1. --shard auto takes K-1 from "
      "JOB_COMPLETION_INDEX and N from HUMM_SHARD_COUNT (a Kubernetes Indexed Job), or K-1 from "
      "(SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN) / SLURM_ARRAY_TASK_STEP and N from SLURM_ARRAY_TASK_COUNT "
      "(a Slurm job array).\n"
      "Ctrl-C or SIGTERM stops cleanly (exit 130 or 143; with --state, the same command resumes); a second "
      "one exits at once.");
  auto a = std::make_shared<batch_args>();
  add_organization_option(*sub, a->organization);
  sub->add_option("--schedules-file", a->schedules_file,
                  "Schedule ids, one per line; blank lines and # comments are ignored; - reads standard input")
      ->type_name("FILE")
      ->capture_default_str();
  sub->add_option("--concurrency", a->concurrency, "Schedules walked at a time")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  sub->add_option("--shard", a->shard_text, "Walk only shard K of N (1 <= K <= N), or the job runner's: auto")
      ->type_name("K/N|auto");
  add_page_size_option(*sub, a->page_size);
  add_deadline_option(*sub, a->deadline, "each schedule's walk");
  add_connection_options(*sub, a->connection);
  add_output_options(*sub, a->output, true);
  add_checkpoint_options(*sub, a->checkpoint);

  return [a] {
    if (!check_checkpoint_settings(a->checkpoint, a->output, a->schedules_file)) return int{bad_input};
    auto ids = load_ids(*a);
    if (!ids) return int{bad_input};
    if (!a->checkpoint.state.empty())
      return run_checkpointed_batch(a->checkpoint, {a->organization, a->concurrency, a->page_size, a->deadline},
                                    std::move(*ids), a->connection, a->output);
    // The client first: a command refused for its token or base URL leaves the user's --output
    // file as it was, since truncating it is the first thing redirect_output does.
    auto ctx = command_context::open(a->connection, a->output);
    if (!ctx) return int{bad_input};
    if (!redirect_output(a->checkpoint)) return int{bad_input};
    if (a->output.progress || isatty(STDERR_FILENO)) ctx->status.enable(ids->size());
    return ctx->run([&] { return batch(*ctx, *a, std::move(*ids)); });
  };
}

}  // namespace humm_history
