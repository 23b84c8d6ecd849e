#pragma once
// The flags of `batch` that make it resumable and incremental: --output, --state,
// --retry-failed, --since, --incremental and --overlap; how they combine, and the batch with
// a journal (--state) from its journal to its exit code.

#include "options.hpp"

#include <humm/analyst/timestamp.hpp>

#include <CLI/App.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace humm_history {

/// Long enough to re-read runs that were still running (they can run for hours) or
/// triggered but not started when the last batch saw them, and a nightly job's own delays:
/// about one day of runs more per schedule, a page or two.
inline constexpr std::chrono::hours default_overlap{24};

struct checkpoint_settings {
  std::string output;                  ///< --output FILE; "" for standard output
  std::string state;                   ///< --state FILE; "" without a journal
  std::optional<std::string> since{};  ///< --since, as given
  bool incremental = false;
  std::optional<std::string> overlap{};  ///< --overlap, as given
  bool retry_failed = false;
  // From the above, by check_checkpoint_settings:
  std::optional<humm::analyst::timestamp> since_time{};
  std::chrono::seconds overlap_time{default_overlap};
};

void add_checkpoint_options(CLI::App& sub, checkpoint_settings& settings);

/// Checks how the flags combine and reads the times; false after printing why (exit 2).
/// With --output and no --format, the format is NDJSON (a file is no terminal).
bool check_checkpoint_settings(checkpoint_settings& settings, output_settings& output, const std::string& schedules_file);

/// Without --state: --output FILE becomes standard output (created or truncated). False after
/// printing why (exit 2).
bool redirect_output(const checkpoint_settings& settings);

/// What a batch walks, whatever its files.
struct batch_walk_settings {
  std::string organization{};
  std::size_t concurrency = 16;
  std::int64_t page_size = 100;
  std::optional<std::chrono::milliseconds> deadline{};
};

/// A batch with --state: reads and locks the journal, decides what to walk (refusing a
/// journal of other arguments), walks and commits. The exit code.
int run_checkpointed_batch(const checkpoint_settings& settings, const batch_walk_settings& walk,
                           std::vector<std::string> ids, const connection_settings& connection,
                           const output_settings& output);

}  // namespace humm_history
