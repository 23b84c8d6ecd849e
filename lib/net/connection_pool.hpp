#pragma once
// The connections of one client: at most max_connections open, idle ones reused most
// recently used first and closed once older than idle_timeout, new ones opened (and counted)
// here, callers beyond the cap waiting in order (cancellably). Thread-safe.
//
// A permit is the right to hold one connection; there are max_connections of them
// (async/permits.hpp), and callers wait for them in order. A caller takes a permit, then an
// idle connection or, when none is idle, opens a new one: so idle + in use never exceeds
// the cap. A lease gives both back when it ends, whatever ends it.

#include "net/http_connection.hpp"

#include "async/permits.hpp"
#include "sansio/deadline.hpp"

#include <humm/analyst/observer.hpp>

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <utility>

namespace humm::analyst::detail {

struct pool_counters {
  std::atomic<std::uint64_t> opened{0};
  std::atomic<std::uint64_t> tls_handshakes{0};
  std::atomic<std::uint64_t> tls_resumptions{0};
  std::atomic<std::uint64_t> reused{0};
  std::atomic<std::uint64_t> idle{0};
  std::atomic<std::uint64_t> in_use{0};
  std::atomic<std::uint64_t> waiting{0};
  std::atomic<std::uint64_t> discarded{0};  ///< idle connections found closed or out of step when taken
};

struct pool_settings {
  endpoint where;
  asio::ssl::context* tls = nullptr;  ///< null for plain HTTP
  std::chrono::milliseconds connect_timeout{10'000};
  std::size_t max_connections = 16;
  std::chrono::milliseconds idle_timeout{60'000};
  bool single_threaded = false;  ///< see client_options: no strand per connection
  observer* watcher = nullptr;   ///< told of connections opened and closed; may be null
  /// The proxy every connection goes through, chosen once by the client; none: direct.
  /// Tunnels are pooled as direct connections are: each carries requests to the one origin.
  std::optional<proxy_route> proxy{};
};

class connection_pool {
 public:
  connection_pool(asio::any_io_executor executor, pool_settings settings);
  ~connection_pool();

  /// A permit with a connection ready to use. Move-only; gives both back when destroyed,
  /// keeping the connection for reuse when its last exchange left it fit for another.
  class lease {
   public:
    lease() = default;
    lease(lease&& other) noexcept
        : pool_(std::exchange(other.pool_, nullptr)),
          connection_(std::move(other.connection_)),
          reused_(other.reused_),
          opening_(other.opening_) {}
    lease& operator=(lease&&) = delete;
    ~lease() {
      if (pool_) pool_->release(std::move(connection_));
    }
    http_connection& connection() noexcept { return *connection_; }
    /// Whether the connection had carried an earlier request (it may have been closed by
    /// the server meanwhile).
    bool reused() const noexcept { return reused_; }
    /// For a connection opened for this lease, whether opening succeeded or not: how long it
    /// took to connect and to do the TLS handshake (a step that failed took the rest).
    struct opening_times {
      std::chrono::steady_clock::duration connect{}, handshake{};
    };
    const std::optional<opening_times>& opening() const noexcept { return opening_; }

   private:
    friend class connection_pool;
    connection_pool* pool_ = nullptr;
    std::unique_ptr<http_connection> connection_;
    bool reused_ = false;
    std::optional<opening_times> opening_;
  };

  /// Waits for a permit, then takes an idle connection or opens one. False, with `error`
  /// set, when cancelled, when opening failed, or when `deadline` passed first (the wait
  /// ends there, and opening gets no more than the time left). `fresh` drops every idle
  /// connection first (after one turned out closed by the server, the others are suspect too).
  asio::awaitable<bool> acquire(lease& out, bool fresh, std::optional<steady_time> deadline, exchange_error& error);

  /// Closes idle connections (all, or those idle longer than idle_timeout). Expiry is checked
  /// whenever a connection is acquired, not by a timer: a pending timer would keep the
  /// user's io_context.run() from returning for a whole idle_timeout after the last call.
  /// `why` (for the observer) is said of those closed when `all`.
  void close_idle(bool all, std::string_view why = "the client closed it");

  const pool_counters& counters() const noexcept { return counters_; }
  const pool_settings& settings() const noexcept { return settings_; }

 private:
  void release(std::unique_ptr<http_connection> connection);
  void close(http_connection& connection, std::string_view why);
  asio::awaitable<bool> open(lease& out, std::optional<steady_time> deadline, exchange_error& error);
  asio::awaitable<bool> wait_for_permit(std::optional<steady_time> deadline, exchange_error& error);
  asio::awaitable<bool> take_unless_cancelled();

  asio::any_io_executor executor_;
  const pool_settings settings_;
  permits permits_;
  std::mutex mutex_;
  std::deque<std::unique_ptr<http_connection>> idle_;  // most recently used at the back
  pool_counters counters_;
};

}  // namespace humm::analyst::detail
