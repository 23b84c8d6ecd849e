// The walk's decisions without sockets: a simulated server answers the plan's requests in a
// random order, honestly (every pagination style, clamped pages, runs created during the
// walk) or with hostile pagination, and a simulated driver carries out the plan's steps as
// lib/walk.cpp does. Every walk must end within a bound of requests, never hand out a run
// twice, and, against an honest server, hand out every run that existed when it started.

#include "../walk_simulation.hpp"

#include <boost/json/object.hpp>
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <functional>
#include <limits>
#include <random>
#include <set>

namespace ha = humm::analyst;
namespace d = humm::analyst::detail;
using humm_test::walk_simulation::answer;
using humm_test::walk_simulation::outcome;
using humm_test::walk_simulation::walk_setup;

namespace {

constexpr std::int64_t largest = std::numeric_limits<std::int64_t>::max();

// An honest server's history, newest first, to which runs can be added during the walk.
struct history {
  std::vector<std::uint64_t> runs;
  std::uint64_t next_id;
  explicit history(std::size_t length) : next_id(length) {
    for (std::size_t i = 0; i < length; ++i) runs.push_back(i);
  }
  void create_run() { runs.insert(runs.begin(), next_id++); }
};

enum class style { has_more, total, echoed_limit, short_page, next_offset };
const style all_styles[] = {style::has_more, style::total, style::echoed_limit, style::short_page,
                            style::next_offset};

// The page [offset, offset + min(limit, clamp)) in one pagination style.
answer honest_page(const history& h, std::int64_t offset, std::int64_t limit, style s, std::int64_t clamp = 100) {
  answer a;
  const auto size = static_cast<std::int64_t>(h.runs.size());
  const std::int64_t served = std::min(limit, clamp);
  for (std::int64_t i = offset; i < std::min(size, offset + served); ++i) a.runs.push_back(h.runs[i]);
  const auto end = offset + static_cast<std::int64_t>(a.runs.size());
  switch (s) {
    case style::has_more: a.pagination["has_more"] = end < size; break;
    case style::total: a.pagination = {{"total", size}, {"limit", served}, {"offset", offset}}; break;
    case style::echoed_limit: a.pagination["limit"] = served; break;
    case style::short_page: break;
    case style::next_offset:
      a.pagination = {{"has_more", end < size}, {"next_offset", end}};
      break;
  }
  return a;
}

// The shared driver (tests/walk_simulation.hpp), answering in an order drawn from the seed
// and failing the test case on a broken rule.
outcome drive(const walk_setup& setup, const std::function<answer(std::int64_t offset)>& serve) {
  std::mt19937 random(setup.seed);
  return humm_test::walk_simulation::drive(
      setup, serve,
      {.pick = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(random); },
       .require = [](bool holds, const char* rule) { BOOST_TEST_REQUIRE(holds, rule); }});
}

std::vector<std::uint64_t> iota(std::uint64_t from, std::uint64_t count) {
  std::vector<std::uint64_t> v(count);
  std::iota(v.begin(), v.end(), from);
  return v;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(walk_plan)

BOOST_AUTO_TEST_CASE(every_style_length_window_and_answer_order_hands_out_every_run_once_in_order) {
  for (const style s : all_styles)
    for (const std::size_t length : {0, 1, 9, 10, 11, 57, 100})
      for (const std::size_t in_flight : {1, 2, 5})
        for (const std::uint32_t seed : {1u, 2u, 3u}) {
          const history h(length);
          walk_setup setup{.page_size = 10, .prefetch = 1, .max_in_flight = in_flight, .seed = seed};
          const outcome out = drive(setup, [&](std::int64_t offset) { return honest_page(h, offset, 10, s); });
          BOOST_TEST_CONTEXT("style " << int(s) << ", " << length << " runs, " << in_flight << " in flight, seed " << seed) {
            BOOST_TEST(out.done);
            BOOST_TEST(out.runs == iota(0, length), boost::test_tools::per_element());
            // At most one request beyond the pages, and none beyond a known end but the fan-out's.
            BOOST_TEST(out.requests <= length / 10 + 1 + in_flight);
          }
        }
}

BOOST_AUTO_TEST_CASE(a_server_that_clamps_the_page_size_leaves_no_gap) {
  for (const style s : all_styles)
    for (const std::size_t in_flight : {1, 4}) {
      const history h(95);
      walk_setup setup{.page_size = 20, .max_in_flight = in_flight};
      const outcome out = drive(setup, [&](std::int64_t offset) { return honest_page(h, offset, 20, s, 7); });
      BOOST_TEST_CONTEXT("style " << int(s) << ", " << in_flight << " in flight") {
        // Without an echoed limit or a total, a clamped page looks like the last one.
        if (s == style::short_page) {
          BOOST_TEST(out.runs == iota(0, 7), boost::test_tools::per_element());
        } else {
          BOOST_TEST(out.runs == iota(0, 95), boost::test_tools::per_element());
        }
      }
    }
}

BOOST_AUTO_TEST_CASE(runs_created_during_a_walk_with_answers_out_of_order_lose_no_run_and_repeat_none) {
  for (const style s : all_styles)
    for (const std::size_t in_flight : {1, 3, 6})
      for (std::uint32_t seed = 1; seed <= 20; ++seed) {
        history h(120);
        std::size_t served = 0;
        walk_setup setup{.page_size = 10, .prefetch = 2, .max_in_flight = in_flight, .seed = seed};
        const outcome out = drive(setup, [&](std::int64_t offset) {
          if (++served % 3 == 0) h.create_run();  // a new run every third answer
          return honest_page(h, offset, 10, s);
        });
        BOOST_TEST_CONTEXT("style " << int(s) << ", " << in_flight << " in flight, seed " << seed) {
          BOOST_TEST(out.done);
          std::vector<std::uint64_t> old_runs;
          std::copy_if(out.runs.begin(), out.runs.end(), std::back_inserter(old_runs),
                       [](std::uint64_t r) { return r < 120; });
          BOOST_TEST(old_runs == iota(0, 120), boost::test_tools::per_element());
          BOOST_TEST(std::set<std::uint64_t>(out.runs.begin(), out.runs.end()).size() == out.runs.size());
        }
      }
}

BOOST_AUTO_TEST_CASE(a_stop_after_a_page_ends_the_walk_and_cancels_every_page_requested_ahead) {
  d::walk_plan plan({.start_offset = 0, .page_size = 10, .prefetch = 1, .max_in_flight = 4});
  const d::walk_step first = plan.next();
  BOOST_TEST_REQUIRE(first.kind == d::walk_step::request);
  plan.answered(0, {.runs = 10, .last = false, .next_offset = 10, .total = 100, .problem = {}});
  std::set<std::int64_t> ahead;
  for (auto s = plan.next_in_background(); s.kind == d::walk_step::request; s = plan.next_in_background())
    ahead.insert(s.offset);
  BOOST_TEST_REQUIRE(ahead.size() == 3u);  // the fan-out: a window of four
  const d::walk_step handing = plan.next();
  BOOST_TEST_REQUIRE(handing.kind == d::walk_step::hand_out);
  plan.stop();
  BOOST_TEST(plan.handed_out(0, 10, 0));
  std::set<std::int64_t> cancelled;
  d::walk_step s = plan.next();
  for (; s.kind == d::walk_step::cancel; s = plan.next()) cancelled.insert(s.offset);
  BOOST_TEST(s.kind == d::walk_step::done);
  BOOST_TEST((cancelled == ahead));
  BOOST_TEST(plan.resume_offset() == 10);
}

BOOST_AUTO_TEST_CASE(a_walk_resumes_where_it_started) {
  const history h(45);
  const outcome out = drive({.start_offset = 20, .page_size = 10},
                            [&](std::int64_t offset) { return honest_page(h, offset, 10, style::total); });
  BOOST_TEST(out.runs == iota(20, 25), boost::test_tools::per_element());
  BOOST_TEST(out.pages == (std::vector<std::int64_t>{20, 30, 40}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_failed_page_fails_the_walk_where_it_stands_and_a_resume_loses_nothing) {
  for (const std::size_t in_flight : {1, 4})
    for (std::int64_t bad = 0; bad < 60; bad += 10) {
      const history h(60);
      const outcome first = drive({.page_size = 10, .max_in_flight = in_flight}, [&](std::int64_t offset) {
        answer a = honest_page(h, offset, 10, style::total);
        a.fails = offset == bad;
        return a;
      });
      BOOST_TEST_CONTEXT("page " << bad << " fails, " << in_flight << " in flight") {
        BOOST_TEST_REQUIRE(first.failure.has_value());
        BOOST_TEST(first.failure->code == ha::errc::http_status);
        BOOST_TEST(first.failure->resume_offset == bad);
        BOOST_TEST(first.runs == iota(0, static_cast<std::uint64_t>(bad)), boost::test_tools::per_element());
        const outcome rest = drive({.start_offset = first.failure->resume_offset, .page_size = 10},
                                   [&](std::int64_t offset) { return honest_page(h, offset, 10, style::total); });
        auto all = first.runs;
        all.insert(all.end(), rest.runs.begin(), rest.runs.end());
        BOOST_TEST(all == iota(0, 60), boost::test_tools::per_element());
      }
    }
}

BOOST_AUTO_TEST_CASE(cancelling_at_every_step_ends_the_walk_cancelled_and_cancels_what_is_in_flight) {
  for (const std::size_t in_flight : {1, 3})
    for (std::size_t at = 0; at < 40; ++at) {
      const history h(100);
      std::size_t requests_seen = 0;
      const outcome out = drive({.page_size = 10, .prefetch = 2, .max_in_flight = in_flight,
                                 .cancel_before = [&](std::size_t step) { return step == at; }},
                                [&](std::int64_t offset) {
                                  ++requests_seen;
                                  return honest_page(h, offset, 10, style::total);
                                });
      BOOST_TEST_CONTEXT("cancelled before step " << at << ", " << in_flight << " in flight") {
        if (out.done) continue;  // the walk had ended before the cancellation
        BOOST_TEST_REQUIRE(out.failure.has_value());
        BOOST_TEST(out.failure->code == ha::errc::cancelled);
        // Every request was answered or cancelled: the driver's in-flight list was emptied
        // only when the plan waited, so count what was requested against what came back.
        BOOST_TEST(out.requests == requests_seen + out.cancels);
        const auto handed = static_cast<std::int64_t>(out.runs.size());
        BOOST_TEST(out.failure->resume_offset == handed);
      }
    }
}

BOOST_AUTO_TEST_CASE(pages_alternating_between_two_contents_end_the_walk_with_repeated_page) {
  for (const std::size_t cycle : {1, 2, 3, 7})
    for (const std::size_t in_flight : {1, 4}) {
      // has_more stays true; the server ignores the offset and cycles through `cycle` pages.
      const outcome out = drive({.page_size = 10, .max_in_flight = in_flight}, [&](std::int64_t offset) {
        answer a;
        a.runs = iota(static_cast<std::uint64_t>((offset / 10) % static_cast<std::int64_t>(cycle)) * 10, 10);
        a.pagination = {{"has_more", true}, {"total", 1'000'000}};
        return a;
      });
      BOOST_TEST_CONTEXT(cycle << " distinct pages, " << in_flight << " in flight") {
        BOOST_TEST_REQUIRE(out.failure.has_value());
        BOOST_TEST(out.failure->code == ha::errc::repeated_page);
        BOOST_TEST(out.runs == iota(0, cycle * 10), boost::test_tools::per_element());
        // Requests stay bounded by what the pages delivered.
        BOOST_TEST(out.requests <= cycle + 2 + in_flight);
        BOOST_TEST(out.failure->resume_offset == static_cast<std::int64_t>(cycle + 2) * 10);
      }
    }
}

BOOST_AUTO_TEST_CASE(one_page_of_repeats_between_new_pages_is_an_honest_shift_and_goes_on) {
  // One-run pages and a run created before the second request: the second page repeats the
  // first run. Nothing is handed out twice and the walk goes on.
  history h(5);
  std::size_t served = 0;
  const outcome out = drive({.page_size = 1}, [&](std::int64_t offset) {
    if (served++ == 1) h.create_run();
    return honest_page(h, offset, 1, style::has_more);
  });
  BOOST_TEST(out.done);
  BOOST_TEST(out.runs == iota(0, 5), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(negative_or_unrepresentable_pagination_fails_naming_its_json_path) {
  struct hostile {
    const char* what;
    boost::json::object pagination;
    const char* path;
  };
  const hostile cases[] = {
      {"negative total", {{"total", -5}}, "pagination.total"},
      {"negative next_offset", {{"has_more", true}, {"next_offset", -1}}, "pagination.next_offset"},
      {"next_offset that does not advance", {{"has_more", true}, {"next_offset", 0}}, "pagination.next_offset"},
      {"total beyond int64", {{"total", 1e30}}, "pagination.total"},
      {"fractional limit", {{"limit", 2.5}}, "pagination.limit"},
      {"total beyond int64 as uint64", {{"total", std::uint64_t(1) << 63}}, "pagination.total"},
  };
  for (const hostile& c : cases)
    BOOST_TEST_CONTEXT(c.what) {
      const outcome out = drive({.page_size = 10}, [&](std::int64_t) {
        answer a;
        a.runs = iota(0, 10);
        a.pagination = c.pagination;
        return a;
      });
      BOOST_TEST_REQUIRE(out.failure.has_value());
      BOOST_TEST(out.failure->code == ha::errc::bad_pagination);
      BOOST_TEST(out.failure->message.find(c.path) != std::string::npos, out.failure->message);
      BOOST_TEST(out.failure->resume_offset == 0);
      BOOST_TEST(out.runs.empty());
    }
}

BOOST_AUTO_TEST_CASE(an_answer_echoing_another_offset_is_not_taken_as_the_page_asked_for) {
  const history h(50);
  const outcome out = drive({.page_size = 10}, [&](std::int64_t offset) {
    answer a = honest_page(h, offset, 10, style::total);
    if (offset == 20) a.pagination["offset"] = 0;  // a cache answering another request
    return a;
  });
  BOOST_TEST_REQUIRE(out.failure.has_value());
  BOOST_TEST(out.failure->code == ha::errc::bad_pagination);
  BOOST_TEST(out.failure->message.find("pagination.offset") != std::string::npos, out.failure->message);
  BOOST_TEST(out.failure->resume_offset == 20);
  BOOST_TEST(out.runs == iota(0, 20), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(offsets_near_the_end_of_int64_fail_cleanly_instead_of_overflowing) {
  // A walk resumed near INT64_MAX whose page would end past it.
  const outcome near_end = drive({.start_offset = largest - 5, .page_size = 10}, [&](std::int64_t) {
    answer a;
    a.runs = iota(0, 10);
    a.pagination = {{"has_more", true}};
    return a;
  });
  BOOST_TEST_REQUIRE(near_end.failure.has_value());
  BOOST_TEST(near_end.failure->code == ha::errc::bad_pagination);
  BOOST_TEST(near_end.failure->resume_offset == largest - 5);

  // next_offset = INT64_MAX with has_more: the walk goes there rather than ending silently,
  // and fails when the page there would overflow.
  const outcome jump = drive({.page_size = 10}, [&](std::int64_t offset) {
    answer a;
    a.runs = iota(static_cast<std::uint64_t>(offset == 0 ? 0 : 10), 10);
    a.pagination = {{"has_more", true}, {"next_offset", largest}};
    return a;
  });
  BOOST_TEST(jump.runs == iota(0, 10), boost::test_tools::per_element());
  BOOST_TEST_REQUIRE(jump.failure.has_value());
  BOOST_TEST(jump.failure->code == ha::errc::bad_pagination);
  BOOST_TEST(jump.failure->resume_offset == largest);

  // A total near INT64_MAX with fan-out: the stride never overflows.
  const outcome fan_out = drive({.page_size = 10, .max_in_flight = 8}, [&](std::int64_t offset) {
    answer a;
    if (offset < 30) a.runs = iota(static_cast<std::uint64_t>(offset), 10);
    a.pagination = {{"total", largest}, {"has_more", offset < 30}};
    return a;
  });
  BOOST_TEST(fan_out.done);
  BOOST_TEST(fan_out.runs == iota(0, 30), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(random_hostile_answers_always_end_within_a_bound_and_never_repeat_a_run) {
  // Arbitrary pagination values and run ids drawn from a small pool: the walk must end, and
  // its requests stay bounded by the distinct runs it could have been given.
  for (std::uint32_t seed = 1; seed <= 300; ++seed) {
    std::mt19937 random(seed);
    auto pick = [&](std::int64_t lo, std::int64_t hi) { return std::uniform_int_distribution<std::int64_t>(lo, hi)(random); };
    const std::size_t in_flight = static_cast<std::size_t>(pick(1, 6));
    const outcome out = drive({.page_size = 10, .prefetch = 2, .max_in_flight = in_flight, .seed = seed},
                              [&](std::int64_t offset) {
                                answer a;
                                a.fails = pick(0, 40) == 0;
                                for (auto n = pick(0, 12); n > 0; --n) a.runs.push_back(static_cast<std::uint64_t>(pick(0, 60)));
                                if (pick(0, 1)) a.pagination["has_more"] = pick(0, 6) != 0;
                                if (pick(0, 2) == 0) a.pagination["total"] = pick(-2, 200);
                                if (pick(0, 3) == 0) a.pagination["next_offset"] = offset + pick(-3, 30);
                                if (pick(0, 3) == 0) a.pagination["limit"] = pick(-1, 12);
                                if (pick(0, 5) == 0) a.pagination["offset"] = pick(0, 3) ? offset : offset + 1;
                                return a;
                              });
    BOOST_TEST_CONTEXT("seed " << seed) {
      BOOST_TEST((out.done || out.failure.has_value()));
      BOOST_TEST(std::set<std::uint64_t>(out.runs.begin(), out.runs.end()).size() == out.runs.size());
      // 61 distinct runs at most: each page handed out brings one, or is one of at most one
      // in a row that brings none; between two pages the window requests at most its size
      // (refetches included).
      BOOST_TEST(out.requests <= (2 * 61 + 2) * (std::max<std::size_t>(2, in_flight) + 1));
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
