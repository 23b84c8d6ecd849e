#pragma once
// Reading the values of HTTP header fields, free of I/O: optional white space trimmed, counts
// (delay-seconds, rate-limit numbers) as non-negative integers, and the waits a server asks
// for, bounded. One place, for the response reader, the retry decision and the rate-limit
// fields alike.

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace humm::analyst::detail {

/// Without the optional white space (spaces and tabs) around it (RFC 9110 §5.6.3).
inline std::string_view trim_ows(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

/// Digits only (after trimming), as a number; nullopt for anything else or beyond int64.
inline std::optional<std::int64_t> parse_count(std::string_view text) {
  text = trim_ows(text);
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

/// The longest wait a server's word is taken for: anything longer counts as this. Far past
/// any max_retry_after, and it keeps clock arithmetic from overflowing (Retry-After:
/// 99999999999, a reset in the year 9999).
inline constexpr std::chrono::milliseconds longest_server_wait = std::chrono::hours{24};

/// `seconds` of waiting, bounded.
inline std::chrono::milliseconds server_wait(std::int64_t seconds) {
  return std::chrono::milliseconds{std::min<std::int64_t>(seconds, longest_server_wait.count() / 1000) * 1000};
}

/// The wait until the Unix time `unix_seconds`, bounded: none for a time past, counted in
/// whole milliseconds without converting a far time to the clock's nanoseconds.
inline std::chrono::milliseconds server_wait_until(std::int64_t unix_seconds, std::chrono::system_clock::time_point now) {
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::int64_t limit_s = now_ms / 1000 + longest_server_wait.count() / 1000 + 1;
  const std::int64_t wait_ms = std::min(unix_seconds, limit_s) * 1000 - now_ms;
  return std::clamp(std::chrono::milliseconds{wait_ms}, std::chrono::milliseconds{0}, longest_server_wait);
}

}  // namespace humm::analyst::detail
