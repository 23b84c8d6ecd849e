// The end rules and checks of pagination.hpp.

#include "sansio/pagination.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <limits>

namespace humm::analyst::detail {

namespace {

// A recognised count: absent (missing, or not a number), or a value, or a problem.
struct count_field {
  std::optional<std::int64_t> value;
  std::string problem;
};

count_field read_count(const pagination& p, std::string_view key) {
  count_field out;
  const boost::json::value* v = p.fields().if_contains(key);
  if (!v || !v->is_number()) return out;
  boost::json::error_code ec;
  const auto n = v->to_number<std::int64_t>(ec);
  if (ec)
    out.problem = "pagination." + std::string(key) + ": " + boost::json::serialize(*v) +
                  " is not an integer that fits in 64 bits";
  else if (n < 0)
    out.problem = "pagination." + std::string(key) + ": " + std::to_string(n) + " is negative";
  else
    out.value = n;
  return out;
}

}  // namespace

continuation continue_after(std::int64_t offset, std::int64_t limit_sent, const schedule_history& page) {
  continuation c;
  c.runs = static_cast<std::int64_t>(page.runs.size());
  const pagination& p = page.pagination;
  const count_field total = read_count(p, "total"), limit = read_count(p, "limit"), echoed = read_count(p, "offset"),
                    next = read_count(p, "next_offset");
  for (const count_field* f : {&total, &limit, &echoed, &next})
    if (!f->problem.empty()) {
      c.problem = f->problem;
      return c;
    }
  if (echoed.value && *echoed.value != offset) {
    c.problem = "pagination.offset: the server answered offset " + std::to_string(*echoed.value) +
                " to a request for offset " + std::to_string(offset);
    return c;
  }
  c.total = total.value;

  if (c.runs > std::numeric_limits<std::int64_t>::max() - offset) {
    c.problem = "runs: " + std::to_string(c.runs) + " runs at offset " + std::to_string(offset) +
                " go past the largest offset a walk can represent";
    return c;
  }
  c.next_offset = offset + c.runs;

  if (c.runs == 0) {
    c.last = true;
  } else if (const auto more = p.has_more()) {
    c.last = !*more;
  } else if (c.total) {
    c.last = offset + c.runs >= *c.total;
  } else {
    c.last = c.runs < limit.value.value_or(limit_sent);
  }
  // Where the next page starts matters only when there is one.
  if (next.value && !c.last) {
    if (*next.value <= offset) {
      c.problem = "pagination.next_offset: " + std::to_string(*next.value) + " does not advance past offset " +
                  std::to_string(offset);
      return c;
    }
    c.next_offset = *next.value;
  }
  return c;
}

}  // namespace humm::analyst::detail
