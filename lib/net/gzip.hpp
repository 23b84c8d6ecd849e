#pragma once
// gzip bodies, free of I/O. Inflation is bounded: a small body that would inflate past the
// limit (a "zip bomb") stops at the limit instead of exhausting memory. Nothing is dropped:
// concatenated members are all inflated (RFC 1952 §2.2), and bytes after the last member
// that are not another member make the body corrupt.

#include "net/memory_budget.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace humm::analyst::detail {

enum class inflate_status { ok, too_large, over_budget, trailing_bytes, corrupt };

/// Inflates the gzip members of `compressed` into `out`, writing at most `max_bytes`; the
/// output buffer's growth is charged to `share` when given.
inflate_status gunzip(std::string_view compressed, std::size_t max_bytes, std::string& out,
                      budget_share* share = nullptr);

/// Compresses into a gzip member (used by the fake server and tests).
std::string gzip(std::string_view plain);

}  // namespace humm::analyst::detail
