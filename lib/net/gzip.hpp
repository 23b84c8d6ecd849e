#pragma once
// gzip bodies, free of I/O. Inflation is bounded: a small body that would inflate past the
// limit (a "zip bomb") stops at the limit instead of exhausting memory.

#include <cstddef>
#include <string>
#include <string_view>

namespace humm::analyst::detail {

enum class inflate_status { ok, too_large, corrupt };

/// Inflates a gzip member into `out`, writing at most `max_bytes`.
inflate_status gunzip(std::string_view compressed, std::size_t max_bytes, std::string& out);

/// Compresses into a gzip member (used by the fake server and tests).
std::string gzip(std::string_view plain);

}  // namespace humm::analyst::detail
