#pragma once
// The connections of one client: at most max_connections open, idle ones reused most
// recently used first and closed once older than idle_timeout, callers beyond the cap
// waiting in order (cancellably). Thread-safe.
//
// A permit is the right to hold one connection; there are max_connections of them, kept in
// a concurrent channel whose receivers queue in order. A caller takes a permit, then an
// idle connection or, when none is idle, opens a new one: so idle + in use never exceeds
// the cap.

#include "net/http_connection.hpp"

#include <boost/asio/experimental/concurrent_channel.hpp>

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>

namespace humm::analyst::detail {

struct pool_counters {
  std::atomic<std::uint64_t> opened{0};
  std::atomic<std::uint64_t> reused{0};
  std::atomic<std::uint64_t> idle{0};
  std::atomic<std::uint64_t> in_use{0};
  std::atomic<std::uint64_t> waiting{0};
};

class connection_pool {
 public:
  connection_pool(asio::any_io_executor executor, std::size_t max_connections, std::chrono::milliseconds idle_timeout);
  ~connection_pool();

  /// A permit and, when one is idle, a connection (reused) — or none, for the caller to open.
  struct lease {
    std::unique_ptr<http_connection> connection;
    bool reused = false;
  };

  /// Waits for a permit; false when cancelled. `fresh` drops every idle connection (after
  /// one turned out closed by the server, the others are suspect too).
  asio::awaitable<bool> acquire(lease& out, bool fresh = false);

  /// Gives the permit back, keeping the connection when it is fit for reuse.
  void release(std::unique_ptr<http_connection> connection);

  /// Closes idle connections (all, or those idle longer than idle_timeout). Expiry is checked
  /// whenever a connection is acquired, not by a timer: a pending timer would keep the
  /// user's io_context.run() from returning for a whole idle_timeout after the last call.
  void close_idle(bool all);

  const pool_counters& counters() const noexcept { return counters_; }
  void count_opened() noexcept { ++counters_.opened; }

 private:
  using permit_channel = asio::experimental::concurrent_channel<void(boost::system::error_code)>;

  permit_channel permits_;
  std::chrono::milliseconds idle_timeout_;
  std::mutex mutex_;
  std::deque<std::unique_ptr<http_connection>> idle_;  // most recently used at the back
  pool_counters counters_;
};

}  // namespace humm::analyst::detail
