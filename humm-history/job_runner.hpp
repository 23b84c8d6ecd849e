#pragma once
// --shard auto: the shard a job runner gives this process, read from the variables it sets
// (a Kubernetes Indexed Job, a Slurm job array). The environment is a lookup passed in, so
// that every combination of variables is tested without touching the process's own.

#include "schedule_list.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace humm_history {

/// A variable's value, or nullopt when it is unset. An empty value is read as unset.
using environment_lookup = std::function<std::optional<std::string>(std::string_view name)>;

/// The process's own environment.
environment_lookup process_environment();

/// The shard that --shard's value names: "K/N" (parse_shard), or "auto":
/// - Kubernetes: K-1 = JOB_COMPLETION_INDEX (0-based), N = HUMM_SHARD_COUNT, which the Job's
///   manifest sets to its `completions`;
/// - Slurm: K-1 = (SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN) / SLURM_ARRAY_TASK_STEP (1 when
///   unset), N = SLURM_ARRAY_TASK_COUNT (HUMM_SHARD_COUNT, if set, must agree).
/// nullopt, with the reason in `why` (exit 2), for other text, no job runner, both runners'
/// variables, or a value that is malformed, conflicting or out of range; each reason names
/// the variables and their values. `found` says where an auto shard came from (for -v).
std::optional<shard> resolve_shard(std::string_view option, const environment_lookup& env, std::string& why,
                                   std::string& found);

}  // namespace humm_history
