#pragma once
// What a stress run does, drawn from one seed: the lengths of the schedules' histories, the
// jobs (walks, calls, batches) with the way each is to end, and the server's faults. The
// same seed gives the same plan; the threads' timing still differs from run to run.

#include <humm/analyst/walk_schedules.hpp>
#include <humm/analyst/testing/fake_server.hpp>

#include <chrono>
#include <cstdint>
#include <ostream>
#include <random>
#include <string>
#include <vector>

namespace humm_stress {

namespace ha = humm::analyst;

struct stress_config {
  std::uint64_t seed;
  std::size_t threads;        // running the io_context; the client is never single_threaded
  std::size_t jobs;           // walks and calls; batches come on top
  std::size_t lanes;          // jobs under way at once: each lane runs its share one after another
  std::size_t batches;        // walk_schedules over every schedule; every other one cancelled if users cancel
  bool users_cancel;          // a third of the jobs cancelled, a third abandoned; else all run to the end
  std::chrono::seconds limit; // the watchdog's: far above the run's time, even under TSan
};

enum class job_kind { run_walk, page_walk, call, batch };
enum class ending { run_to_end, signal_cancel, timer_race, abandon };

struct job {
  job_kind kind = job_kind::run_walk;
  std::size_t schedule = 0;  // index into the data set
  ha::walk_options walk;     // for a call: page_size is its limit and start_offset its offset
  ending end = ending::run_to_end;
  std::size_t steps_before = 0;  // pages or runs (a batch's runs) handed out before cancelling or abandoning
  std::chrono::microseconds cancel_delay{0};
  bool awaitable_call = false;  // a call through get_schedule_history rather than the completion-token API
};

inline std::ostream& operator<<(std::ostream& out, const job& j) {
  static constexpr const char* kinds[] = {"run walk", "page walk", "call", "batch"};
  static constexpr const char* endings[] = {"to the end", "signal after", "timer race after", "abandon after"};
  out << kinds[static_cast<int>(j.kind)] << (j.awaitable_call ? " (awaited)" : "");
  if (j.kind == job_kind::batch) out << " of every schedule";
  else out << " of schedule " << j.schedule;
  out << ", " << endings[static_cast<int>(j.end)];
  if (j.end != ending::run_to_end) out << ' ' << j.steps_before << " steps";
  if (j.end == ending::signal_cancel || j.end == ending::timer_race) out << " + " << j.cancel_delay.count() << " us";
  return out << "; page_size " << j.walk.page_size << ", start_offset " << j.walk.start_offset << ", prefetch "
             << j.walk.prefetch << ", max_in_flight " << j.walk.max_in_flight << ", max_retries "
             << j.walk.call.max_retries.value_or(-1);
}

class stress_plan {
 public:
  explicit stress_plan(const stress_config& config) : config_(config), random_(config.seed) {}

  /// The lengths of `count` histories: an empty one, then up to 320 runs (32 pages of 10).
  std::vector<std::size_t> history_lengths(std::size_t count) {
    std::vector<std::size_t> lengths{0};
    while (lengths.size() < count) lengths.push_back(random_() % 321);
    return lengths;
  }

  /// The jobs of each lane, over schedules of the given history lengths (job::schedule
  /// indexes them). Batches walk every schedule and one the server does not know.
  std::vector<std::vector<job>> lanes(const std::vector<std::size_t>& lengths, const std::string& organization) {
    std::vector<std::vector<job>> lanes(config_.lanes);
    for (std::size_t b = 0; b < config_.batches; ++b) {
      job j;
      j.kind = job_kind::batch;
      j.walk = random_walk_options(25, organization);
      j.end = b % 2 == 0 && config_.users_cancel ? ending::signal_cancel : ending::run_to_end;
      j.steps_before = 200 + random_() % 400;
      j.cancel_delay = std::chrono::microseconds(random_() % 2000);
      lanes[b % lanes.size()].push_back(j);
      planned_ += lengths.size() + 1;
    }
    for (std::size_t i = 0; i < config_.jobs; ++i) lanes[i % lanes.size()].push_back(make_job(lengths, organization));
    planned_ += config_.jobs;
    return lanes;
  }

  /// The walks and calls the lanes start, each schedule of a batch counted.
  std::size_t planned() const { return planned_; }

  /// Misbehaviour for about `requests` requests: plain answers mostly, with slow ones, 503s,
  /// connections dropped before and during a response and undecodable bodies among them.
  std::vector<ha::testing::fault> faults(std::size_t requests) {
    std::vector<ha::testing::fault> script;
    for (std::size_t covered = 0; covered < requests; covered += script.back().times) {
      ha::testing::fault& f = script.emplace_back();
      const auto pick = random_() % 100;
      if (pick < 55) {
        f.times = 1 + random_() % 6;
      } else if (pick < 67) {
        f.delay = std::chrono::milliseconds(2 + random_() % 25);
      } else if (pick < 80) {
        f.status = 503;
        f.times = 1 + random_() % 2;
      } else if (pick < 88) {
        f.close_before_response = true;
      } else if (pick < 96) {
        f.close_mid_body = true;
      } else {
        f.malformed_json = true;
      }
    }
    return script;
  }

 private:
  job make_job(const std::vector<std::size_t>& lengths, const std::string& organization) {
    static constexpr std::int64_t page_sizes[] = {10, 25, 50, 100};
    job j;
    const auto kind = random_() % 20;
    j.kind = kind < 8 ? job_kind::run_walk : kind < 15 ? job_kind::page_walk : job_kind::call;
    j.schedule = random_() % lengths.size();
    j.walk = random_walk_options(page_sizes[random_() % 4], organization);
    const std::size_t runs = lengths[j.schedule];
    if (runs > 0 && random_() % 4 == 0) j.walk.start_offset = static_cast<std::int64_t>(random_() % runs);
    if (!config_.users_cancel) return j;
    const auto end = random_() % 6;  // a third each: to the end, cancelled, abandoned
    if (j.kind == job_kind::call) {  // a call cannot be abandoned; an awaited one races a timer
      j.end = end < 3 ? ending::run_to_end : end < 5 ? ending::signal_cancel : ending::timer_race;
      j.awaitable_call = j.end == ending::timer_race || (j.end == ending::run_to_end && end == 0);
    } else {
      j.end = end < 2 ? ending::run_to_end : end == 2 ? ending::signal_cancel : end == 3 ? ending::timer_race : ending::abandon;
    }
    const std::size_t unit = j.kind == job_kind::run_walk ? static_cast<std::size_t>(j.walk.page_size) : 1;
    j.steps_before = (j.end == ending::abandon ? 1 : 0) + random_() % (3 * unit);
    j.cancel_delay = std::chrono::microseconds(random_() % 3000);
    return j;
  }

  ha::walk_options random_walk_options(std::int64_t page_size, const std::string& organization) {
    ha::walk_options o;
    o.organization_id = organization;
    o.page_size = page_size;
    o.prefetch = 1 + random_() % 3;
    o.max_in_flight = 2 + random_() % 3;  // parallel pages: a failed one cancels those beside it
    o.call.max_retries = static_cast<int>(random_() % 3);
    return o;
  }

  const stress_config config_;
  std::mt19937_64 random_;
  std::size_t planned_ = 0;
};

}  // namespace humm_stress
