// The retry decision (sansio/retry): which answers and errors are retried, how many times,
// the backoff, and the waits a server asks for (Retry-After, X-RateLimit-Reset).

#include "sansio/retry.hpp"

#include "sansio/field_values.hpp"
#include "sansio/rate_limit.hpp"

#include <humm/analyst/error.hpp>

#include <boost/asio/error.hpp>
#include <boost/test/unit_test.hpp>

namespace ha = humm::analyst;
namespace d = humm::analyst::detail;
using namespace std::chrono;

namespace {
const system_clock::time_point now = sys_days{year{2026} / November / 28} + hours{12};
// An answer with its Retry-After and rate-limit reset as sent, read as the client reads them.
d::attempt_outcome status(unsigned s, std::string_view retry_after = {}, std::string_view reset = {}) {
  return {{}, s, d::parse_retry_after(retry_after, now), d::parse_reset(reset, now)};
}
d::attempt_outcome failure(ha::errc e) { return {make_error_code(e), 0, {}, {}}; }
}  // namespace

BOOST_AUTO_TEST_SUITE(retry)

BOOST_AUTO_TEST_CASE(retryable_statuses_are_408_409_429_and_5xx) {
  for (unsigned s = 100; s < 600; ++s) {
    const bool expected = s == 408 || s == 409 || s == 429 || s >= 500;
    BOOST_TEST_INFO("status " << s);
    BOOST_TEST(d::is_retryable_status(s) == expected);
  }
}

BOOST_AUTO_TEST_CASE(connection_errors_and_timeouts_are_retried_others_not) {
  const ha::retry_policy policy;
  BOOST_TEST(d::decide_retry(policy, 0, failure(ha::errc::connection), 0.5).retry);
  BOOST_TEST(d::decide_retry(policy, 0, failure(ha::errc::timeout), 0.5).retry);
  for (auto e : {ha::errc::tls, ha::errc::decode, ha::errc::body_too_large, ha::errc::cancelled,
                 ha::errc::invalid_argument}) {
    BOOST_TEST_INFO("errc " << static_cast<int>(e));
    BOOST_TEST(!d::decide_retry(policy, 0, failure(e), 0.5).retry);
  }
  BOOST_TEST(!d::decide_retry(policy, 0, status(404), 0.5).retry);
  BOOST_TEST(!d::decide_retry(policy, 0, status(401), 0.5).retry);
  BOOST_TEST(!d::decide_retry(policy, 0, status(422), 0.5).retry);
  BOOST_TEST(d::decide_retry(policy, 0, status(503), 0.5).retry);
}

BOOST_AUTO_TEST_CASE(retries_stop_at_max_retries) {
  ha::retry_policy policy;
  BOOST_TEST(d::decide_retry(policy, 1, status(500), 0.5).retry);
  BOOST_TEST(!d::decide_retry(policy, 2, status(500), 0.5).retry);
  policy.max_retries = 0;
  BOOST_TEST(!d::decide_retry(policy, 0, status(500), 0.5).retry);
}

BOOST_AUTO_TEST_CASE(backoff_doubles_from_half_a_second_to_8_seconds_with_jitter) {
  const ha::retry_policy policy;
  const long long ceilings[] = {500, 1000, 2000, 4000, 8000, 8000, 8000};
  for (int retry = 1; retry <= 7; ++retry) {
    const long long ceiling = ceilings[retry - 1];
    BOOST_TEST_INFO("retry " << retry);
    BOOST_TEST(d::backoff_delay(policy, retry, 0.0).count() == ceiling / 2);
    BOOST_TEST(d::backoff_delay(policy, retry, 0.999999).count() >= ceiling - 1);
    BOOST_TEST(d::backoff_delay(policy, retry, 0.999999).count() <= ceiling);
  }
  BOOST_TEST(d::backoff_delay(policy, 1000, 1.0).count() == 8000);  // no overflow
  BOOST_TEST(d::decide_retry(policy, 2 - 1, status(502), 0.0).delay.count() == 500);
}

BOOST_AUTO_TEST_CASE(retry_after_in_seconds_or_http_date) {
  BOOST_TEST(d::parse_retry_after("3", now)->count() == 3000);
  BOOST_TEST(d::parse_retry_after(" 0 ", now)->count() == 0);
  BOOST_TEST(d::parse_retry_after("Sat, 28 Nov 2026 12:00:05 GMT", now)->count() == 5000);
  BOOST_TEST(d::parse_retry_after("Sat, 28 Nov 2026 11:00:00 GMT", now)->count() == 0);  // past: now
  // Far waits are bounded, without overflowing a clock: at most a day.
  for (const char* far : {"99999999999", "Fri, 31 Dec 9999 23:59:59 GMT"})
    BOOST_TEST(d::parse_retry_after(far, now)->count() == d::longest_server_wait.count(), far);
  for (const char* bad : {"", "-1", "soon", "1.5", "Sat, 28 Nov 2026 12:00:05 UTC", "Sat, 31 Feb 2026 12:00:05 GMT"}) {
    BOOST_TEST_INFO("value \"" << bad << "\"");
    BOOST_TEST(!d::parse_retry_after(bad, now).has_value());
  }
}

BOOST_AUTO_TEST_CASE(the_server_wait_wins_over_backoff_and_one_beyond_the_cap_ends_the_call_at_once) {
  ha::retry_policy policy;
  BOOST_TEST(d::decide_retry(policy, 0, status(429, "2"), 0.5).delay.count() == 2000);
  BOOST_TEST(d::decide_retry(policy, 0, status(503, "7"), 0.5).delay.count() == 7000);
  BOOST_TEST(d::decide_retry(policy, 0, status(429, "60"), 0.5).retry);  // the cap itself is waited
  // Waiting the cap and trying anyway would only ask again too early.
  const auto too_long = d::decide_retry(policy, 0, status(429, "86400"), 0.5);
  BOOST_TEST(!too_long.retry);
  BOOST_TEST(too_long.server_wait->count() == 86'400'000);
  BOOST_TEST(d::decide_retry(policy, 0, status(503, "nonsense"), 0.0).delay.count() == 250);  // backoff
  BOOST_TEST(!d::decide_retry(policy, 0, status(503, "nonsense"), 0.0).server_wait.has_value());
}

BOOST_AUTO_TEST_CASE(ratelimit_reset_in_either_form_counts_on_a_429_without_retry_after) {
  const ha::retry_policy policy;
  const auto reset_in_4s = std::to_string(duration_cast<seconds>(now.time_since_epoch()).count() + 4);
  BOOST_TEST(d::decide_retry(policy, 0, status(429, {}, reset_in_4s), 0.5).delay.count() == 4000);
  BOOST_TEST(d::decide_retry(policy, 0, status(429, {}, "3"), 0.5).delay.count() == 3000);  // seconds from now
  BOOST_TEST(d::decide_retry(policy, 0, status(429, "1", reset_in_4s), 0.5).delay.count() == 1000);
  BOOST_TEST(d::decide_retry(policy, 0, status(503, {}, reset_in_4s), 0.0).delay.count() == 250);
  BOOST_TEST(d::decide_retry(policy, 0, status(429, {}, "tomorrow"), 0.0).delay.count() == 250);
}

BOOST_AUTO_TEST_CASE(only_a_reused_connection_that_failed_before_any_response_is_resent_at_once) {
  for (const bool reused : {false, true})
    for (const bool before_response : {false, true})
      for (const auto e : {ha::errc::connection, ha::errc::timeout, ha::errc::tls, ha::errc::cancelled}) {
        BOOST_TEST_INFO("reused " << reused << ", before response " << before_response << ", errc " << int(e));
        const bool expected = reused && before_response && e == ha::errc::connection;
        BOOST_TEST(d::resend_on_fresh_connection(reused, before_response, make_error_code(e)) == expected);
      }
}

BOOST_AUTO_TEST_CASE(the_retry_budget_stops_retries_when_most_attempts_fail_and_successes_restore_it) {
  d::retry_budget budget({.max_tokens = 10, .refill_per_success = 0.1});
  for (int i = 0; i < 4; ++i) budget.failed();
  BOOST_TEST(budget.may_retry());  // 6 of 10 left
  budget.failed();
  BOOST_TEST(!budget.may_retry());  // half the bucket: no more retries
  for (int i = 0; i < 100; ++i) budget.failed();
  BOOST_TEST(budget.tokens() == 0.0);
  for (int i = 0; i < 50; ++i) budget.succeeded();
  BOOST_TEST(!budget.may_retry());  // 5 tokens: still half
  for (int i = 0; i < 11; ++i) budget.succeeded();
  BOOST_TEST(budget.may_retry());
  for (int i = 0; i < 1000; ++i) budget.succeeded();
  BOOST_TEST(budget.tokens() == 10.0);
  d::retry_budget off({.max_tokens = 0});
  for (int i = 0; i < 100; ++i) off.failed();
  BOOST_TEST(off.may_retry());
}

BOOST_AUTO_TEST_SUITE_END()
