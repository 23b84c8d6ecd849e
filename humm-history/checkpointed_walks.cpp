// The walks of a batch with a journal (checkpointed_walks.hpp).
//
// Runs of schedules walked at the same time interleave, so a byte length in the journal can
// only delimit whole schedules if each schedule reaches the output in one piece: its runs are
// spooled while it is walked and appended when it ends. Each append is followed, within a
// second, by a group commit: the output is synced, then the journal lines of the schedules
// it now holds are appended and synced. One sync pair a second, rather than one per
// schedule, keeps batches of many small schedules fast; a crash loses at most that second's
// schedules, which the resume walks again (the output is cut back to the last commit).

#include "checkpointed_walks.hpp"

#include "commands.hpp"
#include "interruption.hpp"
#include "walk_record.hpp"

#include <humm/analyst/encode.hpp>
#include <humm/analyst/walk.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <memory>
#include <vector>

namespace humm_history {

namespace ha = humm::analyst;
namespace asio = boost::asio;

namespace {

constexpr auto commit_interval = std::chrono::seconds(1);
// Memory held by the spools at once, at most: past its share, a schedule's text goes to disk.
constexpr std::size_t spool_memory = 64 << 20, min_spool_share = 256 << 10, max_spool_share = 8 << 20;

void append_run(std::string& text, output_format format, const ha::command_run& run) {
  if (format == output_format::csv) return ha::append_csv_row(text, run);
  ha::append_json(text, run);
  text += '\n';
}

struct failed_walk {
  std::string schedule_id;
  boost::system::error_code error;
  ha::error_details details;
};

class checkpointed_batch {
 public:
  checkpointed_batch(command_context& ctx, checkpointed_job& job)
      : ctx_(ctx),
        job_(job),
        tick_(ctx.io),
        spool_share_(std::clamp(spool_memory / std::max<std::size_t>(1, job.concurrency), min_spool_share, max_spool_share)) {}

  asio::awaitable<int> run() {
    interruption signals(
        ctx_.io,
        [this](int) {
          ctx_.error("interrupted: stopping; finished schedules are committed to " + job_.state_path +
                     ", and the same command walks the others (a second signal exits at once)");
          stop();
        },
        "interrupted again: exiting at once; " + job_.state_path + " holds what was committed");
    start_workers();
    // The group commit: every second while walks run, then once more at the end.
    while (running_ > 0) {
      tick_.expires_after(commit_interval);
      co_await tick_.async_wait(asio::as_tuple(asio::use_awaitable));
      commit();
    }
    commit();
    if (!job_.ended && job_.unrecorded.empty()) end_generation();
    signals.stop_listening();
    if (worker_failure_) std::rethrow_exception(worker_failure_);
    co_return report(signals);
  }

 private:
  void start_workers() {
    const std::size_t workers = std::min(job_.concurrency, job_.plan.walks.size());
    for (std::size_t i = 0; i < workers; ++i) {
      stops_->signals.push_back(std::make_unique<asio::cancellation_signal>());
      stops_->working.push_back(true);
      ++running_;
      const auto slot = stops_->signals.back()->slot();
      asio::co_spawn(ctx_.io, worker(), asio::bind_cancellation_slot(slot, [this, i](std::exception_ptr e) {
                       stops_->working[i] = false;
                       if (e && !worker_failure_) {
                         worker_failure_ = e;
                         stop();
                       }
                       if (--running_ == 0) tick_.cancel();  // the last one wakes the commit loop
                     }));
    }
  }

  asio::awaitable<void> worker() {
    while (!stopping_ && next_ < job_.plan.walks.size()) co_await walk(job_.plan.walks[next_++]);
  }

  asio::awaitable<void> walk(const planned_walk& planned) {
    schedule_spool spool(directory_of(job_.output.path()), spool_share_);
    walk_record record(planned);
    const ha::walk_options options{.organization_id = job_.organization,
                                   .page_size = job_.page_size,
                                   .start_offset = planned.start_offset,
                                   .timeout = job_.deadline,
                                   .since = planned.since};
    auto pages = ctx_.client.history_pages(planned.schedule_id, options);
    failed_walk failure{.schedule_id = planned.schedule_id, .error = {}, .details = {}};
    try {
      while (auto page = co_await pages.next()) {
        for (const ha::command_run& run : page->history.runs) {
          if (!record.admit(run)) continue;
          spool.write_with([&](std::string& text) { append_run(text, job_.format, run); });
          ++ctx_.counts.runs;
        }
        ++ctx_.counts.pages;
        ctx_.status.update({done_, ctx_.counts.runs, ctx_.counts.pages});
      }
    } catch (const ha::api_error& e) {
      failure.error = e.code();
      failure.details = e.details();
    } catch (const std::exception& e) {
      failure.error = ha::errc::connection;
      failure.details.message = e.what();
    }
    // A walk that a stop cut short is not recorded: the resume walks it again whole.
    if (stopping_ && failure.error) co_return;
    ctx_.counts.duplicates_skipped += pages.stats().duplicates_skipped + record.left_out();
    finish(planned, spool, record, pages.stats(), std::move(failure));
  }

  // Appends a finished schedule to the output; its journal line waits for the next commit.
  void finish(const planned_walk& planned, schedule_spool& spool, const walk_record& record, const ha::walk_stats& stats,
              failed_walk failure) {
    std::string why;
    if (!file_error_.empty()) return;
    if (job_.format == output_format::csv && job_.output.length() == 0) {
      std::string header;
      ha::append_csv_header(header);
      if (!job_.output.append(header, why)) return stop_on_file_error(why);
    }
    if (!spool.copy_to(job_.output, why)) return stop_on_file_error(why);
    const std::int64_t resume_offset = failure.details.resume_offset.value_or(planned.start_offset);
    schedule_record line = failure.error ? record.failed(describe(ha::api_error(failure.error, failure.details)), resume_offset)
                                         : record.done();
    line.output_length = job_.output.length();
    pending_ += record_line(line);
    job_.unrecorded.erase(planned.schedule_id);
    ++done_;
    const ha::history_query first{.organization_id = job_.organization, .limit = job_.page_size, .offset = planned.start_offset};
    ctx_.log("schedule " + planned.schedule_id + ": " + ctx_.request_line(planned.schedule_id, first) + " and on: " +
             std::to_string(record.runs()) + " runs in " + std::to_string(stats.pages) + " pages" +
             (planned.since ? " (since " + ha::format_timestamp(*planned.since) + ")" : "") +
             (failure.error ? " (failed)" : ""));
    ctx_.status.update({done_, ctx_.counts.runs, ctx_.counts.pages});
    if (failure.error) failures_.push_back(std::move(failure));
  }

  // The output's bytes reach the disk before the lines that commit them reach the journal.
  void commit() {
    std::string why;
    if (pending_.empty() || !file_error_.empty()) return;
    if (!job_.output.sync(why) || !job_.journal.append(pending_, why)) return stop_on_file_error(why);
    pending_.clear();
  }

  void end_generation() {
    std::string why, header;
    if (!file_error_.empty()) return;
    if (job_.format == output_format::csv && job_.output.length() == 0) ha::append_csv_header(header);
    if (!job_.output.append(header, why) || !job_.output.sync(why) ||
        !job_.journal.append(end_line(job_.output.length()), why))
      stop_on_file_error(why);
  }

  // No walk starts any more; those in progress are cancelled from a handler of their own
  // (never from inside a walk), and their text is dropped. The handler shares the signals:
  // it may run after the batch has ended.
  void stop() {
    if (stopping_) return;
    stopping_ = true;
    asio::post(ctx_.io, [stops = stops_] {
      for (std::size_t i = 0; i < stops->signals.size(); ++i)
        if (stops->working[i]) stops->signals[i]->emit(asio::cancellation_type::terminal);
    });
  }

  void stop_on_file_error(std::string why) {
    if (file_error_.empty()) file_error_ = std::move(why);
    stop();
  }

  // The batch's exit code is its worst failure's, as without a journal (batch_command.cpp);
  // schedules that failed in an earlier run and are not walked now (the generation has not
  // ended yet) count as worth retrying: the same command, or --retry-failed, walks them.
  int report(const interruption& signals) {
    int code = job_.plan.failed_left > 0 || !file_error_.empty() ? failure : success;
    for (const failed_walk& f : failures_) {
      ha::error_details details = f.details;
      details.resume_offset.reset();  // --retry-failed resumes it, not walk --start-offset
      code = worst_exit_code(code, ctx_.fail(ha::api_error(f.error, details), "schedule " + f.schedule_id));
    }
    const std::size_t failed = failures_.size() + job_.plan.failed_left;
    if (failed > 0)
      ctx_.error(std::to_string(failed) + " of " + std::to_string(job_.plan.header.identity.schedule_count) +
                 " schedules failed" +
                 (job_.plan.failed_left ? " (" + std::to_string(job_.plan.failed_left) + " in an earlier run)" : "") +
                 ": the same command walks them again from where they stopped");
    if (!file_error_.empty()) ctx_.error(file_error_ + "; the journal holds what was committed before");
    if (signals.received()) return signals.exit_code();
    return code;
  }

  command_context& ctx_;
  checkpointed_job& job_;
  asio::steady_timer tick_;
  const std::size_t spool_share_;
  struct worker_stops {
    std::vector<std::unique_ptr<asio::cancellation_signal>> signals;  // one per worker
    std::vector<bool> working;
  };
  std::shared_ptr<worker_stops> stops_ = std::make_shared<worker_stops>();
  std::size_t next_ = 0, running_ = 0, done_ = 0;
  bool stopping_ = false;
  std::string pending_;  // journal lines of schedules appended to the output, not yet committed
  std::string file_error_;
  std::exception_ptr worker_failure_;
  std::vector<failed_walk> failures_;
};

}  // namespace

asio::awaitable<int> walk_and_commit(command_context& ctx, checkpointed_job& job) {
  checkpointed_batch batch(ctx, job);
  co_return co_await batch.run();
}

}  // namespace humm_history
