#pragma once
// The text of time and UUID values, written into a caller's buffer: format_timestamp and
// format_uuid return it as a string, and the DOM-free writer (encode.hpp) copies it straight
// into its output. One formatter each, so that the two outputs cannot differ.

#include <humm/analyst/timestamp.hpp>
#include <humm/analyst/uuid.hpp>

#include <cstddef>

namespace humm::analyst::detail {

/// `2023-11-07T05:31:56.123456Z`, the longest text write_timestamp gives.
inline constexpr std::size_t max_timestamp_chars = 27;
/// `3c90c3cc-0d44-4b50-8888-8dd25736052a`.
inline constexpr std::size_t uuid_chars = 36;

/// Writes format_timestamp(t) at `out` (room for max_timestamp_chars); returns its end.
char* write_timestamp(char* out, timestamp t) noexcept;

/// Writes the canonical lowercase form of `id` at `out` (room for uuid_chars); returns its end.
char* write_uuid(char* out, const uuid& id) noexcept;

}  // namespace humm::analyst::detail
