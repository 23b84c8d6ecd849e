// Fuzz target: the walk's decisions (lib/sansio/walk_plan.hpp with the run ledger and
// continue_after) under arbitrary answers. The input's bytes choose the walk's limits, the
// order in which requests are answered, each answer (a failure, or runs with ids from a
// small pool so that they repeat, and a pagination object of any values, typed or not) and
// when the consumer cancels. Whatever they choose, the walk must end within a bound of
// requests and never hand out a run twice. The driver is the unit tests'
// (tests/walk_simulation.hpp); a broken rule aborts.

#include "../walk_simulation.hpp"

#include <fuzzer/FuzzedDataProvider.h>

#include <boost/json/value.hpp>

#include <cstdio>
#include <cstdlib>
#include <limits>
#include <set>

namespace sim = humm_test::walk_simulation;
namespace json = boost::json;

namespace {

constexpr std::uint64_t run_pool = 64;  // distinct run ids a server can send

[[noreturn]] void broken(const char* rule) {
  std::fprintf(stderr, "broken rule: %s\n", rule);
  std::abort();
}

// A pagination member's value: mostly numbers near `around`, sometimes anything.
json::value any_value(FuzzedDataProvider& in, std::int64_t around) {
  switch (in.ConsumeIntegralInRange<int>(0, 7)) {
    case 0: return in.ConsumeIntegral<std::int64_t>();
    case 1: return in.ConsumeBool();
    case 2: return nullptr;
    case 3: return in.ConsumeFloatingPoint<double>();
    case 4: return "12";
    case 5: return std::numeric_limits<std::uint64_t>::max() - in.ConsumeIntegral<std::uint8_t>();
    default: {
      const std::int64_t delta = in.ConsumeIntegralInRange<std::int64_t>(-3, 40);
      return around > std::numeric_limits<std::int64_t>::max() - 40 ? around : around + delta;
    }
  }
}

sim::answer any_answer(FuzzedDataProvider& in, std::int64_t offset) {
  sim::answer a;
  a.fails = in.ConsumeIntegralInRange<int>(0, 15) == 0;
  for (auto n = in.ConsumeIntegralInRange<int>(0, 12); n > 0; --n)
    a.runs.push_back(in.ConsumeIntegralInRange<std::uint64_t>(0, run_pool - 1));
  for (const char* key : {"has_more", "total", "next_offset", "limit", "offset"})
    if (in.ConsumeBool()) a.pagination[key] = any_value(in, offset);
  return a;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  sim::walk_setup setup;
  setup.start_offset = in.ConsumeBool() ? in.ConsumeIntegralInRange<std::int64_t>(0, 1000)
                                        : std::numeric_limits<std::int64_t>::max() - in.ConsumeIntegral<std::uint8_t>();
  setup.page_size = in.ConsumeIntegralInRange<std::int64_t>(1, 20);
  setup.prefetch = in.ConsumeIntegralInRange<std::size_t>(1, 4);
  setup.max_in_flight = in.ConsumeIntegralInRange<std::size_t>(1, 8);
  const std::size_t cancel_at = in.ConsumeIntegral<std::uint16_t>();  // mostly beyond the walk's end
  setup.cancel_before = [cancel_at](std::size_t step) { return step == cancel_at; };

  // Requests are bounded by the runs the walk could be given: every page handed out brings a
  // new one, or is one of at most stalled_pages_allowed in a row that bring none; between two
  // pages handed out, the window requests at most its size (refetches included).
  const std::size_t window = std::max(setup.prefetch, setup.max_in_flight);
  const std::size_t stall = humm::analyst::detail::walk_plan::stalled_pages_allowed;
  const std::size_t max_requests = ((stall + 1) * run_pool + 2) * (window + 1);
  setup.max_steps = 20 * max_requests;

  const sim::outcome out = sim::drive(
      setup, [&](std::int64_t offset) { return any_answer(in, offset); },
      {.pick = [&](std::size_t n) { return in.ConsumeIntegralInRange<std::size_t>(0, n - 1); },
       .require = [](bool holds, const char* rule) {
         if (!holds) broken(rule);
       }});

  if (!out.done && !out.failure) broken("the walk neither finished nor failed");
  if (std::set<std::uint64_t>(out.runs.begin(), out.runs.end()).size() != out.runs.size())
    broken("a run was handed out twice");
  if (out.requests > max_requests) broken("more requests than the runs given can justify");
  if (out.failure && out.failure->resume_offset < setup.start_offset) broken("a walk resumes before its start");
  return 0;
}
