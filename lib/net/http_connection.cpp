// The connection of http_connection.hpp: opening (resolve, connect, TLS handshake), one
// exchange at a time, and the check that an idle connection is still in step.

#include "net/http_connection.hpp"

#include "async/cancellation.hpp"
#include "async/run_on.hpp"
#include "net/proxy_tunnel.hpp"
#include "net/tls_session_cache.hpp"

#include <humm/analyst/error.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace humm::analyst::detail {

namespace http = beast::http;

namespace {

constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t read_buffer_bytes = 64 * 1024;

// Maps a transport error to the library's codes; cancellation by the caller wins.
std::error_code classify(const boost::system::error_code& ec, bool handshake, bool cancelled) {
  if (cancelled) return errc::cancelled;
  if (ec == beast::error::timeout) return errc::timeout;
  if (ec == http::error::body_limit || ec == http::error::buffer_overflow || ec == http::error::header_limit)
    return errc::body_too_large;
  if (handshake && ec.category() == asio::error::get_ssl_category()) return errc::tls;
  return errc::connection;
}

// EMFILE or ENFILE: whether the process (or the system) has no file descriptor left. Name
// resolution that fails for it reports "Host not found" on some systems, or a bare errno
// text: a probe tells which, and only after a failure.
bool out_of_descriptors() {
  const int probe = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (probe >= 0) {
    ::close(probe);
    return false;
  }
  return errno == EMFILE || errno == ENFILE;
}

// The reason in a resolve or connect failure's message.
std::string reason_for(const boost::system::error_code& ec) {
  if (ec == asio::error::no_descriptors || out_of_descriptors())
    return "too many open files: no file descriptor left (lower max_connections or raise the limit, ulimit -n)";
  return ec.message();
}

bool is_ip_literal(const std::string& host) {
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

}  // namespace

http_connection::http_connection(asio::any_io_executor executor, asio::ssl::context* tls_context)
    : stream_(tls_context ? decltype(stream_){std::in_place_type<tls_stream>, executor, *tls_context}
                          : decltype(stream_){std::in_place_type<plain_stream>, executor}) {
  // Beast asks the stream for as many bytes as the buffer has room for: room for a whole TLS
  // record (16 KiB) and more makes it one read per record.
  buffer_.reserve(read_buffer_bytes);
}

beast::tcp_stream& http_connection::lowest_layer() noexcept {
  return std::visit([](auto& s) -> beast::tcp_stream& { return beast::get_lowest_layer(s); }, stream_);
}

void http_connection::close() noexcept {
  reusable_ = false;
  std::visit([](auto& s) { s.expires_never(); }, stream_);  // no timer outlives the connection's use
  // Closing without a close_notify exchange would make OpenSSL mark the session as bad,
  // and the next connection could not resume it. A quiet shutdown keeps it.
  if (auto* tls = std::get_if<tls_stream>(&stream_)) SSL_set_shutdown(tls->native_handle(), SSL_SENT_SHUTDOWN);
  boost::system::error_code ignored;
  lowest_layer().socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  lowest_layer().close();
}

asio::awaitable<bool> http_connection::on_own_executor(const asio::any_io_executor& caller,
                                                       asio::awaitable<bool> step) {
  const auto& own = lowest_layer().get_executor();
  if (caller == own) return step;
  return run_on(own, std::move(step));
}

asio::awaitable<bool> http_connection::open_here(const endpoint& where, const proxy_route* proxy,
                                                 std::chrono::milliseconds timeout, exchange_error& error) {
  co_await asio::this_coro::throw_if_cancelled(false);  // failures are told through `error`
  error.before_response = true;
  const auto started = std::chrono::steady_clock::now();
  const first_hop hop = first_hop_of(where, proxy);  // the proxy, or `where` itself
  // Name resolution has no per-operation cancellation in Asio 1.81: a timer cancels the
  // resolver instead. Both live in one shared block, which the timer's handler only touches
  // while the block is alive; both run on this coroutine's strand.
  struct resolution {
    asio::ip::tcp::resolver resolver;
    asio::steady_timer deadline;
    bool expired = false;
  };
  const auto executor = co_await asio::this_coro::executor;
  auto resolving = std::make_shared<resolution>(resolution{asio::ip::tcp::resolver(executor), asio::steady_timer(executor)});
  resolving->deadline.expires_after(timeout);
  resolving->deadline.async_wait([weak = std::weak_ptr<resolution>(resolving)](boost::system::error_code ec) {
    if (auto r = weak.lock(); r && !ec) {
      r->expired = true;
      r->resolver.cancel();
    }
  });
  auto [resolve_ec, addresses] = co_await resolving->resolver.async_resolve(hop.host, hop.port, nothrow);
  resolving->deadline.cancel();
  if (resolve_ec) {
    const bool cancelled = co_await was_cancelled();
    const std::error_code code = resolving->expired ? make_error_code(errc::timeout) : classify(resolve_ec, false, cancelled);
    error = {code, "cannot resolve " + hop.resolve_name + ": " + (resolving->expired ? "timed out" : reason_for(resolve_ec)), true};
    co_return false;
  }
  // One deadline for the connection and the TLS handshake, as connect_timeout promises.
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  lowest_layer().expires_at(deadline);
  auto [connect_ec, connected] = co_await lowest_layer().async_connect(addresses, nothrow);
  if (connect_ec) {
    const bool cancelled = co_await was_cancelled();
    error = {classify(connect_ec, false, cancelled), "cannot connect to " + hop.connect_name + ": " + reason_for(connect_ec),
             true};
    co_return false;
  }
  lowest_layer().socket().set_option(asio::ip::tcp::no_delay(true));
  // Through a proxy: the tunnel to `where`, within the same deadline; TLS then runs through it.
  if (proxy && !co_await open_tunnel(lowest_layer(), *proxy, error)) co_return false;
  connect_time = std::chrono::steady_clock::now() - started;

  if (auto* tls = std::get_if<tls_stream>(&stream_)) {
    // SNI only for names (RFC 6066). OpenSSL checks the peer against the name or the IP
    // address during the handshake; like browsers, it ignores a subject CN (SANs only).
    // A set-up call that fails would leave the name unchecked: fail closed.
    SSL* ssl = tls->native_handle();
    X509_VERIFY_PARAM* checks = SSL_get0_param(ssl);
    bool checked;
    if (is_ip_literal(where.host)) {
      checked = X509_VERIFY_PARAM_set1_ip_asc(checks, where.host.c_str()) == 1;
    } else {
      X509_VERIFY_PARAM_set_hostflags(checks, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS | X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
      checked = SSL_set_tlsext_host_name(ssl, where.host.c_str()) == 1 &&
                X509_VERIFY_PARAM_set1_host(checks, where.host.c_str(), where.host.size()) == 1;
    }
    if (!checked) {
      error = {make_error_code(errc::tls), "cannot set up the TLS host-name check for " + where.host_header, true};
      co_return false;
    }
    tls_session_cache::offer(ssl);
    tls->attach();
    tls->expires_at(deadline);
    auto [handshake_ec] = co_await tls->async_handshake(nothrow);
    tls->expires_never();
    if (handshake_ec) {
      std::string reason = handshake_ec.message();
      const long verify = SSL_get_verify_result(ssl);
      if (verify != X509_V_OK) reason = X509_verify_cert_error_string(verify);
      const bool cancelled = co_await was_cancelled();
      error = {classify(handshake_ec, true, cancelled), "TLS handshake with " + where.host_header + " failed: " + reason,
               true};
      co_return false;
    }
    resumed_ = SSL_session_reused(ssl) == 1;
  }
  reusable_ = true;
  co_return true;
}

bool http_connection::still_quiet() noexcept {
  if (!reusable_ || buffer_.size() != 0) return false;
  if (auto* tls = std::get_if<tls_stream>(&stream_); tls && SSL_pending(tls->native_handle()) > 0) return false;
  // A peek that must not wait: a byte means unasked data (or, for TLS, a record such as the
  // server's close_notify), 0 the server's close; only "nothing yet" leaves it quiet.
  char byte;
  const ssize_t peeked = ::recv(lowest_layer().socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return peeked < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

asio::awaitable<bool> http_connection::exchange_here(const request& req, std::chrono::milliseconds timeout,
                                                     const response_limits& limits, response& out,
                                                     exchange_error& error) {
  co_await asio::this_coro::throw_if_cancelled(false);  // failures are told through `error`
  reusable_ = false;  // until the whole response has been read
  ++requests;
  std::visit([&](auto& s) { s.expires_after(timeout); }, stream_);

  auto [write_ec, written] = co_await std::visit(
      [&](auto& s) { return asio::async_write(s, asio::buffer(req), nothrow); }, stream_);
  if (write_ec) {
    const bool cancelled = co_await was_cancelled();
    error = {classify(write_ec, false, cancelled), "sending the request failed: " + write_ec.message(), true};
    co_return false;
  }

  response_reader reader(out, limits);
  const std::size_t buffered_before = buffer_.size();
  for (;;) {
    auto [read_ec, read] =
        co_await std::visit([&](auto& s) { return http::async_read(s, buffer_, reader.parser(), nothrow); }, stream_);
    if (read_ec) {
      const bool nothing_arrived = read == 0 && buffered_before == 0 && buffer_.size() == 0 && !reader.got_some();
      const bool cancelled = co_await was_cancelled();
      if (cancelled || read_ec == beast::error::timeout) {
        const std::string waited = std::to_string(timeout.count()) + " ms";
        error = {classify(read_ec, false, cancelled),
                 cancelled         ? std::string("cancelled while reading the response")
                 : nothing_arrived ? "timed out after " + waited + " waiting for the response"
                                   : "timed out after " + waited + " before the response was complete",
                 nothing_arrived};
      } else if (nothing_arrived) {
        error = {make_error_code(errc::connection), "the connection closed before the response: " + read_ec.message(),
                 true};
      } else {
        error = reader.failure(read_ec);
      }
      co_return false;
    }
    const auto next = reader.message_done(error);
    if (next == response_reader::next::failed) co_return false;
    if (next == response_reader::next::done) break;
  }
  // Bytes read past the answer were sent unasked: the next request's answer could not be
  // told from them.
  reusable_ = out.keep_alive && buffer_.size() == 0;
  std::visit([](auto& s) { s.expires_never(); }, stream_);
  co_return true;
}

}  // namespace humm::analyst::detail
