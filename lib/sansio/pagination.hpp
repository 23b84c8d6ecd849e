#pragma once
// Where a walk goes after a page, free of I/O: every end rule of api/SPEC.md in one place,
// and the checks that keep a hostile `pagination` object from sending a walk backwards,
// past the end of int64, or to a page it did not ask for.

#include <humm/analyst/models.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace humm::analyst::detail {

/// What a page says about the walk, read once when the page arrives.
struct continuation {
  std::int64_t runs = 0;              ///< runs received
  bool last = false;                  ///< no page after this one
  std::int64_t next_offset = 0;       ///< where the next page starts (when not last)
  std::optional<std::int64_t> total;  ///< the history's length, when the server tells it
  /// Why the page cannot be used, naming the JSON path ("pagination.total: ..."); empty when
  /// it can. A page with a problem is never handed out: the walk fails at its offset.
  std::string problem;
};

/// After the page answered for `offset` and `limit_sent`. The first rule that applies wins:
/// an empty page ends; `has_more` decides when present; then `offset + runs >= total`;
/// otherwise a page shorter than the limit (the one echoed by the server, else the one
/// sent) ends. The next page starts after the runs received, or at `next_offset` when the
/// server gives one, so a server that silently returns fewer runs loses none.
///
/// Recognised keys whose value is not a number (or, for has_more, not a boolean) are ignored,
/// as unknown keys are. A number that is negative, not an integer, beyond int64, or that
/// contradicts the request (an echoed `offset` other than the one asked for, a `next_offset`
/// that does not advance) is a problem, and so is a next offset that cannot be represented.
continuation continue_after(std::int64_t offset, std::int64_t limit_sent, const schedule_history& page);

}  // namespace humm::analyst::detail
