// Control of time and load: a deadline over a whole call (pool wait, attempts, backoffs), a
// Retry-After beyond the cap, the client-wide pause after a 429, the requests-per-second
// bucket and the retry budget, against the fake server.

#include "client_fixture.hpp"

#include <humm/analyst/walk_schedules.hpp>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

using namespace humm_test;
using namespace std::chrono_literals;

namespace {

ha::history_query with_timeout(ha::history_query q, std::chrono::milliseconds timeout) {
  q.call.timeout = timeout;
  return q;
}

std::chrono::steady_clock::duration time_of(auto&& work) {
  const auto start = std::chrono::steady_clock::now();
  work();
  return std::chrono::steady_clock::now() - start;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(time_and_load)

BOOST_AUTO_TEST_CASE(a_call_deadline_cuts_an_attempt_that_would_run_longer) {
  client_fixture f;
  auto c = f.make_client();  // a request timeout of 10 s
  f.server.push_fault({.delay = 3s});
  ha::api_error e{{}, {}};
  const auto took = time_of([&] { e = f.failure_of(c, f.schedule_id(), with_timeout(f.query(), 300ms)); });
  BOOST_TEST(e.code() == ha::errc::deadline_exceeded);
  BOOST_TEST(e.details().attempts == 1);
  BOOST_TEST(e.details().message.find("the deadline passed after 1 attempt; the last attempt: ") != std::string::npos,
             e.details().message);
  BOOST_TEST((took < 2500ms));
}

BOOST_AUTO_TEST_CASE(a_last_attempt_cut_short_by_the_deadline_is_the_deadlines_failure) {
  client_fixture f;
  auto c = f.make_client([](ha::client_options& o) { o.retry.max_retries = 0; });
  f.server.push_fault({.delay = 3s});
  const ha::api_error e = f.failure_of(c, f.schedule_id(), with_timeout(f.query(), 300ms));
  BOOST_TEST(e.code() == ha::errc::deadline_exceeded, e.details().message);
}

BOOST_AUTO_TEST_CASE(a_backoff_that_would_cross_the_deadline_ends_the_call_at_once) {
  client_fixture f;
  auto c = f.make_client();
  f.server.push_fault({.status = 503, .retry_after = "5", .times = 3});
  ha::api_error e{{}, {}};
  const auto took = time_of([&] { e = f.failure_of(c, f.schedule_id(), with_timeout(f.query(), 2s)); });
  BOOST_TEST(e.code() == ha::errc::deadline_exceeded);
  BOOST_TEST(e.http_status() == 503u);  // how far it got: the last answer
  BOOST_TEST(e.details().attempts == 1);
  BOOST_TEST(e.details().message.find("HTTP 503") != std::string::npos, e.details().message);
  BOOST_TEST((took < 1500ms));  // it did not wait for the 5 s, nor for the deadline
  BOOST_TEST(f.server.counters().requests == 1u);
}

BOOST_AUTO_TEST_CASE(the_deadline_bounds_the_wait_for_a_connection) {
  client_fixture f;
  auto c = f.make_client([](ha::client_options& o) { o.max_connections = 1; });
  f.run(c.get_schedule_history(f.schedule_id(), f.query(1)));  // the client's first answer has come
  f.server.push_fault({.delay = 1500ms});
  bool first_ok = false;
  std::optional<ha::api_error> second;
  asio::co_spawn(f.io, [&]() -> asio::awaitable<void> {
    first_ok = (co_await c.get_schedule_history(f.schedule_id(), f.query(1))).runs.size() == 1u;
  }, asio::detached);
  asio::co_spawn(f.io, [&]() -> asio::awaitable<void> {
    try {
      const auto q = with_timeout(f.query(1), 200ms);
      co_await c.get_schedule_history(f.schedule_id(), q);
    } catch (const ha::api_error& e) {
      second = e;
    }
  }, asio::detached);
  f.io.restart();
  f.io.run();
  BOOST_TEST(first_ok);
  BOOST_REQUIRE(second.has_value());
  BOOST_TEST(second->code() == ha::errc::deadline_exceeded);
  BOOST_TEST(second->details().message.find("waiting for a connection") != std::string::npos, second->details().message);
  BOOST_TEST(c.stats().waiting == 0u);
  BOOST_TEST(f.server.counters().requests == 2u);
  // The permit the timed-out wait was in line for is not lost: the one connection serves on.
  BOOST_TEST(f.run(c.get_schedule_history(f.schedule_id(), with_timeout(f.query(1), 5s))).runs.size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_retry_after_beyond_max_retry_after_fails_at_once_telling_the_wait) {
  client_fixture f;
  auto c = f.make_client();
  f.server.push_fault({.status = 429, .retry_after = "120"});
  ha::api_error e{{}, {}};
  const auto took = time_of([&] { e = f.failure_of(c, f.schedule_id(), f.query()); });
  BOOST_TEST(e.http_status() == 429u);
  BOOST_TEST(e.details().attempts == 1);
  BOOST_REQUIRE(e.details().retry_after.has_value());
  BOOST_TEST(e.details().retry_after->count() == 120'000);
  BOOST_TEST(e.details().message.find("the server asks to wait 120 s, more than max_retry_after (60 s)") !=
                 std::string::npos,
             e.details().message);
  BOOST_TEST((took < 5s));
}

BOOST_AUTO_TEST_CASE(a_rate_limit_wait_beyond_max_retry_after_fails_the_next_calls_at_once) {
  client_fixture f;
  auto c = f.make_client();
  // An answer saying the allowance is spent until a reset 31 years away (10^9 seconds).
  f.server.push_fault({.headers = {{"X-RateLimit-Limit", "10"}, {"X-RateLimit-Remaining", "0"},
                                   {"X-RateLimit-Reset", "1000000000"}}});
  f.run(c.get_schedule_history(f.schedule_id(), f.query(1)));
  ha::api_error e{{}, {}};
  // (A deadline, so that waiting the reset out fails the test rather than hangs it.)
  const auto took = time_of([&] { e = f.failure_of(c, f.schedule_id(), with_timeout(f.query(1), 3s)); });
  BOOST_TEST(e.code() == ha::errc::rate_limited);
  BOOST_TEST(e.details().message.find("the server's rate limit allows no request for ") != std::string::npos,
             e.details().message);
  BOOST_TEST(e.details().retry_after.has_value());
  BOOST_TEST((took < 2s));
  BOOST_TEST(f.server.counters().requests == 1u);
}

BOOST_AUTO_TEST_CASE(a_429_pauses_every_call_of_the_client_until_its_retry_after) {
  client_fixture f;
  auto c = f.make_client();
  f.server.push_fault({.status = 429, .retry_after = "1"});
  // The first call gets the 429; a second, started 100 ms later, waits for the same second
  // instead of being sent at once.
  std::chrono::steady_clock::duration second_took{};
  asio::co_spawn(f.io, [&]() -> asio::awaitable<void> {
    co_await c.get_schedule_history(f.schedule_id(), f.query(1));
  }, asio::detached);
  asio::co_spawn(f.io, [&]() -> asio::awaitable<void> {
    asio::steady_timer pause(co_await asio::this_coro::executor, 100ms);
    co_await pause.async_wait(asio::use_awaitable);
    const auto start = std::chrono::steady_clock::now();
    co_await c.get_schedule_history(f.schedule_id(), f.query(1));
    second_took = std::chrono::steady_clock::now() - start;
  }, asio::detached);
  f.io.run();
  BOOST_TEST((second_took >= 700ms));
  BOOST_TEST(c.stats().too_many_requests == 1u);
  BOOST_TEST((c.stats().paused >= 700ms));
  BOOST_TEST(f.server.counters().requests == 3u);
}

BOOST_AUTO_TEST_CASE(max_requests_per_second_spaces_requests_across_the_client) {
  client_fixture f;
  auto c = f.make_client([](ha::client_options& o) { o.max_requests_per_second = 20; });
  const auto took = time_of([&] {
    for (int i = 0; i < 6; ++i) {
      asio::co_spawn(f.io, c.get_schedule_history(f.schedule_id(), f.query(1)), asio::detached);
    }
    f.io.run();
  });
  BOOST_TEST(f.server.counters().requests == 6u);
  BOOST_TEST((took >= 240ms));  // six starts 50 ms apart: 250 ms at least, however fast the machine
  BOOST_TEST((c.stats().paused > 0ms));
}

BOOST_AUTO_TEST_CASE(the_retry_budget_stops_retries_when_most_requests_fail) {
  client_fixture f;
  auto c = f.make_client([](ha::client_options& o) {
    o.retry.max_retries = 5;
    o.retry.budget = {.max_tokens = 4, .refill_per_success = 1};
  });
  f.server.push_fault({.status = 503, .times = 100});
  // 4 tokens: the first failure leaves 3 (a retry allowed), the second 2 (half: no more).
  const ha::api_error e = f.failure_of(c, f.schedule_id(), f.query());
  BOOST_TEST(e.details().attempts == 2);
  BOOST_TEST(e.details().message.find("not retried: the client's retry budget is spent") != std::string::npos,
             e.details().message);
  BOOST_TEST(c.stats().retries_refused == 1u);
  // The next call fails at its first answer: the budget is shared by the whole client.
  BOOST_TEST(f.failure_of(c, f.schedule_id(), f.query()).details().attempts == 1);
}

BOOST_AUTO_TEST_CASE(a_walk_deadline_ends_the_walk_with_the_offset_that_resumes_it) {
  client_fixture f;  // 250 runs: pages at 0, 100 and 200
  auto c = f.make_client();
  f.server.push_fault({});                 // the first page answers at once
  f.server.push_fault({.delay = 3s});      // the second would take 3 s
  ha::walk_options options{.organization_id = f.organization, .timeout = 600ms};
  auto runs = c.history_runs(f.schedule_id(), options);
  std::size_t before = 0;
  try {
    f.run([&]() -> asio::awaitable<void> {
      while (co_await runs.next()) ++before;
    }());
    BOOST_FAIL("the walk should have passed its deadline");
  } catch (const ha::api_error& e) {
    BOOST_TEST(e.code() == ha::errc::deadline_exceeded);
    BOOST_TEST(e.details().resume_offset.value_or(-1) == 100);
  }
  BOOST_TEST(before == 100u);
}

BOOST_AUTO_TEST_CASE(walk_schedules_counts_the_walk_timeout_for_each_schedule_from_its_own_start) {
  client_fixture f;
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) ids.push_back(ha::format_uuid(f.server.add_schedule(10, 700 + i).schedule.id));
  auto c = f.make_client();
  f.server.push_fault({.delay = 400ms, .times = 3});  // each walk's one page takes 0.4 s
  ha::walk_options options{.organization_id = f.organization, .timeout = 1s};
  // One at a time: 1.2 s in all, more than the timeout, but each walk well within it.
  const auto results = f.run(ha::walk_schedules(c, ids, options, 1, [](const std::string&, const ha::command_run&) {}));
  BOOST_REQUIRE(results.size() == 3u);
  for (const auto& r : results) BOOST_TEST(!r.error, r.schedule_id << ": " << r.details.message);
}

BOOST_AUTO_TEST_CASE(a_batch_paced_by_the_rate_limit_fields_meets_few_429s_whichever_form_the_reset_takes) {
  for (const auto style : {ha::testing::rate_limit_style::reset_delta_seconds,
                           ha::testing::rate_limit_style::reset_unix_time, ha::testing::rate_limit_style::ietf_draft}) {
    client_fixture f({.rate_limit = {.requests_per_window = 5, .window = 1s, .style = style}});
    std::vector<std::string> ids;
    for (int i = 0; i < 8; ++i) ids.push_back(ha::format_uuid(f.server.add_schedule(30, 800 + i).schedule.id));
    auto c = f.make_client();
    const ha::walk_options options{.organization_id = f.organization, .page_size = 20};
    const auto results = f.run(ha::walk_schedules(c, ids, options, 4, [](const std::string&, const ha::command_run&) {}));
    for (const auto& r : results) BOOST_TEST(!r.error, r.schedule_id << ": " << r.details.message);
    // Without pacing, about a third of the requests met a 429 (benchmarks/rate_limited_batch).
    BOOST_TEST(f.server.counters().too_many_requests <= 2u, "style " << static_cast<int>(style));
    BOOST_TEST(c.stats().rate_limit.value_or(0) == 5);
  }
}

BOOST_AUTO_TEST_SUITE_END()
