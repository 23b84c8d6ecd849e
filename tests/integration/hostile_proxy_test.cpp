// Proxies that refuse or misbehave (a scripted fake_proxy): refusals with their status and
// reason, which of them are retried, answers that are not HTTP, endless headers, bytes after
// the 200, a proxy that hangs up or never answers, cancellation; and the CONNECT request as
// the proxy receives it. Everything the proxy sends is untrusted.

#include "fake_proxy.hpp"
#include "proxy_fixture.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

using namespace humm_test;
using namespace std::chrono_literals;
using behaviour = fake_proxy::behaviour;

namespace {

// The failure of one call through `proxy` with the fixture's server as origin.
ha::api_error failure_through(client_fixture& f, const fake_proxy& proxy, int max_retries = 2) {
  auto c = f.make_client(through(proxy.url(), max_retries));
  return f.failure_of(c, f.schedule_id(), f.query());
}

std::string refusal(const client_fixture& f, const fake_proxy& proxy) {
  return call_path(f) + "proxy " + proxy.authority() + " refused the tunnel to " + origin_of(f) + ": ";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(hostile_proxies)

BOOST_AUTO_TEST_CASE(the_proxy_receives_connect_for_the_origin_with_the_credentials_decoded) {
  const fake_proxy proxy(behaviour::answer, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
  client_fixture f;
  // us@er : p@ss:w/rd%, percent-encoded in the URL.
  auto c = f.make_client(through("http://us%40er:p%40ss%3Aw%2Frd%25@" + proxy.authority()));
  f.failure_of(c, f.schedule_id(), f.query());
  BOOST_TEST(proxy.last_request() == "CONNECT " + origin_of(f) + " HTTP/1.1\r\nHost: " + origin_of(f) +
                                         "\r\nProxy-Authorization: Basic dXNAZXI6cEBzczp3L3JkJQ==\r\nUser-Agent: "
                                         "humm-analyst-cpp/" + ha::version + "\r\n\r\n");
}

BOOST_AUTO_TEST_CASE(a_proxy_that_refuses_with_403_is_not_retried) {
  const fake_proxy proxy(behaviour::answer, "HTTP/1.1 403 Forbidden\r\nContent-Length: 100000\r\n\r\nnot read");
  client_fixture f;
  const ha::api_error e = failure_through(f, proxy);
  BOOST_TEST(e.code() == ha::errc::proxy);
  BOOST_TEST(e.details().message == refusal(f, proxy) + "HTTP 403 Forbidden");
  BOOST_TEST(e.details().http_status == 0u);
  BOOST_TEST(e.details().body_excerpt == "");  // a refusal's body is never read
  BOOST_TEST(!e.details().retryable);
  BOOST_TEST(e.details().attempts == 1);
  BOOST_TEST(proxy.connections() == 1u);
}

BOOST_AUTO_TEST_CASE(a_proxys_502_is_retried_as_a_connection_error_would_be) {
  const fake_proxy proxy(behaviour::answer, "HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\n\r\n");
  client_fixture f;
  const ha::api_error e = failure_through(f, proxy);
  BOOST_TEST(e.code() == ha::errc::proxy);
  BOOST_TEST(e.details().message == refusal(f, proxy) + "HTTP 502 Bad Gateway");
  BOOST_TEST(e.details().retryable);
  BOOST_TEST(e.details().attempts == 3);
  BOOST_TEST(proxy.connections() == 3u);
  BOOST_TEST(f.server.counters().connections_accepted == 0u);
}

BOOST_AUTO_TEST_CASE(a_hostile_reason_phrase_is_shown_printable_and_bounded) {
  // Bytes that are not UTF-8 and a right-to-left override: Beast takes both in a reason phrase.
  const fake_proxy proxy(behaviour::answer,
                         "HTTP/1.1 403 Denied \xff\xfe \xe2\x80\xae" + std::string(5000, 'A') + "\r\n\r\n");
  client_fixture f;
  const ha::api_error e = failure_through(f, proxy);
  BOOST_TEST(e.code() == ha::errc::proxy);
  BOOST_TEST(e.details().message.starts_with(refusal(f, proxy) + "HTTP 403 Denied \\xff\\xfe \\u{202E}AAA"), e.details().message);
  BOOST_TEST(e.details().message.size() < refusal(f, proxy).size() + 200);
}

BOOST_AUTO_TEST_CASE(an_answer_that_is_not_http_is_refused_without_a_retry) {
  const fake_proxy proxy(behaviour::answer, "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n\r\n");
  client_fixture f;
  const ha::api_error e = failure_through(f, proxy);
  BOOST_TEST(e.code() == ha::errc::proxy);
  BOOST_TEST(e.details().message.starts_with(call_path(f) + "proxy " + proxy.authority() +
                                             " answered the request for a tunnel to " + origin_of(f) +
                                             " with something other than HTTP"),
             e.details().message);
  BOOST_TEST(e.details().message.find("SSH") == std::string::npos);  // its text is not quoted
  BOOST_TEST(e.details().attempts == 1);
}

BOOST_AUTO_TEST_CASE(an_endless_proxy_header_is_cut_off_at_its_bound) {
  const fake_proxy proxy(behaviour::endless_header);
  client_fixture f;
  const auto started = std::chrono::steady_clock::now();
  const ha::api_error e = failure_through(f, proxy);
  BOOST_TEST(e.code() == ha::errc::proxy);
  BOOST_TEST(e.details().message == call_path(f) + "proxy " + proxy.authority() + " answered the request for a tunnel to " +
                                        origin_of(f) + " with a header longer than 8192 bytes");
  BOOST_TEST((std::chrono::steady_clock::now() - started < 3s));  // not the connect timeout
}

BOOST_AUTO_TEST_CASE(bytes_after_the_proxys_200_are_refused) {
  const fake_proxy proxy(behaviour::answer, "HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x01 not the server's");
  client_fixture f;
  const ha::api_error e = failure_through(f, proxy);
  BOOST_TEST(e.code() == ha::errc::proxy);
  BOOST_TEST(e.details().message == call_path(f) + "proxy " + proxy.authority() +
                                        " sent bytes of its own after opening the tunnel to " + origin_of(f) +
                                        ", before the client spoke");
  BOOST_TEST(e.details().attempts == 1);
}

BOOST_AUTO_TEST_CASE(a_proxy_that_hangs_up_at_once_is_a_retryable_connection_error) {
  const fake_proxy proxy(behaviour::close_at_once);
  client_fixture f;
  const ha::api_error e = failure_through(f, proxy);
  BOOST_TEST(e.code() == ha::errc::connection);
  BOOST_TEST(e.details().message.starts_with(call_path(f) + "proxy " + proxy.authority() +
                                             " closed the connection before answering the request for a tunnel to " +
                                             origin_of(f)),
             e.details().message);
  BOOST_TEST(e.details().retryable);
  BOOST_TEST(e.details().attempts == 3);
}

BOOST_AUTO_TEST_CASE(a_proxy_that_never_answers_times_out_within_connect_timeout) {
  const fake_proxy proxy(behaviour::never_answer);
  client_fixture f;
  auto c = f.make_client([&](ha::client_options& o) {
    through(proxy.url(), 0)(o);
    o.connect_timeout = 300ms;
  });
  const auto started = std::chrono::steady_clock::now();
  const ha::api_error e = f.failure_of(c, f.schedule_id(), f.query());
  BOOST_TEST(e.code() == ha::errc::timeout);
  BOOST_TEST(e.details().message == call_path(f) + "timed out waiting for proxy " + proxy.authority() +
                                        " to open the tunnel to " + origin_of(f) + " (connect_timeout)");
  BOOST_TEST((std::chrono::steady_clock::now() - started < 2s));
}

BOOST_AUTO_TEST_CASE(a_call_waiting_for_the_proxy_is_cancelled_promptly) {
  const fake_proxy proxy(behaviour::never_answer);
  client_fixture f;
  auto c = f.make_client(through(proxy.url()));
  const auto started = std::chrono::steady_clock::now();
  const bool timer_won = f.run([&]() -> asio::awaitable<bool> {
    using namespace asio::experimental::awaitable_operators;
    asio::steady_timer timer(co_await asio::this_coro::executor, 100ms);
    auto winner = co_await (c.get_schedule_history(f.schedule_id(), f.query()) || timer.async_wait(asio::use_awaitable));
    co_return winner.index() == 1;
  }());
  BOOST_TEST(timer_won);
  BOOST_TEST((std::chrono::steady_clock::now() - started < 1500ms));
  BOOST_TEST(c.stats().in_use == 0u);
  BOOST_TEST(c.stats().idle == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
