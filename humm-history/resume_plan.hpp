#pragma once
// What a `batch --state` invocation does, decided from its journal and its arguments alone:
// begin a generation, resume one, retry its failed schedules (--retry-failed, or the same
// command again once the generation has ended), or refuse. Pure, so that every
// case is a unit test; batch_checkpoint.cpp carries the decision out.

#include "journal.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace humm_history {

/// The invocation's arguments, as they bear on the journal.
struct batch_request {
  batch_identity identity{};
  std::vector<std::string> ids{};  ///< the schedules of this job, in list order
  std::optional<humm::analyst::timestamp> since_time{};  ///< --since, resolved now
  bool retry_failed = false;
  std::string state_path{};  ///< for messages
};

/// One schedule to walk now.
struct planned_walk {
  std::string schedule_id{};
  std::int64_t start_offset = 0;
  std::optional<humm::analyst::timestamp> since{};
  /// From a failed record that is retried: what it committed, carried into the next record
  /// (runs already committed are left out if new runs shifted the pages).
  std::optional<humm::analyst::timestamp> newest{};
  std::optional<humm::analyst::timestamp> committed_oldest{};
  std::vector<std::string> committed_oldest_ids{};
};

struct batch_plan {
  enum class action {
    walk,          ///< walk `walks`, then commit
    nothing_left,  ///< the generation is finished, nothing failed: `message` says so (exit 0)
    refuse,        ///< exit 2 with `message`: the journal belongs to another batch
  };
  action what = action::walk;
  std::string message{};
  /// A new generation: the journal is replaced by `header` and `synced`, the output emptied.
  bool new_generation = false;
  journal_header header{};
  std::map<std::string, humm::analyst::timestamp> synced{};
  std::vector<planned_walk> walks{};
  std::size_t failed_left = 0;  ///< failed schedules recorded and not walked now
};

/// The decision. `journal` is nullopt when there is none yet (or it is empty).
batch_plan plan_batch(const std::optional<journal_state>& journal, const batch_request& request);

/// Where a schedule's walk may stop in a generation: the later of --since and, with
/// --incremental, the newest run walked before less the overlap.
std::optional<humm::analyst::timestamp> walk_since(const journal_header& header,
                                                   const std::map<std::string, humm::analyst::timestamp>& synced,
                                                   const std::string& schedule_id);

}  // namespace humm_history
