#pragma once
// The walks of a batch with a journal (batch --state): several schedules at a time, each
// one's runs held until it ends, then appended to the output in one piece and committed.

#include "checkpoint_files.hpp"
#include "command_context.hpp"
#include "resume_plan.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <optional>
#include <set>
#include <string>

namespace humm_history {

/// What the walks of one invocation need; the files are open and cut back to the journal.
struct checkpointed_job {
  const batch_plan& plan;
  journal_file& journal;
  output_file& output;
  output_format format = output_format::ndjson;  ///< ndjson or csv
  std::string state_path{};
  std::string organization{};
  std::int64_t page_size = 100;
  std::optional<std::chrono::milliseconds> deadline{};
  std::size_t concurrency = 16;
  std::set<std::string> unrecorded{};  ///< schedules of the generation with no record yet
  bool ended = false;                  ///< the journal marked the generation finished before
};

/// Walks `job.plan.walks` and commits each finished schedule; the exit code, the worst of the
/// walks' (worst_exit_code): 0; 1 when a schedule failed in a way worth retrying, one failed
/// in an earlier run is left, or a file could not be written; 3 when a schedule failed for good
/// (a 404); 2 when the client refused an argument; and 130 or 143 when a signal stopped it,
/// whatever the others.
boost::asio::awaitable<int> walk_and_commit(command_context& ctx, checkpointed_job& job);

}  // namespace humm_history
