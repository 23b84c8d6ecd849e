// The rules of walk_plan.hpp.

#include "sansio/walk_plan.hpp"

#include <algorithm>
#include <limits>

namespace humm::analyst::detail {

walk_plan::walk_plan(walk_limits limits) : limits_(limits), next_hand_out_(limits.start_offset) {}

walk_step walk_plan::next_step(bool consumer_waiting) {
  if (!started_) {
    if (!consumer_waiting) return {walk_step::wait};
    started_ = true;
    pending_.insert(next_hand_out_);
  }
  for (;;) {
    if (!to_cancel_.empty()) {
      const std::int64_t offset = to_cancel_.back();
      to_cancel_.pop_back();
      return {walk_step::cancel, offset};
    }
    if (!consumer_waiting) break;
    if (failure_) return {walk_step::fail, 0, *failure_};
    if (end_ && next_hand_out_ >= *end_) return {walk_step::done};

    if (auto it = slots_.find(next_hand_out_); it != slots_.end()) {
      slot& s = it->second;
      if (s.state == slot::failed) {
        fail_walk(s.code, s.message);
        continue;  // cancels first, then the failure
      }
      if (s.state == slot::answered) {
        if (older_than_handed_out(s)) {
          slots_.erase(it);  // fetch it again: see older_than_handed_out
          pending_.insert(next_hand_out_);
        } else {
          const std::int64_t offset = next_hand_out_;
          const continuation& c = s.page;
          last_handed_out_sequence_ = s.sequence;
          if (c.total) handed_out_total_ = std::max(handed_out_total_.value_or(0), *c.total);
          next_hand_out_ = c.last ? offset + c.runs : c.next_offset;
          const bool last = c.last;
          slots_.erase(it);
          if (last) end_at(next_hand_out_);
          drop_before(next_hand_out_);
          return {walk_step::hand_out, offset};
        }
      }
    }
    break;
  }
  if (const auto offset = next_request()) {
    slots_[*offset];
    ++in_flight_;
    highest_requested_ = std::max(highest_requested_.value_or(*offset), *offset);
    return {walk_step::request, *offset};
  }
  return {walk_step::wait};
}

bool walk_plan::answered(std::int64_t offset, const continuation& page) {
  if (in_flight_ > 0) --in_flight_;
  if (unwanted_.erase(offset)) {
    std::erase(to_cancel_, offset);  // too late to cancel: it is over
    return false;
  }
  const auto it = slots_.find(offset);
  if (it == slots_.end() || it->second.state != slot::waiting) return false;
  slot& s = it->second;
  s.sequence = ++answers_;
  if (!page.problem.empty()) {
    s.state = slot::failed;
    s.code = make_error_code(errc::bad_pagination);
    s.message = "the page at offset " + std::to_string(offset) + " cannot be followed: " + page.problem;
    return false;
  }
  s.state = slot::answered;
  s.page = page;
  // The total grows while new runs are created: the largest seen bounds the fan-out; only a
  // last page ends the walk.
  if (page.total) total_ = std::max(total_.value_or(0), *page.total);
  if (page.last) {
    end_at(offset + page.runs);
  } else {
    if (stride_ == 0) stride_ = page.runs;
    if (!slots_.count(page.next_offset) && page.next_offset >= next_hand_out_) pending_.insert(page.next_offset);
  }
  return slots_.count(offset) == 1;  // a last page may have ended the walk before it
}

void walk_plan::failed(std::int64_t offset, std::error_code code, std::string message) {
  if (in_flight_ > 0) --in_flight_;
  if (unwanted_.erase(offset)) {
    std::erase(to_cancel_, offset);
    return;
  }
  const auto it = slots_.find(offset);
  if (it == slots_.end() || it->second.state != slot::waiting) return;
  it->second.state = slot::failed;
  it->second.code = code;
  it->second.message = std::move(message);
  it->second.sequence = ++answers_;
}

void walk_plan::cancel() {
  if (failure_) return;
  if (end_ && next_hand_out_ >= *end_) {  // finished: only requests beyond the end may remain
    while (!slots_.empty()) drop(slots_.begin());
    return;
  }
  fail_walk(make_error_code(errc::cancelled), "the walk was cancelled");
}

bool walk_plan::handed_out(std::int64_t offset, std::size_t new_runs, std::size_t repeated_runs) {
  if (new_runs > 0 || repeated_runs == 0) {
    stalled_pages_ = 0;
    return new_runs > 0;
  }
  if (stalled_pages_++ == 0) first_stalled_offset_ = offset;
  if (stalled_pages_ > stalled_pages_allowed)
    fail_walk(make_error_code(errc::repeated_page),
              "the server's pages stopped bringing new runs: the pages from offset " +
                  std::to_string(first_stalled_offset_) + " to " + std::to_string(offset) +
                  " held only runs handed out before");
  return false;
}

void walk_plan::fail_walk(std::error_code code, std::string message) {
  failure_ = walk_failure{code, std::move(message), next_hand_out_};
  pending_.clear();
  while (!slots_.empty()) drop(slots_.begin());
}

void walk_plan::drop(std::map<std::int64_t, slot>::iterator it) {
  if (it->second.state == slot::waiting) {
    unwanted_.insert(it->first);
    to_cancel_.push_back(it->first);
  }
  slots_.erase(it);
}

// Pages requested at a stride that turned out wrong (a short page in the middle) are never
// handed out: dropped, they do not hold the window.
void walk_plan::drop_before(std::int64_t offset) {
  pending_.erase(pending_.begin(), pending_.lower_bound(offset));
  while (!slots_.empty() && slots_.begin()->first < offset) drop(slots_.begin());
}

void walk_plan::end_at(std::int64_t offset) {
  end_ = std::min(end_.value_or(offset), offset);
  pending_.erase(pending_.lower_bound(*end_), pending_.end());
  for (auto it = slots_.lower_bound(*end_); it != slots_.end();) drop(it++);
}

std::optional<std::int64_t> walk_plan::next_request() {
  if (failure_ || (end_ && next_hand_out_ >= *end_)) return std::nullopt;
  const std::size_t max_in_flight = std::max<std::size_t>(1, limits_.max_in_flight);
  const std::size_t window = std::max<std::size_t>({1, limits_.prefetch, max_in_flight});
  constexpr std::int64_t largest = std::numeric_limits<std::int64_t>::max();
  while (slots_.size() < window && in_flight_ < max_in_flight) {
    std::int64_t offset;
    if (!pending_.empty()) {
      offset = *pending_.begin();
      pending_.erase(pending_.begin());
    } else if (total_ && stride_ > 0) {
      // Fan-out: the offsets ahead at the stride, up to the total (and the end, once known).
      if (highest_requested_ && *highest_requested_ > largest - stride_) return std::nullopt;
      offset = std::max(highest_requested_ ? *highest_requested_ + stride_ : next_hand_out_, next_hand_out_);
      if (offset >= std::min(end_.value_or(largest), *total_)) return std::nullopt;
      highest_requested_ = offset;  // advances even when the offset is skipped below
    } else {
      return std::nullopt;
    }
    if ((end_ && offset >= *end_) || offset < next_hand_out_ || slots_.count(offset) || unwanted_.count(offset))
      continue;
    return offset;
  }
  return std::nullopt;
}

// Pages fetched in parallel can be answered out of order. A page answered before new runs
// were created, handed out after a lower page answered after them, would skip the runs the
// creation pushed across the boundary between the two: it was answered before the page
// handed out last, and its smaller total gives it away. (A page fetched again is answered
// later, so a shrinking history cannot make this loop.)
bool walk_plan::older_than_handed_out(const slot& s) const {
  return s.sequence < last_handed_out_sequence_ && s.page.total && handed_out_total_ &&
         *s.page.total < *handed_out_total_;
}

}  // namespace humm::analyst::detail
