#pragma once
// Text helpers of the output formats: terminal widths of UTF-8 text, shortening that never
// cuts a character in two, CSV quoting, and times for people.

#include <humm/analyst/timestamp.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace humm_history {

/// A line of the tool's own on stderr: "humm-history: " and `text` as one printable line
/// (humm::analyst::printable), since messages quote what others wrote: the server, a
/// schedules file, an argument. Every such line goes through here.
std::string message_line(std::string_view text);

/// Columns `text` takes on a terminal: East Asian wide characters and emoji take two,
/// combining marks none. Bytes that are not UTF-8 count one column each.
std::size_t display_width(std::string_view text);

/// `text` made safe for a terminal line: each run of control characters (line breaks, tabs,
/// escapes) becomes one space, and bytes that are not UTF-8 become U+FFFD.
std::string one_line(std::string_view text);

/// `text` on one line (control characters, tabs and line breaks become spaces) and at most
/// `width` columns wide: a longer text ends in "…" and is cut between characters only.
std::string fit(std::string_view text, std::size_t width);

/// `text` padded with spaces to `width` columns, on the right (left-aligned) or left.
std::string pad(std::string_view text, std::size_t width, bool align_right = false);


/// `2026-10-31 14:03:12`: UTC, to the second, as tables show times.
std::string format_utc(humm::analyst::timestamp t);

/// A duration for people: `850ms`, `42s`, `4m 05s`, `2h 07m`, `3d 04h`.
std::string format_duration(std::chrono::microseconds d);

/// FNV-1a, 64 bits: a hash every language computes the same way, for --shard.
std::uint64_t fnv1a_64(std::string_view bytes);

}  // namespace humm_history
