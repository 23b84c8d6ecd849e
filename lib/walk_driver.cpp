// The walk's I/O: each step of the plan carried out on the walk's serial executor.

#include "walk_driver.hpp"

#include "async/cancellation.hpp"
#include "sansio/deadline.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace humm::analyst::detail {

namespace {

walk_limits limits_of(const walk_options& options) {
  return {options.start_offset, options.page_size, options.prefetch, options.max_in_flight};
}

// The options of each page's request. The walk's deadline, counted from now, bounds each
// of them: it becomes the requests' own (the earlier of the two when they have one). Pages
// carry their response_info themselves, so no request writes to the caller's.
walk_options for_page_requests(walk_options options) {
  if (const auto walk_ends = earliest(options.deadline, options.timeout, steady_time::clock::now()))
    options.call.deadline = options.call.deadline ? std::min(*options.call.deadline, *walk_ends) : *walk_ends;
  options.call.response = nullptr;
  return options;
}

}  // namespace

walk_driver::walk_driver(std::shared_ptr<client_core> core, asio::any_io_executor executor, std::string schedule_id,
                         walk_options options)
    : core_(std::move(core)),
      executor_(std::move(executor)),
      options_(for_page_requests(std::move(options))),
      schedule_text_(schedule_id),
      plan_(limits_of(options_)),
      wake_(executor_, 1) {
  stats_.next_offset = options_.start_offset;
  argument_problem problem;
  if (core_->token_problem())
    argument_problem_ = *core_->token_problem();
  else if (!check_uuid_argument("schedule_id", schedule_id, schedule_id_, problem) ||
           !check_history_arguments(options_.organization_id, options_.page_size, options_.start_offset, problem))
    argument_problem_ = problem.message();
}

asio::awaitable<std::optional<history_page>> walk_driver::next_on_its_own() {
  co_await asio::this_coro::throw_if_cancelled(false);  // a cancelled wait cancels the walk
  co_return co_await next();
}

asio::awaitable<std::optional<history_page>> walk_driver::next() {
  if (argument_problem_) {
    error_details details;
    details.message = *argument_problem_;
    throw api_error(errc::invalid_argument, std::move(details));
  }
  for (;;) {
    const walk_step step = plan_.next();
    switch (step.kind) {
      case walk_step::request: launch(step.offset); break;
      case walk_step::cancel: cancel_request(step.offset); break;
      case walk_step::hand_out:
        if (auto page = hand_out(step.offset)) {
          keep_window_full();  // the next pages are requested while the consumer works
          co_return page;
        }
        break;
      case walk_step::fail: throw_failure(step.failure);
      case walk_step::done: answered_.clear(); co_return std::nullopt;
      case walk_step::wait: {
        // A cancellation that came while no wait was pending (an answer had just woken this
        // coroutine) counts too.
        if (co_await was_cancelled()) {
          plan_.cancel();
          break;
        }
        auto [ec] = co_await wake_.async_receive(asio::as_tuple(asio::use_awaitable));
        if (ec) plan_.cancel();
        break;
      }
    }
  }
}

void walk_driver::abandon() {
  plan_.cancel();
  keep_window_full();  // only cancellations, now
  answered_.clear();
}

// Carries out what the plan can do without the consumer: requests and cancellations.
void walk_driver::keep_window_full() {
  for (;;) {
    const walk_step step = plan_.next_in_background();
    if (step.kind == walk_step::request)
      launch(step.offset);
    else if (step.kind == walk_step::cancel)
      cancel_request(step.offset);
    else
      return;
  }
}

walk_stats walk_driver::stats() const {
  std::lock_guard lock(stats_mutex_);
  return stats_;
}

void walk_driver::launch(std::int64_t offset) {
  auto& signal = requests_[offset];
  signal = std::make_unique<asio::cancellation_signal>();
  // On this executor, with the answer bound to it too: a cancellation emitted here reaches
  // the request at once, and co_spawn never has to forward it elsewhere.
  asio::co_spawn(executor_,
                 core_->history_page(schedule_id_, options_.organization_id, options_.page_size, offset, options_.call),
                 asio::bind_cancellation_slot(
                     signal->slot(), asio::bind_executor(executor_, [self = shared_from_this(), offset](
                                                                        std::exception_ptr failure,
                                                                        outcome<schedule_history> result) {
                       self->on_answer(offset, failure, std::move(result));
                     })));
}

void walk_driver::cancel_request(std::int64_t offset) {
  if (const auto it = requests_.find(offset); it != requests_.end())
    it->second->emit(asio::cancellation_type::terminal);
}

void walk_driver::on_answer(std::int64_t offset, std::exception_ptr failure, outcome<schedule_history> result) {
  requests_.erase(offset);
  if (failure) result = outcome_of_exception<schedule_history>(failure);
  {
    std::lock_guard lock(stats_mutex_);
    ++stats_.requests;
  }
  if (result.code) {
    plan_.failed(offset, result.code, result.details.message);
    failed_details_[offset] = std::move(result.details);
  } else {
    const continuation page = continue_after(offset, options_.page_size, result.value);
    if (plan_.answered(offset, page))
      answered_[offset] = history_page{offset, std::move(result.value), std::move(result.info)};
  }
  keep_window_full();
  wake_.try_send(boost::system::error_code{});
}

// Hands out the page answered for `offset`, less the runs handed out before; nullopt when
// nothing is left of it (the plan then decides whether the walk can go on).
std::optional<history_page> walk_driver::hand_out(std::int64_t offset) {
  const auto it = answered_.find(offset);
  history_page page = std::move(it->second);
  answered_.erase(answered_.begin(), std::next(it));  // and pages the plan dropped before it
  failed_details_.erase(failed_details_.begin(), failed_details_.lower_bound(offset));
  auto& runs = page.history.runs;
  const std::size_t received = runs.size();
  runs.erase(std::remove_if(runs.begin(), runs.end(), [this](const command_run& run) { return !ledger_.admit(run.id); }),
             runs.end());
  const std::size_t repeated = received - runs.size();
  // The stall rule counts runs new to the walk before `since` cuts: a page cut to nothing
  // ends the walk, it does not stall it.
  const std::size_t fresh = runs.size();
  if (options_.since) {  // newest first: from the first run older than `since`, nothing is wanted
    const auto older = std::find_if(runs.begin(), runs.end(), [since = *options_.since](const command_run& run) {
      return run.created_at && *run.created_at < since;
    });
    if (older != runs.end()) {
      runs.erase(older, runs.end());
      plan_.stop();
    }
  }
  const bool handed = plan_.handed_out(offset, fresh, repeated) && !runs.empty();
  {
    std::lock_guard lock(stats_mutex_);
    stats_.duplicates_skipped += repeated;
    stats_.next_offset = plan_.resume_offset();
    stats_.total = plan_.total();
    if (!handed) return std::nullopt;
    ++stats_.pages;
    stats_.runs += runs.size();
  }
  if (auto* watcher = core_->options.observer.get())
    watcher->on_page({.schedule_id = schedule_text_,
                      .offset = offset,
                      .runs = runs.size(),
                      .duplicates_skipped = repeated,
                      .total = plan_.total(),
                      .next_offset = plan_.resume_offset(),
                      .attempts = page.response.attempts,
                      .request_id = page.response.request_id});
  return page;
}

void walk_driver::throw_failure(const walk_failure& failure) {
  error_details details;
  // A page that failed after its retries keeps its own diagnostics (status, request id, ...).
  if (const auto it = failed_details_.find(failure.resume_offset);
      it != failed_details_.end() && failure.code != errc::cancelled && failure.code != errc::repeated_page)
    details = it->second;
  details.message = failure.message;
  details.resume_offset = failure.resume_offset;
  answered_.clear();
  throw api_error(failure.code, std::move(details));
}

}  // namespace humm::analyst::detail
