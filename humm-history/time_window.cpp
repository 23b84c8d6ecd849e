// --since and --overlap values: RFC 3339 date-times and durations back from now (time_window.hpp).

#include "time_window.hpp"

#include <charconv>
#include <cstdint>

namespace humm_history {

namespace ha = humm::analyst;

std::optional<std::chrono::seconds> parse_duration(std::string_view text) {
  if (text.size() < 2) return std::nullopt;
  std::int64_t unit = 0;
  switch (text.back()) {
    case 's': unit = 1; break;
    case 'm': unit = 60; break;
    case 'h': unit = 3600; break;
    case 'd': unit = 86400; break;
    default: return std::nullopt;
  }
  const std::string_view digits = text.substr(0, text.size() - 1);
  std::int64_t count = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), count);
  // Up to 1,000 years (of 365 days): longer is a typo, and "now minus it" stays far inside the
  // clock's range and after year 0, which RFC 3339 times cannot go before.
  if (ec != std::errc{} || end != digits.data() + digits.size() || count < 0 || count > max_duration.count() / unit)
    return std::nullopt;
  return std::chrono::seconds(count * unit);
}

std::optional<ha::timestamp> parse_since(std::string_view text, ha::timestamp now, std::string& why) {
  if (const auto back = parse_duration(text)) {
    // A time before year 0 has no RFC 3339 form: the journal and the requests could not say it.
    const ha::timestamp year_0 = std::chrono::sys_days(std::chrono::year(0) / 1 / 1);
    if (now - year_0 >= *back) return now - *back;
    why = "--since: " + std::string(text) + " back from now is before year 0";
    return std::nullopt;
  }
  if (const auto at = ha::parse_timestamp(text)) return at;
  why = "--since: expected an RFC 3339 date-time (2026-11-01T06:00:00Z) or a duration back from now "
        "(90s, 30m, 24h, 7d), got \"" + std::string(text.substr(0, 60)) + "\"";
  return std::nullopt;
}

}  // namespace humm_history
