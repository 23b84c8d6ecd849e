#pragma once
// Date-times of the API: RFC 3339 text on the wire, a UTC time point in memory.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace humm::analyst {

/// A UTC instant with microsecond precision, the precision of the API's Python back end.
/// Fractional digits past the sixth are truncated when parsing.
using timestamp = std::chrono::sys_time<std::chrono::microseconds>;

/// Parses RFC 3339 / ISO 8601: `2023-11-07T05:31:56Z`, with `Z`, a numeric offset
/// (`+00:00`, `-05:30`, `+0530`) or none (read as UTC), `T`, `t` or a space between date
/// and time, and 0 to 9 fractional digits. On failure returns nullopt and, if `why` is
/// given, sets it to a short reason ("month out of range").
std::optional<timestamp> parse_timestamp(std::string_view text, std::string_view* why = nullptr);

/// Formats as `YYYY-MM-DDTHH:MM:SSZ`, with six fractional digits when there is a fraction.
std::string format_timestamp(timestamp t);

}  // namespace humm::analyst
