#include "sansio/retry.hpp"

#include "sansio/field_values.hpp"

#include <humm/analyst/error.hpp>

#include <algorithm>
#include <array>
#include <cmath>

namespace humm::analyst::detail {

using namespace std::chrono;

bool is_retryable_status(unsigned status) noexcept {
  return status == 408 || status == 409 || status == 429 || (status >= 500 && status <= 599);
}

bool is_retryable_error(const std::error_code& error, unsigned proxy_status) noexcept {
  return error == errc::connection || error == errc::timeout ||
         (error == errc::proxy && is_retryable_proxy_status(proxy_status));
}

bool is_retryable_proxy_status(unsigned status) noexcept { return status == 502 || status == 503 || status == 504; }

bool resend_on_fresh_connection(bool connection_was_reused, bool failed_before_response,
                                const std::error_code& error) noexcept {
  return connection_was_reused && failed_before_response && error == errc::connection;
}

namespace {

// IMF-fixdate, the HTTP date form servers send: "Sun, 06 Nov 1994 08:49:37 GMT", as Unix
// seconds (in seconds, so that the year 9999 does not overflow a clock in nanoseconds).
std::optional<std::int64_t> parse_http_date(std::string_view text) {
  static constexpr std::array<std::string_view, 12> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (text.size() != 29 || text[3] != ',' || text.substr(25) != " GMT") return std::nullopt;
  const auto d = parse_count(text.substr(5, 2)), y = parse_count(text.substr(12, 4)),
             h = parse_count(text.substr(17, 2)), mi = parse_count(text.substr(20, 2)),
             s = parse_count(text.substr(23, 2));
  if (!d || !y || !h || !mi || !s || text[19] != ':' || text[22] != ':') return std::nullopt;
  const auto month_it = std::find(months.begin(), months.end(), text.substr(8, 3));
  if (month_it == months.end()) return std::nullopt;
  const year_month_day date{year{static_cast<int>(*y)}, month{static_cast<unsigned>(month_it - months.begin() + 1)},
                            day{static_cast<unsigned>(*d)}};
  if (!date.ok() || *h > 23 || *mi > 59 || *s > 60) return std::nullopt;
  return (sys_seconds{sys_days{date}} + hours{*h} + minutes{*mi} + seconds{*s}).time_since_epoch().count();
}

}  // namespace

std::optional<milliseconds> parse_retry_after(std::string_view value, system_clock::time_point now) {
  if (const auto secs = parse_count(value)) return server_wait(*secs);
  if (const auto when = parse_http_date(value)) return server_wait_until(*when, now);
  return std::nullopt;
}

milliseconds backoff_delay(const retry_policy& policy, int retry, double jitter) noexcept {
  const int doublings = std::clamp(retry - 1, 0, 30);
  const double ceiling = std::min(static_cast<double>(policy.max_backoff.count()),
                                  static_cast<double>(policy.initial_backoff.count()) * std::ldexp(1.0, doublings));
  // Equal jitter: half of the delay is fixed, so waits grow as documented; half is random,
  // so that many clients retrying together spread out.
  return milliseconds{static_cast<long long>(ceiling * (0.5 + 0.5 * std::clamp(jitter, 0.0, 1.0)))};
}

retry_decision decide_retry(const retry_policy& policy, int retries_done, const attempt_outcome& outcome,
                            double jitter) {
  const bool retryable =
      outcome.error ? is_retryable_error(outcome.error, outcome.proxy_status) : is_retryable_status(outcome.status);
  if (!retryable || retries_done >= policy.max_retries) return {};

  std::optional<milliseconds> server_says = outcome.retry_after;
  if (!server_says && outcome.status == 429) server_says = outcome.reset_after;
  if (server_says) return {*server_says <= policy.max_retry_after, *server_says, server_says};
  return {true, backoff_delay(policy, retries_done + 1, jitter), std::nullopt};
}

retry_budget::retry_budget(const retry_budget_options& options)
    : enabled_(options.max_tokens > 0),
      max_tokens_(options.max_tokens),
      refill_(std::max(0.0, options.refill_per_success)),
      tokens_(options.max_tokens) {}

void retry_budget::failed() noexcept { tokens_ = std::max(0.0, tokens_ - 1); }

void retry_budget::succeeded() noexcept { tokens_ = std::min(max_tokens_, tokens_ + refill_); }

}  // namespace humm::analyst::detail
