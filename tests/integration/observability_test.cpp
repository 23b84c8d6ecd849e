// What a client tells of its work, against the fake server: attempt, call, connection and
// page events with their timings, the log observer's lines, response_info on successful
// calls and walk pages, and the latency percentiles of client_stats.

#include "client_fixture.hpp"

#include <humm/analyst/decode.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <mutex>

using namespace humm_test;
using namespace std::chrono_literals;

namespace {

// Every event as owned copies (views are valid during the callback only), under a lock: the
// observer of a client on several threads is called from all of them.
struct recording_observer final : ha::observer {
  struct attempt {
    ha::attempt_event event;
    std::string target, error_message, request_id;
  };
  struct call {
    ha::call_event event;
    std::string target, error_message, request_id;
  };
  struct connection {
    ha::connection_event event;
    std::string host, reason;
  };
  struct page {
    ha::page_event event;
    std::string schedule_id, request_id;
  };

  void on_attempt(const ha::attempt_event& e) override {
    std::lock_guard lock(mutex);
    attempts.push_back({e, std::string(e.target), std::string(e.error_message), std::string(e.request_id)});
    texts += std::string(e.target) + '\n' + std::string(e.error_message) + '\n' + std::string(e.request_id) + '\n';
  }
  void on_call(const ha::call_event& e) override {
    std::lock_guard lock(mutex);
    calls.push_back({e, std::string(e.target), std::string(e.error_message), std::string(e.request_id)});
    texts += std::string(e.target) + '\n' + std::string(e.error_message) + '\n' + std::string(e.request_id) + '\n';
  }
  void on_connection(const ha::connection_event& e) override {
    std::lock_guard lock(mutex);
    connections.push_back({e, std::string(e.host), std::string(e.reason)});
  }
  void on_page(const ha::page_event& e) override {
    std::lock_guard lock(mutex);
    pages.push_back({e, std::string(e.schedule_id), std::string(e.request_id)});
  }
  std::size_t count(ha::connection_event::kind kind) {
    std::lock_guard lock(mutex);
    return static_cast<std::size_t>(std::count_if(connections.begin(), connections.end(),
                                                  [kind](const connection& c) { return c.event.what == kind; }));
  }

  std::mutex mutex;
  std::vector<attempt> attempts;
  std::vector<call> calls;
  std::vector<connection> connections;
  std::vector<page> pages;
  std::string texts;  // every text of every attempt and call, to look for what must not be there
};

struct observed_fixture : client_fixture {
  std::shared_ptr<recording_observer> seen = std::make_shared<recording_observer>();
  ha::client make_observed_client(std::function<void(ha::client_options&)> adjust = {}) {
    return make_client([&](ha::client_options& o) {
      o.observer = seen;
      if (adjust) adjust(o);
    });
  }
};

asio::awaitable<void> pause(std::chrono::milliseconds d) {
  asio::steady_timer timer(co_await asio::this_coro::executor, d);
  co_await timer.async_wait(asio::use_awaitable);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(observability)

BOOST_FIXTURE_TEST_CASE(every_attempt_is_told_with_its_status_request_id_timings_and_what_follows, observed_fixture) {
  auto c = make_observed_client();
  server.push_fault({.status = 503});
  const auto q = query(5);
  run(c.get_schedule_history(schedule_id(), q));
  const std::string target = c.history_target(schedule_id(), q);

  BOOST_TEST_REQUIRE(seen->attempts.size() == 2u);
  const auto& failed = seen->attempts[0];
  BOOST_TEST(failed.target == target);
  BOOST_TEST(failed.event.method == "GET");
  BOOST_TEST(failed.event.attempt == 1);
  BOOST_TEST(failed.event.http_status == 503u);
  BOOST_TEST(failed.event.will_retry);
  BOOST_TEST(!failed.event.reused_connection);
  BOOST_TEST(failed.event.timings.tls_handshake.count() > 0);  // the attempt opened the connection
  const auto& answered = seen->attempts[1];
  BOOST_TEST(answered.event.attempt == 2);
  BOOST_TEST(answered.event.http_status == 200u);
  BOOST_TEST(!answered.event.will_retry);
  BOOST_TEST(answered.event.reused_connection);
  BOOST_TEST(answered.event.timings.connect.count() == 0);
  BOOST_TEST(answered.request_id.starts_with("req-"), answered.request_id);
  BOOST_TEST(answered.request_id != failed.request_id);
  BOOST_TEST(answered.event.body_bytes > 0u);
  const ha::attempt_timings& t = answered.event.timings;
  BOOST_TEST(t.first_byte.count() > 0);
  BOOST_TEST(t.total >= t.pool_wait + t.first_byte + t.body);

  BOOST_TEST_REQUIRE(seen->calls.size() == 1u);
  const auto& call = seen->calls[0];
  BOOST_TEST(call.target == target);
  BOOST_TEST(call.event.attempts == 2);
  BOOST_TEST(call.event.call_id == 1u);
  BOOST_TEST(failed.event.call_id == call.event.call_id);
  BOOST_TEST(answered.event.call_id == call.event.call_id);
  BOOST_TEST(call.event.http_status == 200u);
  BOOST_TEST(!call.event.error);
  BOOST_TEST(call.request_id == answered.request_id);
  BOOST_TEST(call.event.elapsed >= failed.event.timings.total + t.total);
  BOOST_TEST(seen->count(ha::connection_event::kind::opened) == 1u);
}

BOOST_FIXTURE_TEST_CASE(a_failed_call_is_told_with_its_error_and_an_attempt_that_got_no_answer_with_its_own,
                        observed_fixture) {
  auto c = make_observed_client([](ha::client_options& o) { o.retry.max_retries = 1; });
  server.push_fault({.close_before_response = true, .times = 2});
  const ha::api_error e = failure_of(c, schedule_id(), query());
  BOOST_TEST_REQUIRE(seen->attempts.size() == 2u);
  for (const auto& a : seen->attempts) {
    BOOST_TEST(a.event.http_status == 0u);
    BOOST_TEST(a.event.error == ha::errc::connection);
    BOOST_TEST(!a.error_message.empty());
  }
  BOOST_TEST(seen->attempts[0].event.will_retry);
  BOOST_TEST(!seen->attempts[1].event.will_retry);
  BOOST_TEST_REQUIRE(seen->calls.size() == 1u);
  BOOST_TEST(seen->calls[0].event.error == e.code());
  BOOST_TEST(seen->calls[0].error_message == e.details().message);
  BOOST_TEST(seen->calls[0].event.attempts == 2);
}

BOOST_FIXTURE_TEST_CASE(a_call_cancelled_while_waiting_to_retry_keeps_its_attempt_count, observed_fixture) {
  auto c = make_observed_client([](ha::client_options& o) {
    o.retry.initial_backoff = std::chrono::seconds{5};
    o.retry.max_backoff = std::chrono::seconds{5};
  });
  server.push_fault({.status = 503, .retry_after = "3"});
  asio::cancellation_signal cancel;
  ha::error_details details;
  boost::system::error_code got;
  c.async_get_schedule_history(schedule_id(), query(), &details,
                               asio::bind_cancellation_slot(cancel.slot(), [&](boost::system::error_code ec, auto&&) {
                                 got = ec;
                               }));
  asio::steady_timer later(io, 300ms);
  later.async_wait([&](boost::system::error_code) { cancel.emit(asio::cancellation_type::terminal); });
  io.restart();
  io.run();
  BOOST_TEST(got == ha::errc::cancelled);
  BOOST_TEST(details.attempts == 1, details.message);
  BOOST_TEST_REQUIRE(seen->attempts.size() == 1u);
  BOOST_TEST(seen->attempts[0].event.will_retry);
  BOOST_TEST_REQUIRE(seen->calls.size() == 1u);
  BOOST_TEST(seen->calls[0].event.attempts == 1);
}

BOOST_FIXTURE_TEST_CASE(a_body_that_does_not_decode_is_still_handed_back_with_its_status, observed_fixture) {
  auto c = make_observed_client();
  server.push_fault({.malformed_json = true});
  ha::response_info info;
  auto q = query();
  q.call.response = &info;
  q.call.keep_raw_body = true;
  const ha::api_error e = failure_of(c, schedule_id(), q);
  BOOST_TEST(e.code() == ha::errc::decode);
  BOOST_TEST(info.http_status == 200u);
  BOOST_TEST(info.raw_body.starts_with("{\"schedule\""), info.raw_body);
  BOOST_TEST_REQUIRE(seen->calls.size() == 1u);
  BOOST_TEST(seen->calls[0].event.http_status == 200u);
  BOOST_TEST(seen->calls[0].event.error == ha::errc::decode);
}

BOOST_FIXTURE_TEST_CASE(a_connection_that_fails_to_open_is_timed_as_opening_not_as_waiting_for_the_pool,
                        observed_fixture) {
  // A server that accepts and never speaks: the TLS handshake times out.
  asio::ip::tcp::acceptor silent(io, {asio::ip::make_address("127.0.0.1"), 0});
  asio::ip::tcp::socket accepted(io);
  silent.async_accept(accepted, [](boost::system::error_code) {});
  auto c = make_observed_client([&](ha::client_options& o) {
    o.base_url = "https://127.0.0.1:" + std::to_string(silent.local_endpoint().port());
    o.connect_timeout = 300ms;
    o.retry.max_retries = 0;
  });
  failure_of(c, schedule_id(), query());
  BOOST_TEST_REQUIRE(seen->attempts.size() == 1u);
  const ha::attempt_timings& t = seen->attempts[0].event.timings;
  BOOST_TEST(t.tls_handshake >= 250ms);
  BOOST_TEST(t.pool_wait < 100ms);
  BOOST_TEST(t.connect.count() > 0);
}

BOOST_FIXTURE_TEST_CASE(connections_opened_and_closed_are_told_with_the_reason, observed_fixture) {
  {
    auto c = make_observed_client([](ha::client_options& o) { o.idle_timeout = 50ms; });
    run([&]() -> asio::awaitable<void> {
      co_await c.get_schedule_history(schedule_id(), query(1));
      co_await pause(120ms);
      co_await c.get_schedule_history(schedule_id(), query(1));
    }());
    BOOST_TEST(seen->count(ha::connection_event::kind::opened) == 2u);
    BOOST_TEST_REQUIRE(seen->connections.size() == 3u);
    const auto& expired = seen->connections[1];
    BOOST_TEST((expired.event.what == ha::connection_event::kind::closed));
    BOOST_TEST(expired.reason == "idle timeout");
    BOOST_TEST(expired.event.requests == 1u);
    BOOST_TEST(expired.event.tls);
    BOOST_TEST(expired.host.starts_with("127.0.0.1:"), expired.host);
  }
  // The client's destruction closes the one left.
  BOOST_TEST_REQUIRE(seen->connections.size() == 4u);
  BOOST_TEST(seen->connections[3].reason == "the client closed it");
}

BOOST_FIXTURE_TEST_CASE(a_successful_call_hands_back_its_response_info_when_asked, observed_fixture) {
  auto c = make_observed_client();
  server.push_fault({.status = 500});
  ha::response_info info;
  auto q = query(7);
  q.call.response = &info;
  q.call.response_headers = {"x-request-id", "CONTENT-TYPE", "x-not-sent"};
  q.call.keep_raw_body = true;
  const ha::schedule_history page = run(c.get_schedule_history(schedule_id(), q));
  BOOST_TEST(info.http_status == 200u);
  BOOST_TEST(info.attempts == 2);
  BOOST_TEST(info.request_id == seen->attempts.back().request_id);
  BOOST_TEST(info.elapsed.count() > 0);
  BOOST_TEST(info.timings.first_byte.count() > 0);
  BOOST_TEST_REQUIRE(info.headers.size() == 2u);
  const bool has_content_type = info.headers[0].second.starts_with("application/json") ||
                                info.headers[1].second.starts_with("application/json");
  BOOST_TEST(has_content_type);
  const auto again = ha::try_decode<ha::schedule_history>(std::string_view(info.raw_body));
  BOOST_TEST_REQUIRE(again.has_value());
  BOOST_TEST((*again == page));

  // The completion-token API fills it the same way; without keep_raw_body, no body is kept.
  ha::response_info plain;
  auto q2 = query(3);
  q2.call.response = &plain;
  auto future = c.async_get_schedule_history(schedule_id(), q2, asio::use_future);
  io.restart();
  io.run();
  BOOST_TEST(future.get().runs.size() == 3u);
  BOOST_TEST(plain.http_status == 200u);
  BOOST_TEST(plain.attempts == 1);
  BOOST_TEST(plain.raw_body.empty());
  BOOST_TEST(plain.headers.empty());
}

BOOST_FIXTURE_TEST_CASE(walk_pages_are_told_and_carry_their_response, observed_fixture) {
  auto c = make_observed_client();
  ha::walk_options options{.organization_id = organization, .page_size = 100};
  options.call.response_headers = {"x-request-id"};
  options.call.keep_raw_body = true;
  ha::response_info ignored;
  options.call.response = &ignored;  // a walk leaves it alone: its pages carry their own
  auto pages = c.history_pages(schedule_id(), options);
  std::vector<ha::history_page> got;
  run([&]() -> asio::awaitable<void> {
    while (auto page = co_await pages.next()) got.push_back(*std::move(page));
  }());
  BOOST_TEST_REQUIRE(got.size() == 3u);
  BOOST_TEST(ignored.http_status == 0u);
  for (const auto& page : got) {
    BOOST_TEST(page.response.http_status == 200u);
    BOOST_TEST(page.response.attempts == 1);
    BOOST_TEST_REQUIRE(page.response.headers.size() == 1u);
    BOOST_TEST(page.response.headers[0].second == page.response.request_id);
    const auto decoded = ha::try_decode<ha::schedule_history>(std::string_view(page.response.raw_body));
    BOOST_TEST_REQUIRE(decoded.has_value());
    BOOST_TEST(decoded->runs.size() == page.history.runs.size());
  }
  BOOST_TEST_REQUIRE(seen->pages.size() == 3u);
  const std::int64_t offsets[] = {0, 100, 200};
  const std::size_t runs[] = {100, 100, 50};
  for (std::size_t i = 0; i < 3; ++i) {
    BOOST_TEST(seen->pages[i].event.offset == offsets[i]);
    BOOST_TEST(seen->pages[i].event.runs == runs[i]);
    BOOST_TEST(seen->pages[i].schedule_id == schedule_id());
    BOOST_TEST(seen->pages[i].request_id == got[i].response.request_id);
  }
  BOOST_TEST(seen->pages[2].event.next_offset == 250);
}

BOOST_FIXTURE_TEST_CASE(no_event_holds_the_token_or_a_control_character_the_server_sent, observed_fixture) {
  auto c = make_observed_client([](ha::client_options& o) { o.retry.max_retries = 0; });
  const std::string token = server.options().token;
  // (A header value cannot carry a control character through the fake server: the body does.)
  server.push_fault({.status = 401,
                     .body = R"({"detail":"bad token )" + token + R"(\u001b[2J"})",
                     .headers = {{"x-request-id", "id-" + token}}});
  failure_of(c, schedule_id(), query());
  server.push_fault({.status = 200, .body = R"({"runs": [{"id": ")" + token + R"("}]})",
                     .headers = {{"x-request-id", token}}});
  failure_of(c, schedule_id(), query());
  BOOST_TEST(seen->attempts.size() == 2u);
  BOOST_TEST(seen->calls.size() == 2u);
  BOOST_TEST(seen->texts.find(token.substr(0, 8)) == std::string::npos, "an event holds the token");
  BOOST_TEST(seen->texts.find('\x1b') == std::string::npos);
  BOOST_TEST(seen->texts.find("[redacted]") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(latency_percentiles_count_every_attempt_and_every_call, client_fixture) {
  auto c = make_client();
  server.push_fault({.status = 503});
  server.push_fault({.delay = 60ms});
  for (int i = 0; i < 4; ++i) run(c.get_schedule_history(schedule_id(), query(2)));
  const ha::client_stats s = c.stats();
  BOOST_TEST(s.attempt_latency.count == 5u);
  BOOST_TEST(s.call_latency.count == 4u);
  for (const ha::latency_percentiles& p : {s.attempt_latency, s.call_latency}) {
    BOOST_TEST(p.p50.count() > 0);
    BOOST_TEST(p.p50 <= p.p90);
    BOOST_TEST(p.p90 <= p.p99);
    BOOST_TEST(p.p99 <= p.max);
  }
  BOOST_TEST(s.call_latency.max >= 60ms);
  BOOST_TEST(s.attempt_latency.max >= 60ms);
}

BOOST_FIXTURE_TEST_CASE(the_log_observer_writes_one_line_per_attempt_at_debug_and_per_call_at_info, client_fixture) {
  const auto lines_at = [&](ha::log_level level) {
    std::vector<std::string> lines;
    auto c = make_client([&](ha::client_options& o) {
      o.observer = ha::make_log_observer(level, [&](std::string_view line) { lines.emplace_back(line); });
    });
    server.push_fault({.status = 503});
    run(c.get_schedule_history(schedule_id(), query(2)));
    return lines;
  };
  const auto debug = lines_at(ha::log_level::debug);
  // The connection, the 503 (retried), the 200, the call's own line for its two attempts, and
  // the connection closed with the client.
  BOOST_TEST_REQUIRE(debug.size() == 5u);
  BOOST_TEST(debug[0].find("connection to 127.0.0.1:") == 0u, debug[0]);
  BOOST_TEST(debug[1].find(" attempt 1: 503, req-id req-") != std::string::npos, debug[1]);
  BOOST_TEST(debug[1].find("; retrying in ") != std::string::npos, debug[1]);
  BOOST_TEST(debug[2].find(" attempt 2: 200, req-id req-") != std::string::npos, debug[2]);
  BOOST_TEST(debug[2].find("pool ") != std::string::npos, debug[2]);
  BOOST_TEST(debug[3].find(": 200 after 2 attempts in ") != std::string::npos, debug[3]);
  BOOST_TEST(debug[4].find(" closed after 2 requests: the client closed it") != std::string::npos, debug[4]);

  const auto info = lines_at(ha::log_level::info);
  BOOST_TEST_REQUIRE(info.size() == 2u);  // the retry, and the call: no connection
  BOOST_TEST(info[0].find("attempt 1: 503") != std::string::npos, info[0]);
  BOOST_TEST(info[1].find(": 200 after 2 attempts") != std::string::npos, info[1]);

  const auto warn = lines_at(ha::log_level::warn);
  BOOST_TEST_REQUIRE(warn.size() == 1u);  // the failed attempt only: the call succeeded
  BOOST_TEST(warn[0].find("attempt 1: 503") != std::string::npos, warn[0]);
}

BOOST_AUTO_TEST_CASE(humm_log_in_the_environment_installs_a_log_observer) {
  ::setenv("HUMM_LOG", " Debug\n", 1);
  BOOST_TEST(ha::client_options::from_env().observer != nullptr);
  ::setenv("HUMM_LOG", "verbose", 1);
  BOOST_TEST(ha::client_options::from_env().observer == nullptr);
  ::unsetenv("HUMM_LOG");
  BOOST_TEST(ha::client_options::from_env().observer == nullptr);
  BOOST_TEST((ha::parse_log_level("WARN") == ha::log_level::warn));
  BOOST_TEST(!ha::parse_log_level("warning").has_value());
}

BOOST_FIXTURE_TEST_CASE(an_observer_is_told_of_every_attempt_from_four_threads, observed_fixture) {
  asio::thread_pool threads(4);
  auto options = options_for(server);
  options.observer = seen;
  ha::client c(threads.get_executor(), options);
  std::atomic<int> done{0};
  for (int i = 0; i < 200; ++i)
    asio::co_spawn(threads, c.get_schedule_history(schedule_id(), query(1, i)),
                   [&](std::exception_ptr e, const ha::schedule_history&) { done += e ? 0 : 1; });
  threads.join();
  BOOST_TEST(done == 200);
  BOOST_TEST(seen->attempts.size() == c.stats().requests);
  BOOST_TEST(seen->calls.size() == 200u);
  BOOST_TEST(seen->count(ha::connection_event::kind::opened) == c.stats().connections_opened);
}

BOOST_AUTO_TEST_SUITE_END()
