#pragma once
// Walking a schedule's whole run history: async generators over pages and over runs, with
// prefetch, in-order parallel fan-out, each run handed out once, and resume. Memory is
// bounded by the pages ahead, plus 32 to 64 bytes per run handed out (the ids that keep a run
// from being handed out twice).
//
//   auto pages = client.history_pages(schedule_id, {.organization_id = org});
//   while (auto page = co_await pages.next()) { ... page->offset, page->history ... }
//
//   auto runs = client.history_runs(schedule_id, {.organization_id = org});
//   while (auto run = co_await runs.next()) { ... }

#include <humm/analyst/api_error.hpp>
#include <humm/analyst/client_options.hpp>
#include <humm/analyst/models.hpp>
#include <humm/analyst/response_info.hpp>
#include <humm/analyst/timestamp.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstdint>
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
  /// handed out strictly in order. At most max(prefetch, max_in_flight) pages are held or
  /// requested ahead of the consumer: that, times page_size, bounds a walk's page memory.
  std::size_t max_in_flight = 1;
  call_options call{};  ///< per-request timeout and retries
  /// The whole walk, counted from history_pages() / history_runs(): every page request ends
  /// by then (a request in flight is clamped to the time left), and the walk fails with
  /// errc::deadline_exceeded and the resume_offset that continues it. With `deadline` too, the
  /// earlier counts. walk_schedules counts `timeout` for each schedule from its own start.
  std::optional<std::chrono::milliseconds> timeout{};
  std::optional<std::chrono::steady_clock::time_point> deadline{};
  /// Only what is new: runs come newest first, so the walk ends at the first run created
  /// before this time point; that run and every later one are not handed out, and the pages
  /// after its page that were requested ahead (prefetch, fan-out) are cancelled. A run
  /// without created_at does not end it.
  std::optional<timestamp> since{};
};

/// One page of a walk, with its place in the history. Its runs are those not handed out
/// before: a run that offset paging shows again (new runs shift the pages) is left out and
/// counted in walk_stats::duplicates_skipped, and a page left with no run is not handed out
/// (nor is an empty last page).
struct history_page {
  std::int64_t offset = 0;  ///< the offset this page was requested at
  schedule_history history;
  /// The answer's status, request id, attempts and timings; its header fields and raw body
  /// when walk_options::call asks for them (call_options::response_headers, keep_raw_body).
  response_info response{};
};

/// What a walk has done so far.
struct walk_stats {
  std::uint64_t pages = 0;               ///< pages handed out
  std::uint64_t runs = 0;                ///< runs handed out
  std::uint64_t requests = 0;            ///< page requests completed
  std::uint64_t duplicates_skipped = 0;  ///< runs seen again because new runs shifted the pages
  std::int64_t next_offset = 0;          ///< where a walk restarted now would continue
  std::optional<std::int64_t> total;     ///< the history's length, once the server tells it
};

namespace detail {
class walk_driver;
}

/// An async generator of pages. Move-only; destroying it cancels the requests in flight.
/// next() throws api_error whose details().resume_offset is the start_offset that resumes
/// the walk without loss: errc::repeated_page when the server's pages stop bringing new
/// runs, errc::bad_pagination when its pagination cannot be followed, errc::cancelled when
/// the walk was cancelled. Once a walk has failed, every later next() throws the same error.
/// The walk keeps what it needs of the client alive; the client's executor must keep running
/// until the walk is destroyed or has ended.
class page_stream {
 public:
  explicit page_stream(std::shared_ptr<detail::walk_driver> driver);
  page_stream(page_stream&&) noexcept;
  page_stream& operator=(page_stream&&) noexcept;
  ~page_stream();

  /// The next page, or nullopt after the last one. Cancelling it cancels the walk.
  boost::asio::awaitable<std::optional<history_page>> next();
  walk_stats stats() const;

 private:
  std::shared_ptr<detail::walk_driver> driver_;
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
};

}  // namespace humm::analyst
