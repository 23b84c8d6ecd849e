// Reading rate-limit fields and pacing on them (rate_limit.hpp).

#include "sansio/rate_limit.hpp"

#include "sansio/field_values.hpp"

#include <algorithm>

namespace humm::analyst::detail {

using namespace std::chrono;

namespace {

// The value of `key` in a list of `key=value` items separated by `,` or `;` (both IETF forms:
// `limit=10, remaining=4, reset=3` and `"default";r=4;t=3`); empty when absent.
std::string_view item(std::string_view list, std::string_view key) {
  while (!list.empty()) {
    const auto end = list.find_first_of(",;");
    const std::string_view entry = trim_ows(list.substr(0, end));
    list = end == std::string_view::npos ? std::string_view{} : list.substr(end + 1);
    const auto equals = entry.find('=');
    if (equals != std::string_view::npos && trim_ows(entry.substr(0, equals)) == key) return entry.substr(equals + 1);
  }
  return {};
}

// The first of the values that is present.
std::string_view first_of(std::string_view a, std::string_view b) { return a.empty() ? b : a; }

}  // namespace

std::optional<milliseconds> parse_reset(std::string_view value, system_clock::time_point now) {
  const auto number = parse_count(value);
  if (!number) return std::nullopt;
  return *number <= unix_time_threshold ? server_wait(*number) : server_wait_until(*number, now);
}

rate_limit_reading read_rate_limit(const rate_limit_fields& fields, system_clock::time_point now) {
  rate_limit_reading r;
  r.limit = parse_count(first_of(fields.limit, first_of(item(fields.combined, "limit"), item(fields.policy, "q"))));
  if (!r.limit) {  // RateLimit-Policy's older form: the quota first, `10;w=1`
    const std::string_view policy = fields.policy.substr(0, fields.policy.find_first_of(",;"));
    r.limit = parse_count(policy);
  }
  r.remaining = parse_count(first_of(fields.remaining, first_of(item(fields.combined, "remaining"), item(fields.combined, "r"))));
  const std::string_view reset = first_of(fields.reset, first_of(item(fields.combined, "reset"), item(fields.combined, "t")));
  if (!reset.empty()) r.reset_after = parse_reset(reset, now);
  return r;
}

rate_pacer::rate_pacer(double max_requests_per_second) {
  if (max_requests_per_second > 0)
    spacing_ = duration_cast<clock::duration>(duration<double>(1.0 / max_requests_per_second));
}

rate_pacer::clock::time_point rate_pacer::next_start(clock::time_point now) const {
  clock::time_point at = std::max(now, paused_until_);
  if (spacing_ > clock::duration::zero()) at = std::max(at, next_slot_);
  // Requests in flight will tell more: until the first answer says whether the server
  // states a limit, and once a known allowance (less what is on its way) is spent with no
  // reset known, wait for them. With none in flight nothing will tell: go, and let the
  // answer (a 429 at worst) say.
  const bool spent = remaining_ && *remaining_ - static_cast<std::int64_t>(in_flight_) <= 0;
  const bool first_on_its_way = !answered_once_ && first_started_ && now < *first_started_ + first_answer_patience;
  if (spent && reset_at_ && at < *reset_at_)
    at = *reset_at_;
  else if ((first_on_its_way || (spent && !reset_at_)) && in_flight_ > 0)
    at = std::max(at, now + answer_poll);
  return at;
}

rate_pacer::clock::time_point rate_pacer::server_hold(clock::time_point now) const {
  clock::time_point until = std::max(now, paused_until_);
  if (reset_at_ && remaining_ && *remaining_ - static_cast<std::int64_t>(in_flight_) <= 0)
    until = std::max(until, *reset_at_);
  return until;
}

void rate_pacer::started(clock::time_point now) {
  ++in_flight_;
  if (!first_started_) first_started_ = now;
  if (spacing_ > clock::duration::zero()) next_slot_ = std::max(now, next_slot_) + spacing_;
  if (reset_at_ && now >= *reset_at_) {  // a new window: the limit again, or nothing known
    remaining_ = limit_;
    reset_at_.reset();
  }
}

void rate_pacer::abandoned() {
  if (in_flight_ > 0) --in_flight_;
}

void rate_pacer::answered(unsigned status, const rate_limit_reading& reading, std::optional<milliseconds> retry_after,
                          clock::time_point now) {
  abandoned();
  answered_once_ = true;
  if (!reading.empty()) last_ = reading;
  if (reading.limit) limit_ = reading.limit;
  if (reading.remaining) {
    const std::optional<clock::time_point> reset_at =
        reading.reset_after ? std::optional(now + *reading.reset_after) : std::nullopt;
    // Answers overtake one another: within one window the lowest allowance is the latest.
    // Reset times in whole seconds differ by up to one between answers of the same window.
    const bool same_window = reset_at && reset_at_ && *reset_at < *reset_at_ + seconds{1};
    remaining_ = same_window && remaining_ ? std::min(*remaining_, *reading.remaining) : *reading.remaining;
    if (reset_at) reset_at_ = same_window ? std::max(*reset_at_, *reset_at) : *reset_at;
  }
  if (status == 429) {
    ++too_many_requests_;
    // Every request of the client waits, not only the one that was refused.
    const milliseconds pause = retry_after ? *retry_after : reading.reset_after ? *reading.reset_after : seconds{1};
    paused_until_ = std::max(paused_until_, now + pause);
    // Spent until the pause ends at least, so that the allowance comes back with it even
    // when the 429 told no reset.
    remaining_ = 0;
    reset_at_ = std::max(reset_at_.value_or(now), now + pause);
  }
}

}  // namespace humm::analyst::detail
