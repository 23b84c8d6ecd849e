#pragma once
// The times of `batch --since` and `--overlap`: an RFC 3339 date-time, or a duration back
// from now such as 24h. Pure (the caller passes "now"), so that tests need no clock.

#include <humm/analyst/timestamp.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace humm_history {

/// `N` followed by s, m, h or d (`90s`, `30m`, `24h`, `7d`), N a whole number; nullopt otherwise.
std::optional<std::chrono::seconds> parse_duration(std::string_view text);

/// --since: an RFC 3339 date-time (the library's parser), or a duration counted back from
/// `now`. On failure, nullopt and `why` names the flag and says what it expects.
std::optional<humm::analyst::timestamp> parse_since(std::string_view text, humm::analyst::timestamp now,
                                                    std::string& why);

/// A duration for messages and the journal: the largest unit that divides it (`24h`, `90m`).
std::string format_duration_arg(std::chrono::seconds d);

}  // namespace humm_history
