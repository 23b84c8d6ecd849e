// Walking many schedules' histories with bounded concurrency: a few workers, each on a serial
// executor of its own, taking the next schedule from a shared list, so that one schedule's
// failure never stops the others. The batch itself runs on a serial executor too, so that
// stopping the workers and hearing that they finished never race (async/run_on.hpp).

#include <humm/analyst/walk_schedules.hpp>

#include "async/run_on.hpp"
#include "client_core.hpp"
#include "walk_driver.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <mutex>

namespace humm::analyst {

namespace asio = boost::asio;

namespace {

using run_callback = std::function<void(const std::string&, const command_run&)>;
using done_callback = std::function<void(const schedule_walk_result&)>;

// Shared by the batch and its workers, which run on different executors.
struct batch {
  std::shared_ptr<detail::client_core> core;
  std::vector<std::string> ids;
  walk_options options;
  run_callback on_run;
  done_callback on_done;
  std::vector<schedule_walk_result> results;
  std::mutex claim;  // guards the three below
  std::size_t next_index = 0;
  bool stopped = false;                // cancelled, or a callback threw
  std::exception_ptr callback_failure;  // the first exception a callback threw

  std::optional<std::size_t> take() {
    std::lock_guard lock(claim);
    if (stopped || next_index == ids.size()) return std::nullopt;
    return next_index++;
  }
  void stop(std::exception_ptr failure = nullptr) {
    std::lock_guard lock(claim);
    stopped = true;
    if (failure && !callback_failure) callback_failure = failure;
  }
  std::exception_ptr failure() {
    std::lock_guard lock(claim);
    return callback_failure;
  }

  // Runs a user's callback; one that throws stops the batch, and walk_schedules rethrows it.
  template <class Callback>
  bool call_back(Callback&& callback) noexcept {
    try {
      callback();
      return true;
    } catch (...) {
      stop(std::current_exception());
      return false;
    }
  }
};

// One schedule's walk, page by page; each page already holds only runs not handed out before.
asio::awaitable<void> walk_one(batch& b, schedule_walk_result& result) {
  const auto here = co_await asio::this_coro::executor;
  page_stream pages(std::make_shared<detail::walk_driver>(b.core, here, result.schedule_id, b.options));
  const auto hand_over = [&](const history_page& page) {
    for (const command_run& run : page.history.runs) b.on_run(result.schedule_id, run);
  };
  try {
    while (auto page = co_await pages.next())
      if (b.on_run && !b.call_back([&] { hand_over(*page); })) {  // the batch stops
        result.error = errc::cancelled;
        result.details.message = "stopped: a callback threw";
        result.details.resume_offset = page->offset;
        break;
      }
  } catch (const api_error& e) {
    result.error = e.code();
    result.details = e.details();
  } catch (const std::exception& e) {
    result.error = errc::connection;
    result.details.message = e.what();
  }
  result.stats = pages.stats();
}

asio::awaitable<bool> worker(std::shared_ptr<batch> b) {
  co_await asio::this_coro::throw_if_cancelled(false);  // a stop ends the walk with errc::cancelled
  while (const auto i = b->take()) {
    schedule_walk_result& result = b->results[*i];
    result.schedule_id = b->ids[*i];
    co_await walk_one(*b, result);
    if (b->on_done && !b->call_back([&] { b->on_done(result); })) break;
  }
  co_return true;
}

asio::awaitable<std::vector<schedule_walk_result>> run_batch(std::shared_ptr<batch> b, std::size_t concurrency) {
  co_await asio::this_coro::throw_if_cancelled(false);
  const auto here = co_await asio::this_coro::executor;
  const std::size_t workers = std::clamp<std::size_t>(concurrency, 1, std::max<std::size_t>(1, b->ids.size()));
  // Workers finish on their own strands; their completions come here, count, and wake the
  // wait. (Not a channel: in Boost 1.81 a cancelled receive turns a buffered channel into an
  // unbuffered one, and a later try_send would be lost.)
  std::size_t finished = 0;
  asio::steady_timer wake(here, asio::steady_timer::time_point::max());
  std::vector<std::unique_ptr<asio::cancellation_signal>> stops;
  for (std::size_t w = 0; w < workers; ++w) {
    stops.push_back(std::make_unique<asio::cancellation_signal>());
    detail::spawn_on(b->core->serial_executor(), worker(b),
                     asio::bind_cancellation_slot(stops.back()->slot(),
                                                  asio::bind_executor(here, [&finished, &wake](std::exception_ptr, bool) {
                                                    ++finished;
                                                    wake.cancel();
                                                  })));
  }
  for (bool stopping = false; finished < workers;) {
    co_await wake.async_wait(asio::as_tuple(asio::use_awaitable));
    const auto state = co_await asio::this_coro::cancellation_state;
    const bool cancelled = state.cancelled() != asio::cancellation_type::none;
    if (stopping || (!cancelled && !b->failure())) continue;
    // The caller cancelled, or a callback threw: stop the walks, then wait for them to let go
    // of the client.
    stopping = true;
    b->stop();
    for (auto& stop : stops) stop->emit(asio::cancellation_type::terminal);
  }
  if (const auto failure = b->failure()) std::rethrow_exception(failure);
  // Schedules no worker reached (the caller cancelled) say so.
  for (std::size_t i = b->next_index; i < b->ids.size(); ++i) {
    b->results[i].schedule_id = b->ids[i];
    b->results[i].error = errc::cancelled;
    b->results[i].details.message = "not walked: the batch was cancelled";
  }
  co_return std::move(b->results);
}

}  // namespace

asio::awaitable<std::vector<schedule_walk_result>> walk_schedules(client& c, std::vector<std::string> schedule_ids,
                                                                 walk_options options, std::size_t concurrency,
                                                                 run_callback on_run, done_callback on_done) {
  auto b = std::make_shared<batch>();
  b->core = detail::core_of(c);
  b->ids = std::move(schedule_ids);
  b->options = std::move(options);
  b->on_run = std::move(on_run);
  b->on_done = std::move(on_done);
  b->results.resize(b->ids.size());
  const auto executor = b->core->serial_executor();
  co_return co_await detail::run_on(executor, run_batch(std::move(b), concurrency));
}

}  // namespace humm::analyst
