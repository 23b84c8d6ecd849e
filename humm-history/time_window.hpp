#pragma once
// The times of `batch --since` and `--overlap`: an RFC 3339 date-time, or a duration back
// from now such as 24h. Pure (the caller passes "now"), so that tests need no clock.

#include <humm/analyst/timestamp.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace humm_history {

/// The longest duration taken: 1,000 years of 365 days.
inline constexpr std::chrono::seconds max_duration{std::int64_t{365'000} * 86400};

/// `N` followed by s, m, h or d (`90s`, `30m`, `24h`, `7d`), N a whole number up to
/// max_duration; nullopt otherwise.
std::optional<std::chrono::seconds> parse_duration(std::string_view text);

/// --since: an RFC 3339 date-time (the library's parser), or a duration counted back from
/// `now`, not before year 0. On failure, nullopt and `why` names the flag and says what it expects.
std::optional<humm::analyst::timestamp> parse_since(std::string_view text, humm::analyst::timestamp now,
                                                    std::string& why);

}  // namespace humm_history
