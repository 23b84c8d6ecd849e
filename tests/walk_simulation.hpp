#pragma once
// A simulated driver of the walk's plan (lib/sansio/walk_plan.hpp), carrying out its steps as
// lib/walk_driver.cpp does, against a simulated server: shared by the plan's unit tests
// (tests/unit/walk_plan_test.cpp) and its fuzz target (tests/fuzz/walk_fuzz.cpp), which
// differ only in who chooses (a seeded generator, the fuzzer's bytes) and how a broken rule
// is reported (a Boost.Test failure, an abort).

#include "sansio/run_ledger.hpp"
#include "sansio/walk_plan.hpp"

#include <boost/json/object.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace humm_test::walk_simulation {

namespace ha = humm::analyst;
namespace d = humm::analyst::detail;

/// The id of simulated run `n`: distinct numbers, distinct ids.
inline ha::uuid run_id(std::uint64_t n) {
  ha::uuid id{};
  for (std::size_t b = 0; b < 8; ++b) id.data[b] = static_cast<std::uint8_t>(n >> (8 * b));
  id.data[15] = 1;  // never the nil uuid
  return id;
}

/// What the server says for one request: runs and pagination, or a failure.
struct answer {
  std::vector<std::uint64_t> runs;
  boost::json::object pagination;
  bool fails = false;
};

/// The simulated driver's record of one walk.
struct outcome {
  std::vector<std::uint64_t> runs;  // handed out, in order
  std::vector<std::int64_t> pages;  // offsets handed out, in order
  std::size_t requests = 0;
  std::size_t cancels = 0;
  std::optional<d::walk_failure> failure;
  bool done = false;
};

struct walk_setup {
  std::int64_t start_offset = 0;
  std::int64_t page_size = 10;
  std::size_t prefetch = 1;
  std::size_t max_in_flight = 1;
  std::uint32_t seed = 1;  // for the unit tests' generator
  std::size_t max_steps = 100'000;
  // Called once per step; returns true to cancel the walk before that step.
  std::function<bool(std::size_t step)> cancel_before = {};
};

/// Who decides and who judges.
struct simulation_hooks {
  /// Which of the `n` requests in flight is answered next (answers come in any order).
  std::function<std::size_t(std::size_t n)> pick;
  /// Called with every rule the driver checks; `holds` false is a broken rule.
  std::function<void(bool holds, const char* rule)> require;
};

/// Drives a plan to its end; `serve` answers a request when `hooks.pick` chooses it.
inline outcome drive(const walk_setup& setup, const std::function<answer(std::int64_t offset)>& serve,
                     const simulation_hooks& hooks) {
  d::walk_plan plan({setup.start_offset, setup.page_size, setup.prefetch, setup.max_in_flight});
  std::vector<std::int64_t> in_flight;
  std::set<std::int64_t> cancelled;
  std::map<std::int64_t, std::vector<std::uint64_t>> answered;
  d::run_ledger ledger;
  outcome out;
  const auto& require = hooks.require;
  auto start_request = [&](std::int64_t offset) {
    require(std::count(in_flight.begin(), in_flight.end(), offset) == 0, "a page is requested while in flight");
    in_flight.push_back(offset);
    ++out.requests;
    require(in_flight.size() <= std::max<std::size_t>(1, setup.max_in_flight), "more requests in flight than allowed");
  };
  auto cancel_request = [&](std::int64_t offset) {
    require(std::count(in_flight.begin(), in_flight.end(), offset) == 1, "a cancel for a request not in flight");
    cancelled.insert(offset);
    ++out.cancels;
  };
  // What the driver does while the consumer is busy: requests and cancellations only.
  auto keep_window_full = [&] {
    for (;;) {
      const d::walk_step step = plan.next_in_background();
      require(step.kind == d::walk_step::request || step.kind == d::walk_step::cancel ||
                  step.kind == d::walk_step::wait,
              "a background step other than request, cancel or wait");
      if (step.kind == d::walk_step::wait) return;
      if (step.kind == d::walk_step::request)
        start_request(step.offset);
      else
        cancel_request(step.offset);
    }
  };
  for (std::size_t step = 0;; ++step) {
    require(step < setup.max_steps, "the walk did not end within its steps");
    if (setup.cancel_before && setup.cancel_before(step)) {
      plan.cancel();
      keep_window_full();
    }
    const d::walk_step next = plan.next();
    switch (next.kind) {
      case d::walk_step::request: start_request(next.offset); break;
      case d::walk_step::cancel: cancel_request(next.offset); break;
      case d::walk_step::hand_out: {
        require(answered.count(next.offset) == 1, "a page handed out that was not answered");
        require(out.pages.empty() || next.offset > out.pages.back(), "pages handed out out of order");
        std::vector<std::uint64_t> fresh;
        std::size_t repeated = 0;
        for (const auto run : answered[next.offset]) (ledger.admit(run_id(run)) ? fresh.push_back(run) : void(++repeated));
        if (plan.handed_out(next.offset, fresh.size(), repeated)) {
          out.pages.push_back(next.offset);
          out.runs.insert(out.runs.end(), fresh.begin(), fresh.end());
          keep_window_full();
        }
        answered.erase(next.offset);
        break;
      }
      case d::walk_step::fail:
        out.failure = next.failure;
        require(plan.next().kind == d::walk_step::fail, "asked again, a failed plan does not fail the same way");
        return out;
      case d::walk_step::done:
        out.done = true;
        require(plan.next().kind == d::walk_step::done, "asked again, a finished plan is not done");
        return out;
      case d::walk_step::wait: {
        require(!in_flight.empty(), "the plan waits with nothing in flight");
        const std::size_t pick = std::min(hooks.pick(in_flight.size()), in_flight.size() - 1);
        const std::int64_t offset = in_flight[pick];
        in_flight.erase(in_flight.begin() + static_cast<std::ptrdiff_t>(pick));
        if (cancelled.erase(offset)) {
          plan.failed(offset, ha::errc::cancelled, "cancelled");
          keep_window_full();
          break;
        }
        answer a = serve(offset);
        if (a.fails) {
          plan.failed(offset, ha::errc::http_status, "503");
          keep_window_full();
          break;
        }
        ha::schedule_history page;
        for (const auto run : a.runs) page.runs.emplace_back().id = run_id(run);
        page.pagination = ha::pagination(a.pagination);
        if (plan.answered(offset, d::continue_after(offset, setup.page_size, page))) answered[offset] = a.runs;
        keep_window_full();
        break;
      }
    }
  }
}

}  // namespace humm_test::walk_simulation
