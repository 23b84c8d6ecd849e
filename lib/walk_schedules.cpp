// Walking many schedules' histories with bounded concurrency: a few workers, each taking the
// next schedule from a shared list, so that one schedule's failure never stops the others.

#include <humm/analyst/pager.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <mutex>

namespace humm::analyst {
namespace asio = boost::asio;

asio::awaitable<std::vector<schedule_walk_result>> walk_schedules(
    client& c, std::vector<std::string> schedule_ids, walk_options options, std::size_t concurrency,
    std::function<void(const std::string&, const command_run&)> on_run,
    std::function<void(const schedule_walk_result&)> on_done) {
  co_await asio::this_coro::throw_if_cancelled(false);
  // Shared with the workers, which may outlive this frame's wait if it is cancelled.
  struct batch {
    std::vector<std::string> ids;
    walk_options options;
    std::function<void(const std::string&, const command_run&)> on_run;
    std::function<void(const schedule_walk_result&)> on_done;
    std::vector<schedule_walk_result> results;
    std::mutex claim;  // workers may run on several threads of the client's executor
    std::size_t next_index = 0;
    bool cancelled = false;
  };
  auto shared = std::make_shared<batch>();
  shared->ids = std::move(schedule_ids);
  shared->options = std::move(options);
  shared->on_run = std::move(on_run);
  shared->on_done = std::move(on_done);
  shared->results.resize(shared->ids.size());

  auto worker = [](client& walker, std::shared_ptr<batch> b) -> asio::awaitable<void> {
    co_await asio::this_coro::throw_if_cancelled(false);  // a stop ends the walk with errc::cancelled
    for (;;) {
      std::size_t i;
      {
        std::lock_guard lock(b->claim);
        if (b->cancelled || b->next_index == b->ids.size()) co_return;
        i = b->next_index++;
      }
      schedule_walk_result& result = b->results[i];
      result.schedule_id = b->ids[i];
      // Page by page, as history_runs would hand the runs out, without a coroutine step per run.
      auto pages = walker.history_pages(b->ids[i], b->options);
      detail::repeated_runs repeats;
      std::uint64_t runs = 0;
      try {
        while (auto page = co_await pages.next()) {
          for (const command_run& run : page->history.runs) {
            if (repeats.check(run.id)) continue;
            ++runs;
            if (b->on_run) b->on_run(result.schedule_id, run);
          }
          repeats.end_page();
        }
      } catch (const api_error& e) {
        result.error = e.code();
        result.details = e.details();
      } catch (const std::exception& e) {
        result.error = errc::connection;
        result.details.message = e.what();
      }
      result.stats = pages.stats();
      result.stats.runs = runs;
      result.stats.duplicates_skipped = repeats.count();
      if (b->on_done) b->on_done(result);
    }
  };

  const std::size_t workers = std::clamp<std::size_t>(concurrency, 1, std::max<std::size_t>(1, shared->ids.size()));
  auto finished = std::make_shared<asio::experimental::concurrent_channel<void(boost::system::error_code)>>(
      c.get_executor(), workers);
  std::vector<std::unique_ptr<asio::cancellation_signal>> stops;
  for (std::size_t w = 0; w < workers; ++w) {
    stops.push_back(std::make_unique<asio::cancellation_signal>());
    asio::co_spawn(c.get_executor(), worker(c, shared),
                   asio::bind_cancellation_slot(stops.back()->slot(), [finished](std::exception_ptr) {
                     finished->try_send(boost::system::error_code{});
                   }));
  }
  for (std::size_t done = 0; done < workers;) {
    auto [ec] = co_await finished->async_receive(asio::as_tuple(asio::use_awaitable));
    if (!ec) {
      ++done;
      continue;
    }
    // The caller cancelled: stop the walks, then wait for them to let go of the client.
    {
      std::lock_guard lock(shared->claim);
      shared->cancelled = true;
    }
    for (auto& stop : stops) stop->emit(asio::cancellation_type::terminal);
  }
  // Schedules no worker reached (the caller cancelled) say so.
  for (std::size_t i = shared->next_index; i < shared->ids.size(); ++i) {
    shared->results[i].schedule_id = shared->ids[i];
    shared->results[i].error = errc::cancelled;
    shared->results[i].details.message = "not walked: the batch was cancelled";
  }
  co_return std::move(shared->results);
}

}  // namespace humm::analyst
