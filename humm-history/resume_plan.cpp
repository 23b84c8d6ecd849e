// The decision of a `batch --state` invocation (resume_plan.hpp): the journal's generation
// and the arguments in, what to walk (or why not) out.

#include "resume_plan.hpp"

namespace humm_history {

namespace ha = humm::analyst;

namespace {

std::string or_none(const std::string& text) { return text.empty() ? "none" : text; }

// The first argument that differs from the journal's, as the user writes it; "" when none.
std::string difference(const batch_identity& recorded, const batch_identity& asked) {
  const auto differs = [](const std::string& flag, const std::string& was, const std::string& is) {
    return flag + " " + is + " (the journal's: " + was + ")";
  };
  if (recorded.organization != asked.organization) return differs("--org", recorded.organization, asked.organization);
  // Another server's runs in one output, or its schedule offsets resumed here: refused. An
  // older journal records none, and resumes as before.
  if (!recorded.base_url.empty() && recorded.base_url != asked.base_url)
    return differs("--base-url", recorded.base_url, asked.base_url);
  if (recorded.schedules != asked.schedules || recorded.schedule_count != asked.schedule_count)
    return "the list of schedules: " +
           (recorded.schedule_count == asked.schedule_count
                ? std::string("other ids than the journal's")
                : std::to_string(asked.schedule_count) + " ids, the journal's has " + std::to_string(recorded.schedule_count)) +
           " (another --schedules-file or --shard)";
  if (recorded.format != asked.format) return differs("--format", recorded.format, asked.format);
  if (recorded.output != asked.output) return differs("--output", recorded.output, asked.output);
  if (recorded.since != asked.since) return differs("--since", or_none(recorded.since), or_none(asked.since));
  if (recorded.incremental != asked.incremental)
    return recorded.incremental ? "no --incremental (the journal's batch has it)" : "--incremental (the journal's batch has none)";
  if (recorded.overlap_s != asked.overlap_s)
    return differs("--overlap", std::to_string(recorded.overlap_s) + "s", std::to_string(asked.overlap_s) + "s");
  return {};
}

// The newest run walked of each schedule, carried into the next generation. A schedule whose
// walk did not complete in this one keeps what it had before: the next walk then goes back
// as far as this one did, and covers the gap the failure left.
std::map<std::string, ha::timestamp> carried(const journal_state& journal) {
  std::map<std::string, ha::timestamp> synced = journal.synced;
  for (const auto& [id, record] : journal.records) {
    if (record.failed || !record.newest) continue;
    auto [it, added] = synced.emplace(id, *record.newest);
    if (!added) it->second = std::max(it->second, *record.newest);
  }
  return synced;
}

batch_plan begin_generation(std::uint64_t generation, std::map<std::string, ha::timestamp> synced,
                            const batch_request& request) {
  batch_plan plan;
  plan.new_generation = true;
  plan.header = {.generation = generation, .identity = request.identity, .since_time = request.since_time};
  plan.synced = std::move(synced);
  for (const std::string& id : request.ids)
    plan.walks.push_back({.schedule_id = id, .since = walk_since(plan.header, plan.synced, id)});
  return plan;
}

batch_plan refuse(std::string message) {
  batch_plan plan;
  plan.what = batch_plan::action::refuse;
  plan.message = std::move(message);
  return plan;
}

std::size_t count_failed(const journal_state& journal) {
  std::size_t failed = 0;
  for (const auto& [id, record] : journal.records) failed += record.failed;
  return failed;
}

}  // namespace

std::optional<ha::timestamp> walk_since(const journal_header& header, const std::map<std::string, ha::timestamp>& synced,
                                        const std::string& schedule_id) {
  std::optional<ha::timestamp> since = header.since_time;
  const auto newest = synced.find(schedule_id);
  if (header.identity.incremental && newest != synced.end()) {
    const ha::timestamp from = newest->second - std::chrono::seconds(header.identity.overlap_s);
    since = since ? std::max(*since, from) : from;
  }
  return since;
}

batch_plan plan_batch(const std::optional<journal_state>& journal, const batch_request& request) {
  const std::string& state = request.state_path;
  if (!journal) {
    if (request.retry_failed) return refuse("--retry-failed: " + state + " holds no journal: nothing to retry");
    return begin_generation(1, {}, request);
  }
  const journal_state& j = *journal;
  const batch_identity& recorded = j.header.identity;
  // A finished generation and --incremental: the next one, walking back only to what is new.
  // It may write another output file or walk another list; the newest runs are per schedule.
  if (j.ended && request.identity.incremental && !request.retry_failed) {
    if (recorded.organization != request.identity.organization)
      return refuse(state + " follows the schedules of --org " + recorded.organization + ", not " +
                    request.identity.organization + "; use another --state file");
    if (!recorded.base_url.empty() && recorded.base_url != request.identity.base_url)
      return refuse(state + " follows the schedules of --base-url " + recorded.base_url + ", not " +
                    request.identity.base_url + "; use another --state file");
    return begin_generation(j.header.generation + 1, carried(j), request);
  }
  if (const std::string diff = difference(recorded, request.identity); !diff.empty())
    return refuse(state + " records another batch: " + diff +
                  "; give the journal's arguments to resume it, or use another --state file");

  batch_plan plan;
  plan.header = j.header;
  plan.failed_left = count_failed(j);
  // A rerun retries what failed: a job runner (Kubernetes, Slurm) that retries a failed shard
  // runs the same command again, and must be able to recover it after an outage. The exit code
  // then comes from the walks' live errors, so a permanent one (404) exits 3 and stops retries.
  const bool retry_failed = request.retry_failed || (j.ended && plan.failed_left > 0);
  for (const std::string& id : request.ids) {
    const auto record = j.records.find(id);
    if (retry_failed ? record == j.records.end() || !record->second.failed : record != j.records.end())
      continue;
    planned_walk walk{.schedule_id = id, .since = walk_since(j.header, j.synced, id)};
    if (record != j.records.end()) {  // a failed walk, retried where it stopped
      const schedule_record& failed = record->second;
      walk.start_offset = failed.resume_offset;
      walk.newest = failed.newest;
      walk.committed_oldest = failed.oldest;
      walk.committed_oldest_ids = failed.oldest_ids;
      --plan.failed_left;
    }
    plan.walks.push_back(std::move(walk));
  }
  const std::string walked = "the batch in " + state + " walked all its " + std::to_string(recorded.schedule_count) +
                             " schedules (generation " + std::to_string(j.header.generation) + ")";
  if (request.retry_failed && plan.walks.empty()) {
    plan.what = batch_plan::action::nothing_left;
    plan.message = "nothing to retry: no schedule failed in " + state;
  } else if (!retry_failed && j.ended) {
    plan.what = batch_plan::action::nothing_left;
    plan.message = "nothing left to do: " + walked + "; --incremental fetches what is new";
  }
  return plan;
}

}  // namespace humm_history
