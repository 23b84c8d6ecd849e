#pragma once
// Walking a schedule's whole run history: async generators over pages and over runs, with
// prefetch, in-order parallel fan-out, de-duplication of runs that offset paging shows
// twice, and resume. Memory is bounded by the pages ahead, never by the history's length.
//
//   auto pages = client.history_pages(schedule_id, {.organization_id = org});
//   while (auto page = co_await pages.next()) { ... page->offset, page->history ... }
//
//   auto runs = client.history_runs(schedule_id, {.organization_id = org});
//   while (auto run = co_await runs.next()) { ... }

#include <humm/analyst/client.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <vector>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace humm::analyst {

struct walk_options {
  std::string organization_id;   ///< required
  std::int64_t page_size = 100;  ///< 1..100; 100 (the API's maximum) needs the fewest requests
  std::int64_t start_offset = 0; ///< to resume a walk where an error left it
  /// Pages requested ahead of the consumer: page k+1 is in flight while page k is handled.
  std::size_t prefetch = 1;
  /// Requests at a time once the total is known (pagination with `total`); pages are still
  /// yielded strictly in order. At most max(prefetch, max_in_flight) pages are held or
  /// requested ahead of the consumer: that, times page_size, bounds a walk's memory.
  std::size_t max_in_flight = 1;
  call_options call{};  ///< per-request timeout and retries
};

/// One page of a walk, with its place in the history.
struct history_page {
  std::int64_t offset = 0;  ///< the offset this page was requested at
  schedule_history history;
};

/// What a walk has done so far.
struct walk_stats {
  std::uint64_t pages = 0;               ///< pages yielded
  std::uint64_t runs = 0;                ///< runs yielded (run walks) or received (page walks)
  std::uint64_t requests = 0;            ///< page requests completed
  std::uint64_t duplicates_skipped = 0;  ///< runs seen twice because new runs shifted the pages
  std::int64_t next_offset = 0;          ///< where a walk restarted now would continue
  std::optional<std::int64_t> total;     ///< the history's length, once the server tells it
};

namespace detail {
class walk_state;

/// The runs a walk has met, so that each is handed out once. Offset pages shift by the runs
/// created meanwhile, so a run shows again only near where it was first seen: the ids of the
/// last pages suffice, and memory stays bounded.
class repeated_runs {
 public:
  /// Whether `id` was met in the remembered pages or earlier in the current one; it is
  /// remembered either way.
  bool check(const uuid& id);
  /// The current page has been gone through.
  void end_page();
  std::uint64_t count() const noexcept { return repeats_; }

 private:
  /// Pages whose run ids are remembered: a shift by more new runs than that, between two
  /// requests, could show a run twice.
  static constexpr std::size_t remembered_pages = 2;

  std::vector<uuid> ids_;                // of the remembered pages and the current one, in order
  std::vector<std::size_t> page_sizes_{0};  // ids per page, oldest first, the current one last
  std::uint64_t repeats_ = 0;
};
}  // namespace detail

/// An async generator of pages. Move-only; destroying it cancels the requests in flight.
/// next() throws api_error (errc::repeated_page when the server repeats a page), whose
/// details().resume_offset is the start_offset that resumes the walk without loss.
class page_stream {
 public:
  explicit page_stream(std::shared_ptr<detail::walk_state> state);
  page_stream(page_stream&&) noexcept;
  page_stream& operator=(page_stream&&) noexcept;
  ~page_stream();

  /// The next page, or nullopt after the last one.
  boost::asio::awaitable<std::optional<history_page>> next();
  walk_stats stats() const;

 private:
  std::shared_ptr<detail::walk_state> state_;
};

/// An async generator of runs, newest first, each run id at most once.
class run_stream {
 public:
  explicit run_stream(page_stream pages);

  /// The next run, or nullopt after the last one. Throws like page_stream::next().
  boost::asio::awaitable<std::optional<command_run>> next();
  walk_stats stats() const;

 private:
  page_stream pages_;
  std::optional<history_page> current_;
  std::size_t index_ = 0;
  std::uint64_t runs_ = 0;
  detail::repeated_runs repeats_;
};

/// The outcome of one schedule's walk in walk_schedules.
struct schedule_walk_result {
  std::string schedule_id;
  walk_stats stats;
  std::error_code error;  ///< empty when the whole history was walked
  error_details details;  ///< for a failure: what happened, and resume_offset
};

/// Walks the histories of many schedules, at most `concurrency` at a time, handing each
/// run to `on_run` (newest first, each run once per schedule) and each finished schedule to
/// `on_done`. Callbacks run on the client's executor, one at a time per schedule. One
/// schedule's failure never stops the others. Results come back in input order.
boost::asio::awaitable<std::vector<schedule_walk_result>> walk_schedules(
    client& c, std::vector<std::string> schedule_ids, walk_options options, std::size_t concurrency,
    std::function<void(const std::string& schedule_id, const command_run& run)> on_run,
    std::function<void(const schedule_walk_result& result)> on_done = {});

}  // namespace humm::analyst
