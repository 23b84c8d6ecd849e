#pragma once
// What the fake server's acceptor, its connections and its public face share: the API,
// the counters, the TLS context and the list of open connections that stop() closes.
// Connections keep the core alive through shared_ptr, so it outlives the fake_server
// object when the caller's executor still has work queued.

#include "fake_api.hpp"

#include <humm/analyst/testing/fake_server.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string_view>
#include <optional>
#include <string>
#include <string_view>

namespace humm::analyst::testing::detail {

namespace asio = boost::asio;

/// The counters behind fake_server::counters(), behind one mutex.
class request_counters {
 public:
  void connection_accepted();
  void handshake_completed(std::string_view cipher_suite);
  /// A request has been read: counts it and holds it in flight until request_done().
  void request_started(std::string_view target);
  void request_done();
  void gzip_response_sent();
  void too_many_requests_sent();
  void request_headers(std::map<std::string, std::string> headers);

  fake_server_counters snapshot() const;
  /// Zeroes every count, the maximum of concurrent requests included (requests still in
  /// flight count towards the new maximum once another request starts).
  void reset();

 private:
  mutable std::mutex mutex_;
  fake_server_counters counts_;
  std::size_t in_flight_ = 0;
};

/// An open connection, as shut_down() reaches it.
class connection_handle {
 public:
  virtual ~connection_handle() = default;
  /// Closes the connection on its own strand; callable from any thread.
  virtual void close() = 0;
};

class server_core : public std::enable_shared_from_this<server_core> {
 public:
  /// Listens on 127.0.0.1 and an ephemeral port; makes the TLS identity unless options.tls is false.
  server_core(asio::any_io_executor executor, fake_server_options options);

  const fake_server_options options;
  fake_api api;
  request_counters counters;

  /// Starts the accept loop (separate from the constructor: it needs shared_from_this).
  void start();
  /// Stops accepting and closes every open connection; idempotent, callable from any thread.
  void shut_down();

  std::uint16_t port() const noexcept { return port_; }
  const std::string& certificate_pem() const noexcept { return certificate_pem_; }
  /// The server's TLS context, or null for plain HTTP.
  asio::ssl::context* tls() noexcept { return tls_ ? &*tls_ : nullptr; }
  /// `req-1`, `req-2`, ...: unique within this server.
  std::string next_request_id();

  /// Lists a new connection for shut_down(); nothing once shutting down (then the caller closes it).
  std::optional<std::uint64_t> add_connection(std::weak_ptr<connection_handle> connection);
  void remove_connection(std::uint64_t id);

 private:
  static asio::awaitable<void> accept_loop(std::shared_ptr<server_core> self);

  asio::any_io_executor executor_;
  std::optional<asio::ssl::context> tls_;
  std::string certificate_pem_;
  asio::ip::tcp::acceptor acceptor_;  // on its own strand: the executor may run on many threads
  std::uint16_t port_ = 0;
  std::atomic<std::uint64_t> last_request_id_{0};

  std::mutex connections_mutex_;  // guards the three members below
  bool shutting_down_ = false;
  std::uint64_t last_connection_id_ = 0;
  std::map<std::uint64_t, std::weak_ptr<connection_handle>> connections_;
};

/// Serves one accepted connection, TLS or plain as the core says, until it closes. The
/// socket's executor must be a strand: the connection's operations and close() run on it.
void start_connection(std::shared_ptr<server_core> core, asio::ip::tcp::socket socket);

}  // namespace humm::analyst::testing::detail
