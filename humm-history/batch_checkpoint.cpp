// The resumable and incremental batch's flags, their checks, and the batch with a journal
// from the journal's first read to its exit code (batch_checkpoint.hpp).

#include "batch_checkpoint.hpp"

#include "checkpointed_walks.hpp"
#include "commands.hpp"
#include "journal.hpp"
#include "resume_plan.hpp"
#include "text.hpp"
#include "time_window.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <iostream>

namespace humm_history {

namespace ha = humm::analyst;

namespace {

bool refuse(const std::string& why) {
  std::cerr << message_line(why) << '\n';
  return false;
}

int refused(const std::string& why) {
  refuse(why);
  return bad_input;
}

// A journal or output that could not be prepared: 1 when a retry may succeed (another batch
// holds it, the disk is full, an I/O error), 2 when the arguments must change.
int file_refused(const std::string& why) {
  refuse(why);
  return last_failure_worth_retrying() ? failure : bad_input;
}

std::string absolute_path(const std::string& path) {
  return std::filesystem::absolute(path).lexically_normal().string();
}

bool same_file(const std::string& a, const std::string& b) {
  std::error_code ignored;
  return std::filesystem::weakly_canonical(a, ignored) == std::filesystem::weakly_canonical(b, ignored);
}

// The base URL as given, less any user:password@ before the host: the journal holds no secret.
std::string without_user_info(const std::string& url) {
  const auto host = url.find("://");
  const auto start = host == std::string::npos ? 0 : host + 3;
  const auto at = url.find('@', start), end = url.find_first_of("/?#", start);
  return at == std::string::npos || (end != std::string::npos && at > end) ? url : url.substr(0, start) + url.substr(at + 1);
}

batch_identity identity_of(const checkpoint_settings& s, const batch_walk_settings& w, const std::vector<std::string>& ids,
                           const std::string& format, const std::string& base_url) {
  return {.organization = w.organization,
          .format = format,
          .schedules = schedules_fingerprint(ids),
          .schedule_count = ids.size(),
          .output = absolute_path(s.output),
          .since = s.since.value_or(""),
          .incremental = s.incremental,
          .overlap_s = s.incremental ? s.overlap_time.count() : 0,
          .base_url = without_user_info(base_url)};
}

// The output is opened first, so that one that cannot be leaves the journal as it was. A new
// generation replaces the journal before the output is emptied: a crash in between leaves a
// journal that commits no byte, and its resume empties the output.
bool prepare_files(const batch_plan& plan, const std::optional<journal_state>& recorded, std::size_t journal_size,
                   journal_file& journal, output_file& output, const std::string& output_path, std::string& why) {
  if (!output.open(output_path, why)) return false;
  if (plan.new_generation) {
    std::string lines = header_line(plan.header);
    for (const auto& [id, newest] : plan.synced) lines += synced_line(id, newest);
    return journal.replace(lines, why) && output.cut_to(0, why);
  }
  if (recorded->valid_bytes < journal_size && !journal.truncate(recorded->valid_bytes, why)) return false;
  return output.cut_to(recorded->output_length, why);
}

}  // namespace

void add_checkpoint_options(CLI::App& sub, checkpoint_settings& s) {
  const std::string group = "Output file, resume and incremental sync";
  sub.add_option("--output", s.output, "Write the runs to FILE (created, or truncated) instead of standard output")
      ->type_name("FILE")
      ->group(group);
  sub.add_option("--state", s.state,
                 "A journal of what --output holds: the same command resumes an interrupted batch, each run exactly once")
      ->type_name("FILE")
      // An empty name would mean no journal at all: a batch that cannot resume, silently.
      ->check(CLI::Validator(
          [](std::string& path) { return path.empty() ? std::string("needs a file name, not an empty one") : std::string(); },
          "FILE"))
      ->group(group);
  sub.add_flag("--retry-failed", s.retry_failed,
               "Walk only the schedules the journal records as failed, from where they stopped (once the batch "
               "has ended, the same command without it does so too)")
      ->group(group);
  sub.add_option("--since", s.since,
                 "Only runs created at or after TIME: RFC 3339, or a duration back from now (30m, 24h, 7d)")
      ->type_name("TIME")
      ->group(group);
  sub.add_flag("--incremental", s.incremental,
               "After a finished batch, walk each schedule back only to the newest run the journal recorded, "
               "less --overlap; the output then holds what is new")
      ->group(group);
  sub.add_option("--overlap", s.overlap,
                 "How far --incremental re-reads before that newest run, for runs that changed since (default 24h)")
      ->type_name("DURATION")
      ->group(group);
}

bool check_checkpoint_settings(checkpoint_settings& s, output_settings& output, const std::string& schedules_file) {
  const bool journal = !s.state.empty();
  // The list would be truncated before it is read.
  if (!s.output.empty() && schedules_file != "-" && same_file(s.output, schedules_file))
    return refuse("--output and --schedules-file name the same file");
  if (journal && s.output.empty())
    return refuse("--state needs --output FILE: standard output cannot be cut back to what the journal committed");
  if (s.retry_failed && !journal) return refuse("--retry-failed needs --state FILE, the journal that records the failures");
  if (s.incremental && !journal) return refuse("--incremental needs --state FILE, the journal that records the newest runs");
  if (s.overlap && !s.incremental) return refuse("--overlap applies to --incremental only");
  if (s.overlap) {
    const auto overlap = parse_duration(*s.overlap);
    if (!overlap) return refuse("--overlap: expected a duration (90s, 30m, 24h, 7d), got \"" + s.overlap->substr(0, 60) + "\"");
    s.overlap_time = *overlap;
  }
  if (s.since) {
    std::string why;
    const auto now = std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
    if (!(s.since_time = parse_since(*s.since, now, why))) return refuse(why);
    // Taken (a clock behind the server's is no error), but likely a mistake: no run is new enough.
    if (*s.since_time > now)
      std::cerr << message_line("warning: --since " + *s.since + " is in the future: no run is that new yet") << '\n';
  }
  if (!s.output.empty() && output.format.empty()) output.format = "ndjson";
  if (journal && output.format != "ndjson" && output.format != "csv")
    return refuse("--state needs --format ndjson or csv: a JSON array or a table cannot be resumed by appending to it");
  if (journal && same_file(s.state, s.output)) return refuse("--state and --output name the same file");
  return true;
}

bool redirect_output(const checkpoint_settings& s) {
  if (s.output.empty()) return true;
  const int fd = ::open(s.output.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return refuse("--output: cannot open '" + s.output + "': " + std::strerror(errno));
  ::dup2(fd, STDOUT_FILENO);
  ::close(fd);
  return true;
}

int run_checkpointed_batch(const checkpoint_settings& s, const batch_walk_settings& w, std::vector<std::string> ids,
                           const connection_settings& connection, const output_settings& output) {
  journal_file journal;
  std::string text, why;
  if (!journal.open(s.state, text, why)) return file_refused(why);
  std::optional<journal_state> recorded;  // none yet: a journal file created empty counts as none
  if (!text.empty() && !(recorded = parse_journal(text, s.state, why))) return refused(why);

  const batch_request request{.identity = identity_of(s, w, ids, output.format, connection.base_url),
                              .ids = ids,
                              .since_time = s.since_time,
                              .retry_failed = s.retry_failed,
                              .state_path = s.state};
  const batch_plan plan = plan_batch(recorded, request);
  if (plan.what == batch_plan::action::refuse) return refused(plan.message);
  if (plan.what == batch_plan::action::nothing_left) {
    std::cerr << message_line(plan.message) << '\n';
    return plan.failed_left > 0 ? failure : success;
  }

  auto ctx = command_context::open(connection, output);
  if (!ctx) return bad_input;
  output_file out;
  if (!prepare_files(plan, recorded, text.size(), journal, out, s.output, why)) return file_refused(why);
  checkpointed_job job{.plan = plan,
                       .journal = journal,
                       .output = out,
                       .format = ctx->format,
                       .state_path = s.state,
                       .organization = w.organization,
                       .page_size = w.page_size,
                       .deadline = w.deadline,
                       .concurrency = w.concurrency,
                       .unrecorded = {},
                       .ended = !plan.new_generation && recorded->ended};
  for (const std::string& id : ids)
    if (plan.new_generation || !recorded->records.contains(id)) job.unrecorded.insert(id);
  if (output.progress || isatty(STDERR_FILENO)) ctx->status.enable(plan.walks.size());
  return ctx->run([&] { return walk_and_commit(*ctx, job); });
}

}  // namespace humm_history
