#pragma once
// What one schedule's walk commits to the journal: its runs counted, the newest created_at
// (where the next --incremental walk may stop) and the oldest with the ids that have it
// (what a failed walk already wrote). A retried walk leaves out the runs its failed walk
// wrote: new runs push them past the resume offset. Pure.

#include "journal.hpp"
#include "resume_plan.hpp"

#include <humm/analyst/models.hpp>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <set>
#include <string>

namespace humm_history {

/// The most ids a failed record keeps of the runs at its oldest created_at (see admit()).
inline constexpr std::size_t max_oldest_ids = 1000;

class walk_record {
 public:
  explicit walk_record(const planned_walk& walk);

  /// Whether `run` goes to the output: false for a run the failed walk before this one wrote
  /// (created after its oldest run, or at that time with one of its ids).
  bool admit(const humm::analyst::command_run& run);

  std::uint64_t runs() const { return runs_; }          ///< admitted
  std::uint64_t left_out() const { return left_out_; }  ///< written by the failed walk before

  /// The journal's record of the walk; output_length is the caller's to set.
  schedule_record done() const;
  schedule_record failed(std::string error, std::int64_t resume_offset) const;

 private:
  std::string schedule_id_;
  std::optional<humm::analyst::timestamp> written_oldest_;   // by the failed walk retried
  std::set<humm::analyst::uuid> written_oldest_ids_;
  std::optional<humm::analyst::timestamp> newest_, oldest_;  // of everything written, before and now
  std::deque<humm::analyst::uuid> oldest_ids_;               // the last max_oldest_ids written at oldest_
  std::uint64_t runs_ = 0, left_out_ = 0;
};

}  // namespace humm_history
