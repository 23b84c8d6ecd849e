#pragma once
// Where a walk goes after a page, free of I/O: every rule that ends a walk in one place. The
// API does not document `pagination`, so each plausible form of it is read (continue_after).

#include <humm/analyst/models.hpp>

#include <cstdint>
#include <optional>

namespace humm::analyst::detail {

struct continuation {
  bool last = false;                  ///< no page after this one
  std::int64_t next_offset = 0;       ///< where the next page starts (when not last)
  std::optional<std::int64_t> total;  ///< the history's length, when the server tells it
};

/// After the page answered for `offset` and `limit_sent`. The first rule that applies wins:
/// an empty page ends; `has_more` decides when present; then `offset + runs >= total`;
/// otherwise a page shorter than the limit (the one echoed by the server, else the one
/// sent) ends. The next page starts after the runs received (or at `next_offset`, when the
/// server gives one that advances), so a server that silently returns fewer runs loses none.
continuation continue_after(std::int64_t offset, std::int64_t limit_sent, const schedule_history& page);

}  // namespace humm::analyst::detail
