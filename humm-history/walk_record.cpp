// A schedule walk's record for the journal, and the runs a retried walk leaves out (walk_record.hpp).

#include "walk_record.hpp"

#include <humm/analyst/uuid.hpp>


namespace humm_history {

namespace ha = humm::analyst;

walk_record::walk_record(const planned_walk& walk)
    : schedule_id_(walk.schedule_id),
      written_oldest_(walk.committed_oldest),
      newest_(walk.newest),
      oldest_(walk.committed_oldest) {
  for (const std::string& text : walk.committed_oldest_ids)
    if (const auto id = ha::parse_uuid(text)) {
      written_oldest_ids_.insert(*id);
      oldest_ids_.push_back(*id);
    }
}

bool walk_record::admit(const ha::command_run& run) {
  const auto& at = run.created_at;
  // Newest first: what the failed walk wrote is at or after its oldest run. A run without a
  // created_at cannot be placed, and is written rather than lost.
  if (written_oldest_ && at &&
      (*at > *written_oldest_ || (*at == *written_oldest_ && written_oldest_ids_.contains(run.id)))) {
    ++left_out_;
    return false;
  }
  ++runs_;
  if (!at) return true;
  if (!newest_ || *at > *newest_) newest_ = at;
  // No search for the id among those kept (quadratic when many runs share one created_at): the
  // library's ledger hands out each run once per walk, and a run the failed walk before wrote
  // was left out above. Only the last max_oldest_ids are kept: a retry sees again only the runs
  // that new runs pushed past its resume offset, the last ones written, so those are the ones
  // to know (a burst of more new runs than that at the very same time may repeat some).
  if (!oldest_ || *at < *oldest_) {
    oldest_ = at;
    oldest_ids_.assign(1, run.id);
  } else if (*at == *oldest_) {
    oldest_ids_.push_back(run.id);
    if (oldest_ids_.size() > max_oldest_ids) oldest_ids_.pop_front();
  }
  return true;
}

schedule_record walk_record::done() const {
  return {.failed = false, .schedule_id = schedule_id_, .runs = runs_, .newest = newest_};
}

schedule_record walk_record::failed(std::string error, std::int64_t resume_offset) const {
  schedule_record record{.failed = true, .schedule_id = schedule_id_, .runs = runs_, .newest = newest_};
  record.resume_offset = resume_offset;
  record.error = std::move(error);
  record.oldest = oldest_;
  for (const ha::uuid& id : oldest_ids_) record.oldest_ids.push_back(ha::format_uuid(id));
  return record;
}

}  // namespace humm_history
