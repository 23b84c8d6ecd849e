#pragma once
// Walking the histories of many schedules with bounded concurrency: one schedule's failure
// never stops the others, and each result says how far its walk got.

#include <humm/analyst/client.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <functional>
#include <string>
#include <vector>

namespace humm::analyst {

/// The outcome of one schedule's walk in walk_schedules.
struct schedule_walk_result {
  std::string schedule_id;
  walk_stats stats;
  boost::system::error_code error;  ///< empty when the whole history was walked
  error_details details;            ///< for a failure: what happened, and resume_offset
};

/// Walks the histories of many schedules, at most `concurrency` at a time, handing each
/// run to `on_run` (newest first, each run once per schedule) and each finished schedule to
/// `on_done`. Callbacks of one schedule run one at a time, on a strand of the client's
/// executor (on that executor itself for a single-threaded client); callbacks of different
/// schedules may run at once when several threads run the executor. One schedule's failure
/// never stops the others. Results come back in input order. Cancelling the returned
/// operation stops the walks: those not finished end with errc::cancelled. A callback that
/// throws stops the batch the same way, and the returned operation then rethrows its exception.
boost::asio::awaitable<std::vector<schedule_walk_result>> walk_schedules(
    client& c, std::vector<std::string> schedule_ids, walk_options options, std::size_t concurrency,
    std::function<void(const std::string& schedule_id, const command_run& run)> on_run,
    std::function<void(const schedule_walk_result& result)> on_done = {});

}  // namespace humm::analyst
