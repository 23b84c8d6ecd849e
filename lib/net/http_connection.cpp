#include "net/http_connection.hpp"

#include "async/cancellation.hpp"
#include "async/run_on.hpp"
#include "net/gzip.hpp"
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
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/read.hpp>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

namespace humm::analyst::detail {

namespace http = beast::http;

namespace {

constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t max_header_bytes = 64 * 1024;
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

// Reads a response into `response`: the status, the few headers the client acts on, and the
// body, which grows once to its Content-Length. No map of every header is built.
class response_reader : public http::basic_parser<false> {
 public:
  explicit response_reader(response& out) : out_(out) { out_.body.clear(); }
  std::string content_encoding;

 private:
  void on_request_impl(http::verb, beast::string_view, beast::string_view, int, beast::error_code&) override {}
  void on_response_impl(int status, beast::string_view, int, beast::error_code&) override {
    out_.status = static_cast<unsigned>(status);
  }
  void on_field_impl(http::field name, beast::string_view name_text, beast::string_view value,
                     beast::error_code&) override {
    if (name == http::field::content_encoding)
      content_encoding.assign(value);
    else if (name == http::field::retry_after)
      out_.retry_after.assign(value);
    else if (beast::iequals(name_text, "x-request-id"))
      out_.request_id.assign(value);
    else if (beast::iequals(name_text, "x-ratelimit-reset"))
      out_.ratelimit_reset.assign(value);
  }
  void on_header_impl(beast::error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& length, beast::error_code&) override {
    if (length) out_.body.reserve(static_cast<std::size_t>(*length));  // within body_limit, checked before
  }
  std::size_t on_body_impl(beast::string_view part, beast::error_code&) override {
    out_.body.append(part.data(), part.size());
    return part.size();
  }
  void on_chunk_header_impl(std::uint64_t, beast::string_view, beast::error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, beast::string_view part, beast::error_code&) override {
    out_.body.append(part.data(), part.size());
    return part.size();
  }
  void on_finish_impl(beast::error_code&) override {}

  response& out_;
};

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

asio::awaitable<bool> http_connection::open_here(const endpoint& where, std::chrono::milliseconds timeout,
                                                 exchange_error& error) {
  co_await asio::this_coro::throw_if_cancelled(false);  // failures are told through `error`
  error.before_response = true;
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
  auto [resolve_ec, addresses] = co_await resolving->resolver.async_resolve(where.host, where.port, nothrow);
  resolving->deadline.cancel();
  if (resolve_ec) {
    const bool cancelled = co_await was_cancelled();
    const std::error_code code = resolving->expired ? make_error_code(errc::timeout) : classify(resolve_ec, false, cancelled);
    error = {code, "cannot resolve " + where.host + ": " + (resolving->expired ? "timed out" : resolve_ec.message()), true};
    co_return false;
  }
  // One deadline for the connection and the TLS handshake, as connect_timeout promises.
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  lowest_layer().expires_at(deadline);
  auto [connect_ec, connected] = co_await lowest_layer().async_connect(addresses, nothrow);
  if (connect_ec) {
    const bool cancelled = co_await was_cancelled();
    error = {classify(connect_ec, false, cancelled), "cannot connect to " + where.host_header + ": " + connect_ec.message(),
             true};
    co_return false;
  }
  lowest_layer().socket().set_option(asio::ip::tcp::no_delay(true));

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

asio::awaitable<bool> http_connection::exchange_here(const request& req, std::chrono::milliseconds timeout,
                                                     std::size_t max_body_bytes, response& out, exchange_error& error) {
  co_await asio::this_coro::throw_if_cancelled(false);  // failures are told through `error`
  reusable_ = false;  // until the whole response has been read
  std::visit([&](auto& s) { s.expires_after(timeout); }, stream_);

  auto [write_ec, written] = co_await std::visit(
      [&](auto& s) { return asio::async_write(s, asio::buffer(req), nothrow); }, stream_);
  if (write_ec) {
    const bool cancelled = co_await was_cancelled();
    error = {classify(write_ec, false, cancelled), "sending the request failed: " + write_ec.message(), true};
    co_return false;
  }

  response_reader reader(out);
  reader.header_limit(max_header_bytes);
  reader.body_limit(max_body_bytes);
  const std::size_t buffered_before = buffer_.size();
  auto [read_ec, read] =
      co_await std::visit([&](auto& s) { return http::async_read(s, buffer_, reader, nothrow); }, stream_);
  if (read_ec) {
    const bool nothing_arrived = read == 0 && buffered_before == 0 && buffer_.size() == 0 && !reader.got_some();
    const bool cancelled = co_await was_cancelled();
    const char* what = read_ec == http::error::body_limit ? "the response body exceeds max_response_bytes"
                       : nothing_arrived                  ? "the connection closed before the response"
                                                          : "reading the response failed";
    error = {classify(read_ec, false, cancelled), what + (": " + read_ec.message()), nothing_arrived};
    co_return false;
  }

  if (out.status < 200) {  // an interim answer (103 Early Hints, ...): this client does not follow them
    error = {make_error_code(errc::connection), "unexpected interim response " + std::to_string(out.status), false};
    co_return false;
  }
  out.keep_alive = reader.keep_alive();
  if (beast::iequals(reader.content_encoding, "gzip")) {
    std::string compressed = std::move(out.body);
    switch (gunzip(compressed, max_body_bytes, out.body)) {
      case inflate_status::ok: break;
      case inflate_status::too_large:
        error = {make_error_code(errc::body_too_large), "the inflated response body exceeds max_response_bytes", false};
        co_return false;
      case inflate_status::corrupt:
        error = {make_error_code(errc::connection), "the gzip response body is corrupt", false};
        co_return false;
    }
  } else if (!reader.content_encoding.empty() && !beast::iequals(reader.content_encoding, "identity")) {
    error = {make_error_code(errc::connection), "unsupported Content-Encoding: " + reader.content_encoding, false};
    co_return false;
  }
  reusable_ = out.keep_alive;
  std::visit([](auto& s) { s.expires_never(); }, stream_);
  co_return true;
}

}  // namespace humm::analyst::detail
