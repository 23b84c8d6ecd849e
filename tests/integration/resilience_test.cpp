// Retries, timeouts, cancellation and TLS failures.

#include "client_fixture.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <thread>

using namespace humm_test;
using namespace std::chrono_literals;
using boost::asio::experimental::awaitable_operators::operator||;

BOOST_AUTO_TEST_SUITE(resilience)

BOOST_AUTO_TEST_CASE(each_retryable_status_is_retried) {
  for (unsigned status : {408u, 409u, 429u, 500u, 502u, 503u, 504u}) {
    client_fixture f;
    auto c = f.make_client();
    f.server.push_fault({.status = status});
    const auto page = f.run(c.get_schedule_history(f.schedule_id(), f.query(3)));
    BOOST_TEST(page.runs.size() == 3u, "status " << status);
    BOOST_TEST(c.stats().retries == 1u, "status " << status);
    BOOST_TEST(f.server.counters().requests == 2u, "status " << status);
  }
}

BOOST_AUTO_TEST_CASE(other_4xx_are_not_retried) {
  for (unsigned status : {400u, 401u, 403u, 404u, 422u}) {
    client_fixture f;
    auto c = f.make_client();
    f.server.push_fault({.status = status});
    const ha::api_error e = f.failure_of(c, f.schedule_id(), f.query());
    BOOST_TEST(e.http_status() == status);
    BOOST_TEST(!e.retryable());
    BOOST_TEST(c.stats().retries == 0u);
    BOOST_TEST(f.server.counters().requests == 1u);
  }
}

BOOST_AUTO_TEST_CASE(retries_give_up_after_max_retries) {
  client_fixture f;
  auto c = f.make_client();
  f.server.push_fault({.status = 503, .times = 10});
  const ha::api_error e = f.failure_of(c, f.schedule_id(), f.query());
  BOOST_TEST(e.http_status() == 503u);
  BOOST_TEST(e.retryable());
  BOOST_TEST(e.details().attempts == 3);
  BOOST_TEST(f.server.counters().requests == 3u);
  ha::history_query once = f.query();
  once.call.max_retries = 0;  // a per-call override
  const ha::api_error no_retry = f.failure_of(c, f.schedule_id(), once);
  BOOST_TEST(no_retry.details().attempts == 1);
}

BOOST_AUTO_TEST_CASE(retry_after_and_ratelimit_reset_are_waited_for) {
  client_fixture f;
  auto c = f.make_client();
  f.server.push_fault({.status = 429, .retry_after = "1"});
  auto start = std::chrono::steady_clock::now();
  f.run(c.get_schedule_history(f.schedule_id(), f.query(1)));
  BOOST_TEST((std::chrono::steady_clock::now() - start >= 950ms));

  const auto in_two_seconds = std::chrono::duration_cast<std::chrono::seconds>(
                                  std::chrono::system_clock::now().time_since_epoch()).count() + 2;
  f.server.push_fault({.status = 429, .ratelimit_reset = std::to_string(in_two_seconds)});
  start = std::chrono::steady_clock::now();
  f.run(c.get_schedule_history(f.schedule_id(), f.query(1)));
  BOOST_TEST((std::chrono::steady_clock::now() - start >= 900ms));
  BOOST_TEST(c.stats().retries == 2u);
}

BOOST_AUTO_TEST_CASE(a_failure_after_an_earlier_answer_is_told_alone) {
  client_fixture f;
  auto c = f.make_client([](ha::client_options& o) {
    o.retry.max_retries = 1;
    o.request_timeout = 300ms;
  });
  f.server.push_fault({.status = 503, .headers = {{"x-request-id", "req-503"}}});
  f.server.push_fault({.delay = 2s});
  const ha::api_error e = f.failure_of(c, f.schedule_id(), f.query());
  BOOST_TEST(e.code() == ha::errc::timeout);
  BOOST_TEST(e.http_status() == 0u);  // not the 503 of the first attempt
  BOOST_TEST(e.details().request_id.empty());
  BOOST_TEST(e.details().body_excerpt.empty());
  BOOST_TEST(e.details().attempts == 2);
}

BOOST_AUTO_TEST_CASE(broken_responses_are_connection_errors_and_retried) {
  for (auto broken : {ha::testing::fault{.close_mid_body = true}, ha::testing::fault{.malformed_chunked = true},
                      ha::testing::fault{.close_before_response = true}}) {
    client_fixture f;
    auto c = f.make_client();
    f.server.push_fault(broken);
    BOOST_TEST(f.run(c.get_schedule_history(f.schedule_id(), f.query(2))).runs.size() == 2u);
    BOOST_TEST(c.stats().retries == 1u);
    f.server.push_fault({.close_mid_body = broken.close_mid_body, .malformed_chunked = broken.malformed_chunked,
                         .times = 5});
    if (!broken.close_before_response) {
      const ha::api_error e = f.failure_of(c, f.schedule_id(), f.query(2));
      BOOST_TEST(e.code() == ha::errc::connection, e.what());
      BOOST_TEST(e.retryable());
    }
  }
}

BOOST_AUTO_TEST_CASE(a_request_timeout_ends_the_attempt) {
  // With and without the client's strands.
  for (const bool single_threaded : {false, true}) {
    BOOST_TEST_CONTEXT("single_threaded " << single_threaded) {
      client_fixture f;
      auto c = f.make_client([&](ha::client_options& o) {
        o.request_timeout = 100ms;
        o.retry.max_retries = 0;
        o.single_threaded = single_threaded;
      });
      // A deadline moved by earlier exchanges still holds for a slow one.
      for (int i = 0; i < 3; ++i) BOOST_TEST(f.run(c.get_schedule_history(f.schedule_id(), f.query(1))).runs.size() == 1u);
      f.server.push_fault({.delay = 2s});
      const auto start = std::chrono::steady_clock::now();
      const ha::api_error e = f.failure_of(c, f.schedule_id(), f.query());
      BOOST_TEST(e.code() == ha::errc::timeout, e.what());
      BOOST_TEST(e.retryable());
      BOOST_TEST((std::chrono::steady_clock::now() - start < 1500ms));
      BOOST_TEST(c.stats().in_use == 0u);
      // A per-call timeout overrides the client's.
      f.server.push_fault({.delay = 300ms});
      ha::history_query patient = f.query(1);
      patient.call.request_timeout = 5s;
      BOOST_TEST(f.run(c.get_schedule_history(f.schedule_id(), patient)).runs.size() == 1u);
    }
  }
}

BOOST_AUTO_TEST_CASE(no_deadline_keeps_the_io_context_running_after_the_last_call) {
  for (const bool single_threaded : {false, true}) {
    BOOST_TEST_CONTEXT("single_threaded " << single_threaded) {
      client_fixture f;
      auto c = f.make_client([&](ha::client_options& o) {
        o.request_timeout = 60s;
        o.single_threaded = single_threaded;
      });
      const auto start = std::chrono::steady_clock::now();
      BOOST_TEST(f.run(c.get_schedule_history(f.schedule_id(), f.query(5))).runs.size() == 5u);  // returns when run() does
      BOOST_TEST((std::chrono::steady_clock::now() - start < 5s));
      BOOST_TEST(c.stats().idle == 1u);  // the connection stays pooled, with no timer pending
    }
  }
}

BOOST_AUTO_TEST_CASE(a_handshake_that_never_comes_is_a_timeout) {
  // A TCP listener that accepts and never speaks TLS.
  asio::io_context silent_io;
  asio::ip::tcp::acceptor acceptor(silent_io, {asio::ip::make_address("127.0.0.1"), 0});
  asio::ip::tcp::socket held(silent_io);
  acceptor.async_accept(held, [](boost::system::error_code) {});
  std::thread silent([&] { silent_io.run(); });

  client_fixture f;
  auto c = f.make_client([&](ha::client_options& o) {
    o.base_url = "https://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port());
    o.connect_timeout = 150ms;
    o.retry.max_retries = 0;
  });
  const ha::api_error e = f.failure_of(c, f.schedule_id(), f.query());
  BOOST_TEST(e.code() == ha::errc::timeout, e.what());
  silent_io.stop();
  silent.join();
}

BOOST_AUTO_TEST_CASE(a_refused_connection_is_a_connection_error) {
  std::uint16_t closed_port;
  {
    asio::io_context io;
    asio::ip::tcp::acceptor probe(io, {asio::ip::make_address("127.0.0.1"), 0});
    closed_port = probe.local_endpoint().port();
  }
  client_fixture f;
  auto c = f.make_client([&](ha::client_options& o) {
    o.base_url = "https://127.0.0.1:" + std::to_string(closed_port);
    o.retry.max_retries = 1;
  });
  const ha::api_error e = f.failure_of(c, f.schedule_id(), f.query());
  BOOST_TEST(e.code() == ha::errc::connection, e.what());
  BOOST_TEST(e.details().attempts == 2);
}

BOOST_AUTO_TEST_CASE(cancelling_mid_request_ends_promptly_and_keeps_the_pool_consistent) {
  client_fixture f;
  auto c = f.make_client();
  f.server.push_fault({.delay = 3s});
  const auto start = std::chrono::steady_clock::now();
  const bool timer_won = f.run([&]() -> asio::awaitable<bool> {
    asio::steady_timer timer(co_await asio::this_coro::executor, 100ms);
    auto winner = co_await (c.get_schedule_history(f.schedule_id(), f.query()) ||
                            timer.async_wait(asio::use_awaitable));
    co_return winner.index() == 1;
  }());
  BOOST_TEST(timer_won);
  BOOST_TEST((std::chrono::steady_clock::now() - start < 1500ms));
  BOOST_TEST(c.stats().in_use == 0u);
  BOOST_TEST(c.stats().idle == 0u);  // the interrupted connection was closed, not pooled
  BOOST_TEST(f.run(c.get_schedule_history(f.schedule_id(), f.query(2))).runs.size() == 2u);
}

BOOST_AUTO_TEST_CASE(cancelling_a_caller_waiting_for_a_connection) {
  client_fixture f;
  auto c = f.make_client([](ha::client_options& o) { o.max_connections = 1; });
  f.server.push_fault({.delay = 500ms});
  bool first_ok = false, second_cancelled = false;
  asio::co_spawn(f.io, [&]() -> asio::awaitable<void> {
    first_ok = (co_await c.get_schedule_history(f.schedule_id(), f.query(1))).runs.size() == 1u;
  }, asio::detached);
  asio::co_spawn(f.io, [&]() -> asio::awaitable<void> {
    asio::steady_timer timer(co_await asio::this_coro::executor, 50ms);
    auto winner = co_await (c.get_schedule_history(f.schedule_id(), f.query(1)) ||
                            timer.async_wait(asio::use_awaitable));
    second_cancelled = winner.index() == 1;
  }, asio::detached);
  f.io.run();
  BOOST_TEST(first_ok);
  BOOST_TEST(second_cancelled);
  BOOST_TEST(c.stats().waiting == 0u);
  BOOST_TEST(c.stats().in_use == 0u);
  BOOST_TEST(f.server.counters().requests == 1u);
}

BOOST_AUTO_TEST_CASE(an_untrusted_certificate_fails_with_a_tls_error) {
  client_fixture f;
  ha::testing::fake_server other;  // a different self-signed certificate
  auto c = f.make_client([&](ha::client_options& o) { o.tls.ca_pem = other.certificate_pem(); });
  const ha::api_error e = f.failure_of(c, f.schedule_id(), f.query());
  BOOST_TEST(e.code() == ha::errc::tls, e.what());
  BOOST_TEST(!e.retryable());
  BOOST_TEST(std::string(e.what()).find("certificate") != std::string::npos, e.what());
  auto system_store = f.make_client([&](ha::client_options& o) { o.tls.ca_pem.clear(); });
  BOOST_TEST(f.failure_of(system_store, f.schedule_id(), f.query()).code() == ha::errc::tls);
}

BOOST_AUTO_TEST_CASE(a_wrong_host_name_fails_with_a_tls_error) {
  // The certificate names only localhost: reached as 127.0.0.1, the server is not the one named.
  client_fixture f({.certificate_hosts = {"localhost"}});
  auto by_ip = f.make_client();
  const ha::api_error e = f.failure_of(by_ip, f.schedule_id(), f.query());
  BOOST_TEST(e.code() == ha::errc::tls, e.what());
  auto by_name = f.make_client([&](ha::client_options& o) {
    o.base_url = "https://localhost:" + std::to_string(f.server.port());
  });
  BOOST_TEST(f.run(by_name.get_schedule_history(f.schedule_id(), f.query(1))).runs.size() == 1u);

  client_fixture g({.certificate_hosts = {"127.0.0.1"}});
  auto named = g.make_client([&](ha::client_options& o) {
    o.base_url = "https://localhost:" + std::to_string(g.server.port());
  });
  BOOST_TEST(g.failure_of(named, g.schedule_id(), g.query()).code() == ha::errc::tls);
}

BOOST_AUTO_TEST_SUITE_END()
