#pragma once
// One keep-alive HTTP/1.1 connection, over TLS (tls_socket) or plain TCP, and one exchange
// on it at a time: write a GET, read the response (net/response_reader: interim responses,
// codings, limits). Every exchange has a deadline (expires_after) and follows the caller's
// cancellation. A connection is reused only while it stays in step: no byte may arrive that
// no request asked for.

#include "net/response_reader.hpp"
#include "net/tls_socket.hpp"
#include "sansio/endpoint.hpp"
#include "sansio/proxy.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <chrono>
#include <string>
#include <system_error>
#include <variant>

namespace humm::analyst::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;

/// A request's bytes, as detail::get_request builds them.
using request = std::string;

class http_connection {
 public:
  /// `tls_context` null for plain HTTP. `executor` must run one handler at a time (a strand
  /// of its own, see async/strands.hpp), so that the stream's timers and the calls that use the
  /// connection in turn never overlap.
  http_connection(asio::any_io_executor executor, asio::ssl::context* tls_context);

  /// Resolves, connects and (for TLS) handshakes with SNI and host-name verification.
  /// Through a proxy (`proxy` not null), the connection goes to the proxy, which is asked for
  /// a tunnel to `where` (net/proxy_tunnel); the handshake is then with `where`.
  /// `caller` (here and in exchange): the executor of the awaiting coroutine.
  asio::awaitable<bool> open(const asio::any_io_executor& caller, const endpoint& where, const proxy_route* proxy,
                             std::chrono::milliseconds timeout, exchange_error& error) {
    return on_own_executor(caller, open_here(where, proxy, timeout, error));
  }

  /// Sends `req` and reads the answer into `out`.
  asio::awaitable<bool> exchange(const asio::any_io_executor& caller, const request& req,
                                 std::chrono::milliseconds timeout, const response_limits& limits, response& out,
                                 exchange_error& error) {
    return on_own_executor(caller, exchange_here(req, timeout, limits, out, error));
  }

  /// Whether the last exchange left the connection fit for another request: the server
  /// keeps it open, and no byte after the response was read with it.
  bool reusable() const noexcept { return reusable_; }
  /// For an idle connection taken from the pool: whether the server has neither closed it
  /// nor sent anything since (bytes no request asked for would be read as the next answer).
  /// Touches no pending operation: only for a connection that no exchange is using.
  bool still_quiet() noexcept;
  bool is_tls() const noexcept { return std::holds_alternative<tls_stream>(stream_); }
  /// Whether the TLS handshake resumed an earlier session (an abbreviated handshake).
  bool resumed() const noexcept { return resumed_; }
  void close() noexcept;

  std::chrono::steady_clock::time_point idle_since{};
  /// How long open() took to connect (name resolution and a proxy's tunnel included); zero
  /// until connected.
  std::chrono::steady_clock::duration connect_time{};
  std::uint64_t requests = 0;  ///< exchanges started on it

 private:
  using plain_stream = beast::tcp_stream;
  using tls_stream = tls_socket;

  beast::tcp_stream& lowest_layer() noexcept;
  // Beast wants every operation on a stream started from the stream's executor: a caller on
  // another strand has the step run there (async/run_on.hpp), and comes back once, at its end.
  asio::awaitable<bool> on_own_executor(const asio::any_io_executor& caller, asio::awaitable<bool> step);
  asio::awaitable<bool> open_here(const endpoint& where, const proxy_route* proxy, std::chrono::milliseconds timeout,
                                  exchange_error& error);
  asio::awaitable<bool> exchange_here(const request& req, std::chrono::milliseconds timeout,
                                      const response_limits& limits, response& out, exchange_error& error);

  std::variant<plain_stream, tls_stream> stream_;
  beast::flat_buffer buffer_;
  bool reusable_ = false;
  bool resumed_ = false;
};

}  // namespace humm::analyst::detail
