// Rate limits (sansio/rate_limit): every form of the fields servers send, and the pacing
// the whole client follows from them, without sockets or clocks.

#include "sansio/field_values.hpp"
#include "sansio/rate_limit.hpp"

#include <boost/test/unit_test.hpp>

namespace d = humm::analyst::detail;
using namespace std::chrono;

namespace {
const system_clock::time_point wall = sys_days{year{2026} / November / 30} + hours{12};
const d::rate_pacer::clock::time_point t0{hours{1000}};

d::rate_limit_reading said(std::int64_t limit, std::int64_t remaining, seconds reset) {
  return {limit, remaining, duration_cast<milliseconds>(reset)};
}
}  // namespace

BOOST_AUTO_TEST_SUITE(rate_limit)

BOOST_AUTO_TEST_CASE(a_reset_is_seconds_from_now_or_a_unix_time_above_ten_to_the_ninth) {
  BOOST_TEST(d::parse_reset("30", wall)->count() == 30'000);
  BOOST_TEST(d::parse_reset(" 0 ", wall)->count() == 0);
  const auto unix_seconds = duration_cast<seconds>(wall.time_since_epoch()).count() + 7;
  BOOST_TEST(d::parse_reset(std::to_string(unix_seconds), wall)->count() == 7'000);
  BOOST_TEST(d::parse_reset(std::to_string(unix_seconds - 100), wall)->count() == 0);  // past: at once
  for (const char* bad : {"", "soon", "-3", "1.5"}) BOOST_TEST(!d::parse_reset(bad, wall).has_value(), bad);
  // A hostile server's far reset is a long wait, not an overflow: at most a day.
  for (const char* far : {"99999999999999", "253402300799", "999999999"})
    BOOST_TEST(d::parse_reset(far, wall)->count() == d::longest_server_wait.count(), far);
}

BOOST_AUTO_TEST_CASE(the_x_ratelimit_fields_and_both_ietf_drafts_are_read) {
  const auto x = d::read_rate_limit({.limit = "10", .remaining = "4", .reset = "3"}, wall);
  BOOST_TEST(*x.limit == 10);
  BOOST_TEST(*x.remaining == 4);
  BOOST_TEST(x.reset_after->count() == 3000);

  const auto combined = d::read_rate_limit({.combined = "limit=100, remaining=50, reset=5"}, wall);
  BOOST_TEST(*combined.limit == 100);
  BOOST_TEST(*combined.remaining == 50);
  BOOST_TEST(combined.reset_after->count() == 5000);

  const auto structured =
      d::read_rate_limit({.combined = R"("default";r=7;t=2)", .policy = R"("default";q=10;w=1)"}, wall);
  BOOST_TEST(*structured.limit == 10);
  BOOST_TEST(*structured.remaining == 7);
  BOOST_TEST(structured.reset_after->count() == 2000);

  BOOST_TEST(*d::read_rate_limit({.policy = "10;w=1"}, wall).limit == 10);
  BOOST_TEST(d::read_rate_limit({}, wall).empty());
  BOOST_TEST(d::read_rate_limit({.limit = "ten", .remaining = "-1", .reset = "later"}, wall).empty());
}

BOOST_AUTO_TEST_CASE(one_request_at_a_time_until_the_first_answer_then_all_at_once_when_no_limit_is_stated) {
  d::rate_pacer pacer;
  BOOST_TEST((pacer.next_start(t0) == t0));
  pacer.started(t0);
  BOOST_TEST((pacer.next_start(t0) > t0));  // the first answer has not come
  BOOST_TEST((pacer.next_start(t0 + seconds{1}) == t0 + seconds{1}));  // nor will soon: go
  pacer.answered(200, {}, std::nullopt, t0 + milliseconds{3});
  for (int i = 0; i < 100; ++i) {
    BOOST_TEST((pacer.next_start(t0) == t0));
    pacer.started(t0);
  }
}

BOOST_AUTO_TEST_CASE(the_allowance_less_the_requests_in_flight_is_spent_then_requests_wait_for_the_reset) {
  d::rate_pacer pacer;
  pacer.started(t0);
  pacer.answered(200, said(10, 2, seconds{1}), std::nullopt, t0);
  BOOST_TEST((pacer.next_start(t0) == t0));
  pacer.started(t0);
  BOOST_TEST((pacer.next_start(t0) == t0));
  pacer.started(t0);  // two in flight, two left: the next waits
  BOOST_TEST((pacer.next_start(t0) == t0 + seconds{1}));
  pacer.answered(200, said(10, 1, seconds{1}), std::nullopt, t0 + milliseconds{10});
  BOOST_TEST((pacer.next_start(t0 + milliseconds{10}) == t0 + milliseconds{1010}));
  // At the reset the limit is back.
  pacer.started(t0 + seconds{2});  // one of the earlier two is still in flight: 2 of 10
  for (int i = 0; i < 7; ++i) pacer.started(t0 + seconds{2});
  BOOST_TEST((pacer.next_start(t0 + seconds{2}) == t0 + seconds{2}));
  pacer.started(t0 + seconds{2});  // 10 in flight: wait to hear from them
  BOOST_TEST((pacer.next_start(t0 + seconds{2}) > t0 + seconds{2}));
}

BOOST_AUTO_TEST_CASE(a_spent_allowance_with_no_reset_known_waits_for_the_answers_in_flight) {
  d::rate_pacer pacer;
  pacer.started(t0);
  pacer.answered(200, {.limit = 2, .remaining = 1}, std::nullopt, t0);
  pacer.started(t0);
  BOOST_TEST((pacer.next_start(t0) > t0));  // one left, one in flight: wait to hear
  pacer.answered(200, {.limit = 2, .remaining = 5}, std::nullopt, t0);
  BOOST_TEST((pacer.next_start(t0) == t0));
  pacer.answered(200, {.limit = 2, .remaining = 0}, std::nullopt, t0);
  BOOST_TEST((pacer.next_start(t0) == t0));  // nothing in flight will tell more: go
}

BOOST_AUTO_TEST_CASE(an_answer_that_overtook_a_later_one_does_not_raise_the_allowance) {
  d::rate_pacer pacer;
  pacer.started(t0);
  pacer.started(t0);
  pacer.answered(200, said(10, 0, seconds{1}), std::nullopt, t0);
  pacer.answered(200, said(10, 1, seconds{1}), std::nullopt, t0 + milliseconds{5});  // sent earlier, came later
  BOOST_TEST((pacer.next_start(t0 + milliseconds{5}) > t0 + milliseconds{5}));
  // A reset well after the current one is a new window: its allowance counts.
  pacer.answered(200, said(10, 9, seconds{5}), std::nullopt, t0 + milliseconds{5});
  BOOST_TEST((pacer.next_start(t0 + milliseconds{5}) == t0 + milliseconds{5}));
}

BOOST_AUTO_TEST_CASE(a_429_pauses_every_request_until_its_retry_after) {
  d::rate_pacer pacer;
  pacer.started(t0);
  pacer.answered(429, {}, milliseconds{2500}, t0);
  BOOST_TEST(pacer.too_many_requests() == 1u);
  BOOST_TEST((pacer.next_start(t0) == t0 + milliseconds{2500}));
  BOOST_TEST((pacer.next_start(t0 + seconds{3}) == t0 + seconds{3}));
  // Without Retry-After, the reset; without either, a second.
  pacer.answered(429, said(10, 0, seconds{4}), std::nullopt, t0 + seconds{3});
  BOOST_TEST((pacer.next_start(t0 + seconds{3}) == t0 + seconds{7}));
  pacer.answered(429, {}, std::nullopt, t0 + seconds{10});
  BOOST_TEST((pacer.next_start(t0 + seconds{10}) == t0 + seconds{11}));
}

BOOST_AUTO_TEST_CASE(after_a_429_that_told_no_reset_requests_flow_again_once_its_pause_is_over) {
  d::rate_pacer pacer;
  pacer.started(t0);
  pacer.answered(429, {}, seconds{1}, t0);  // Retry-After only: no limit, no reset
  BOOST_TEST((pacer.next_start(t0) == t0 + seconds{1}));
  pacer.started(t0 + seconds{1});
  BOOST_TEST((pacer.next_start(t0 + seconds{1}) == t0 + seconds{1}));  // not one at a time for good
}

BOOST_AUTO_TEST_CASE(the_servers_hold_leaves_out_the_clients_own_spacing) {
  d::rate_pacer pacer(0.01);  // one request every 100 s
  pacer.started(t0);
  pacer.answered(200, {}, std::nullopt, t0);
  BOOST_TEST((pacer.next_start(t0) == t0 + seconds{100}));
  BOOST_TEST((pacer.server_hold(t0) == t0));
  pacer.answered(429, {}, seconds{30}, t0);
  BOOST_TEST((pacer.server_hold(t0) == t0 + seconds{30}));
}

BOOST_AUTO_TEST_CASE(a_requests_per_second_bucket_spaces_requests_evenly) {
  d::rate_pacer pacer(10);
  auto now = t0;
  for (int i = 0; i < 5; ++i) {
    const auto at = pacer.next_start(now);
    BOOST_TEST((at == t0 + milliseconds{100} * i));
    pacer.started(at);
    now = at;
  }
  pacer.answered(200, {}, std::nullopt, now);
  // A quiet spell earns no burst beyond the next slot.
  BOOST_TEST((pacer.next_start(t0 + seconds{10}) == t0 + seconds{10}));
}

BOOST_AUTO_TEST_SUITE_END()
