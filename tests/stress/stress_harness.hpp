#pragma once
// The stress test's tools, apart from what it does: how it counts the ways walks end, how it
// checks the runs a walk hands out (the data set's own, in order, each once), how it cancels
// an operation from the operation's strand, and a watchdog that turns a walk that never
// ends into a failed test instead of a hung CI job.

#include <humm/analyst/models.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <memory>
#include <mutex>
#include <ostream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace humm_stress {

namespace ha = humm::analyst;
namespace asio = boost::asio;

/// How the walks, calls and batched walks of one stress run ended. Each one that starts must
/// end exactly once, in exactly one of the five ways; the last three counters must stay zero.
struct outcome_tally {
  std::atomic<std::size_t> started{0};
  std::atomic<std::size_t> completed{0};   ///< to the end, with every run of the data set
  std::atomic<std::size_t> failed{0};      ///< an api_error other than errc::cancelled
  std::atomic<std::size_t> cancelled{0};   ///< by a cancellation the test sent to it
  std::atomic<std::size_t> abandoned{0};   ///< its stream destroyed half-way by the test
  std::atomic<std::size_t> unexpected{0};  ///< any other end: a foreign exception, a short "end", an unasked cancel
  std::atomic<std::size_t> repeated_runs{0};   ///< runs handed out twice within one walk
  std::atomic<std::size_t> misplaced_runs{0};  ///< runs (or pages) other than the data set's next ones

  std::size_t ended() const { return completed + failed + cancelled + abandoned + unexpected; }

  void add(const outcome_tally& other) {
    started += other.started;
    completed += other.completed;
    failed += other.failed;
    cancelled += other.cancelled;
    abandoned += other.abandoned;
    unexpected += other.unexpected;
    repeated_runs += other.repeated_runs;
    misplaced_runs += other.misplaced_runs;
  }
};

inline std::ostream& operator<<(std::ostream& out, const outcome_tally& t) {
  return out << "started " << t.started.load() << ", ended " << t.ended() << " (completed " << t.completed.load()
             << ", failed " << t.failed.load() << ", cancelled " << t.cancelled.load() << ", abandoned "
             << t.abandoned.load() << ", unexpected " << t.unexpected.load() << "); runs repeated "
             << t.repeated_runs.load() << ", misplaced " << t.misplaced_runs.load();
}

inline std::string to_string(const outcome_tally& t) {
  std::ostringstream out;
  out << t;
  return out.str();
}

/// The runs one walk hands out, against the data set: without new runs during the walk, a
/// walk from `start` must hand out exactly expected[start], expected[start + 1], ...
class run_checker {
 public:
  run_checker(const std::vector<ha::command_run>& expected, std::size_t start)
      : expected_(&expected), next_(start) {}

  void see(const ha::uuid& id) {
    repeated_ += !seen_.insert(id).second;
    misplaced_ += next_ >= expected_->size() || (*expected_)[next_].id != id;
    ++next_;
  }

  /// A page must start where the runs handed out so far end.
  void see_page(std::int64_t offset, const std::vector<ha::command_run>& runs) {
    misplaced_ += offset < 0 || static_cast<std::size_t>(offset) != next_;
    for (const auto& run : runs) see(run.id);
  }

  /// Whether the walk has handed out every run up to the last.
  bool whole() const { return next_ == expected_->size(); }

  /// Adds what this walk saw wrong to the tally.
  void report_to(outcome_tally& tally) const {
    tally.repeated_runs += repeated_;
    tally.misplaced_runs += misplaced_;
  }

 private:
  const std::vector<ha::command_run>* expected_;
  std::size_t next_;
  std::set<ha::uuid> seen_;
  std::size_t repeated_ = 0;
  std::size_t misplaced_ = 0;
};

/// A cancellation the test sends to one operation, a while after the operation asks for it.
/// It lives on the operation's strand, as Asio requires of a signal and its slot; shared, so
/// that a timer still pending when the operation ends keeps it alive.
struct canceller : std::enable_shared_from_this<canceller> {
  explicit canceller(const asio::any_io_executor& strand) : timer(strand) {}

  void arm(std::chrono::microseconds delay) {
    if (finished) return;
    timer.expires_after(delay);
    timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec && !self->finished) self->signal.emit(asio::cancellation_type::terminal);
    });
  }
  void finish() {
    finished = true;
    timer.cancel();
  }

  asio::cancellation_signal signal;
  asio::steady_timer timer;
  bool finished = false;
};

/// Runs `work`, handing back what it threw rather than throwing it: `||` waits for the
/// other side when one side throws (Asio's wait_for_one_success), so a walk failing in a
/// race with a timer would be taken for one the timer cancelled.
template <class T>
asio::awaitable<std::exception_ptr> caught(asio::awaitable<T> work) {
  std::exception_ptr failure;
  try {
    co_await std::move(work);
  } catch (...) {
    failure = std::current_exception();
  }
  co_return failure;
}

/// Runs `io` on `threads` threads and waits until every run() has returned, which happens
/// once every walk has ended and let go of its timers and connections. Returns false if that
/// takes longer than `limit` (a walk that never ends, a lost wake-up) or a handler threw: the
/// io_context is then stopped so that the threads can be joined and the test can report; if
/// even that does not free them (a thread blocked outside the io_context), the process aborts
/// rather than hang the CI job.
inline bool run_on_threads(asio::io_context& io, std::size_t threads, std::chrono::seconds limit) {
  std::mutex mutex;
  std::condition_variable returned_cv;
  std::size_t returned = 0;
  std::atomic<std::size_t> threw{0};
  std::vector<std::thread> pool;
  for (std::size_t t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      try {
        io.run();
      } catch (const std::exception& e) {  // a handler threw: the walks it held never end
        std::cerr << "stress: a handler threw out of io_context::run(): " << e.what() << '\n';
        ++threw;
      }
      std::lock_guard lock(mutex);
      ++returned;
      returned_cv.notify_all();
    });
  }
  bool drained;
  {
    std::unique_lock lock(mutex);
    drained = returned_cv.wait_for(lock, limit, [&] { return returned == threads; });
    if (!drained) {
      io.stop();
      if (!returned_cv.wait_for(lock, std::chrono::seconds{10}, [&] { return returned == threads; })) {
        std::cerr << "stress: io_context threads still busy 10 s after stop(); aborting\n";
        std::abort();
      }
    }
  }
  for (std::thread& t : pool) t.join();
  return drained && threw == 0;
}

}  // namespace humm_stress
