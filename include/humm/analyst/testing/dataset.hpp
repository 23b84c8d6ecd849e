#pragma once
// A deterministic, seeded data set of schedules and runs with realistic values of every
// field (all statuses, nulls, e-mail addresses, unicode summaries), for tests, the demo
// and benchmarks. The same seed gives the same data on every machine.

#include <humm/analyst/models.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace humm::analyst::testing {

/// One schedule with its whole history, newest run first (the API's order).
struct schedule_data {
  command_schedule schedule;
  std::string command_name;
  std::vector<command_run> runs;
};

/// A schedule of `organization` with `run_count` runs; `seed` picks every value.
schedule_data make_schedule_data(std::uint64_t seed, std::size_t run_count, const uuid& organization);

/// A run of `schedule` created at `created_at`; `seed` picks the other values.
command_run make_run(std::uint64_t seed, const command_schedule& schedule, timestamp created_at);

/// The page [offset, offset + limit) of `data` with `{"total", "limit", "offset"}` pagination.
schedule_history make_page(const schedule_data& data, std::size_t offset, std::size_t limit);

/// A UUID derived from a seed, for ids that must be stable across runs.
uuid make_uuid(std::uint64_t seed);

}  // namespace humm::analyst::testing
