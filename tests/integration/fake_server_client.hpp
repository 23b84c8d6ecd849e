#pragma once
// A minimal synchronous HTTP/1.1 client over Beast for the fake server's tests: it trusts
// only the certificate it is given, checks the host name, and bounds every operation with
// a deadline, so that a server that fails to answer fails a test instead of hanging it.

// Beast is compiled once in the library (lib/net/asio_beast_src.cpp); every user must agree.
#ifndef BOOST_BEAST_SEPARATE_COMPILATION
#define BOOST_BEAST_SEPARATE_COMPILATION
#endif

#include <humm/analyst/testing/fake_server.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/test/unit_test.hpp>

#include <openssl/ssl.h>

#include <chrono>
#include <optional>
#include <string>

namespace humm_test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using error_code = boost::system::error_code;
using request = http::request<http::empty_body>;
using response = http::response<http::string_body>;

// Each client operation's deadline: a server that fails to answer fails the test, not hangs it.
inline constexpr auto io_timeout = std::chrono::seconds{5};

struct client_tls {
  std::string host = "127.0.0.1";  ///< the name the certificate must match (sent as SNI if a DNS name)
  std::string ca_pem{};            ///< the only trusted certificate; empty: the server's own
  int max_version = 0;             ///< e.g. TLS1_2_VERSION; 0: the newest OpenSSL offers
};

/// One connection to a fake server, used synchronously: each call runs the client's own
/// io_context until the operation completes or its deadline passes. It connects on first use.
class test_client {
 public:
  explicit test_client(const humm::analyst::testing::fake_server& server, client_tls tls = {})
      : port_(server.port()), token_(server.options().token), host_(std::move(tls.host)) {
    if (!server.options().tls) return;
    tls_context_.set_verify_mode(asio::ssl::verify_peer);
    const std::string& ca = tls.ca_pem.empty() ? server.certificate_pem() : tls.ca_pem;
    tls_context_.add_certificate_authority(asio::buffer(ca));
    if (tls.max_version != 0) SSL_CTX_set_max_proto_version(tls_context_.native_handle(), tls.max_version);
    tls_.emplace(io_, tls_context_);
  }

  error_code connect() {
    if (connected_) return {};
    const asio::ip::tcp::endpoint endpoint(asio::ip::address_v4::loopback(), port_);
    error_code ec = run([&](auto handler) { tcp_layer().async_connect(endpoint, handler); });
    if (!ec && tls_) ec = handshake();
    connected_ = !ec;
    return ec;
  }

  request make_request(std::string target) const {
    request req(http::verb::get, target, 11);
    req.set(http::field::host, "127.0.0.1:" + std::to_string(port_));
    req.set(http::field::authorization, "Bearer " + token_);
    return req;
  }

  error_code send(const request& req) {
    if (const error_code ec = connect()) return ec;
    return run([&](auto handler) { with_stream([&](auto& stream) { http::async_write(stream, req, handler); }); });
  }

  template <class Message>  // a response or a response parser
  error_code receive(Message& message) {
    return run([&](auto handler) {
      with_stream([&](auto& stream) { http::async_read(stream, buffer_, message, handler); });
    });
  }

  error_code exchange(const request& req, response& res) {
    if (const error_code ec = send(req)) return ec;
    return receive(res);
  }

  /// An exchange that must succeed, with the headers every response must have.
  response get(const request& req) {
    response res;
    const error_code ec = exchange(req, res);
    BOOST_REQUIRE_MESSAGE(!ec, "GET " << req.target() << ": " << ec.message());
    BOOST_TEST(res[http::field::content_type] == "application/json");
    BOOST_TEST(res["x-request-id"].starts_with("req-"));
    return res;
  }
  response get(std::string target) { return get(make_request(std::move(target))); }

 private:
  beast::tcp_stream& tcp_layer() { return tls_ ? beast::get_lowest_layer(*tls_) : plain_; }

  template <class F>
  void with_stream(F&& f) {
    if (tls_)
      f(*tls_);
    else
      f(plain_);
  }

  error_code handshake() {
    // Host-name verification on; SNI only for names, as RFC 6066 forbids IP literals there.
    tls_->set_verify_callback(asio::ssl::host_name_verification(host_));
    error_code not_an_address;
    asio::ip::make_address(host_, not_an_address);
    if (not_an_address) SSL_set_tlsext_host_name(tls_->native_handle(), host_.c_str());
    return run([&](auto handler) { tls_->async_handshake(asio::ssl::stream_base::client, handler); });
  }

  // Starts one operation with a completion handler and runs the io_context until it ends;
  // the stream's deadline guarantees that it does.
  template <class Start>
  error_code run(Start&& start) {
    error_code result = asio::error::timed_out;
    tcp_layer().expires_after(io_timeout);
    start([&result](error_code ec, auto&&...) { result = ec; });
    io_.restart();
    io_.run();
    return result;
  }

  asio::io_context io_;
  asio::ssl::context tls_context_{asio::ssl::context::tls_client};
  beast::tcp_stream plain_{io_};
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls_;
  beast::flat_buffer buffer_;
  std::uint16_t port_;
  std::string token_;
  std::string host_;
  bool connected_ = false;
};

}  // namespace humm_test
