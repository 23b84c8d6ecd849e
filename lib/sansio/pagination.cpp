#include "sansio/pagination.hpp"

namespace humm::analyst::detail {

continuation continue_after(std::int64_t offset, std::int64_t limit_sent, const schedule_history& page) {
  const auto received = static_cast<std::int64_t>(page.runs.size());
  const pagination& p = page.pagination;
  continuation c;
  c.total = p.total();
  c.next_offset = offset + received;
  if (const auto next = p.next_offset(); next && *next > offset) c.next_offset = *next;

  if (received == 0) {
    c.last = true;
  } else if (const auto more = p.has_more()) {
    c.last = !*more;
  } else if (c.total) {
    c.last = offset + received >= *c.total;
  } else {
    const std::int64_t limit = p.limit().value_or(limit_sent);
    c.last = received < limit;
  }
  return c;
}

}  // namespace humm::analyst::detail
