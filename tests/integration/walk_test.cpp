// Walks over whole histories: every end rule, shifting pages, repeated pages, errors and
// resume, abandonment, prefetch and fan-out, and batches of schedules.

#include "client_fixture.hpp"

#include <humm/analyst/walk_schedules.hpp>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>

#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <random>
#include <set>

using namespace humm_test;
using namespace std::chrono_literals;
namespace testing = humm::analyst::testing;

namespace {

asio::awaitable<void> pause(std::chrono::milliseconds d) {
  asio::steady_timer timer(co_await asio::this_coro::executor, d);
  co_await timer.async_wait(asio::use_awaitable);
}

ha::walk_options walk(const client_fixture& f, std::int64_t page_size = 100) {
  ha::walk_options o;
  o.organization_id = f.organization;
  o.page_size = page_size;
  return o;
}

// Every run of a walk, in order.
asio::awaitable<std::vector<ha::command_run>> all_runs(ha::run_stream& runs) {
  std::vector<ha::command_run> out;
  while (auto run = co_await runs.next()) out.push_back(std::move(*run));
  co_return out;
}

std::vector<ha::uuid> ids(const std::vector<ha::command_run>& runs) {
  std::vector<ha::uuid> out;
  for (const auto& r : runs) out.push_back(r.id);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(walks)

BOOST_AUTO_TEST_CASE(every_pagination_style_and_history_length) {
  struct style_t {
    const char* name;
    testing::fake_server_options options;
    std::function<std::size_t(std::size_t)> requests;  // expected, for n runs
  };
  auto pages_of = [](std::size_t per_page) {
    return [per_page](std::size_t n) { return std::max<std::size_t>(1, (n + per_page - 1) / per_page); };
  };
  const style_t styles[] = {
      {"total", {.pagination = testing::pagination_style::total}, pages_of(100)},
      {"has_more", {.pagination = testing::pagination_style::has_more}, pages_of(100)},
      {"{}", {.pagination = testing::pagination_style::empty}, [](std::size_t n) { return n / 100 + 1; }},
      {"total, clamped to 50, echoed", {.pagination = testing::pagination_style::total, .max_page_size = 50},
       pages_of(50)},
      {"total, clamped to 50, not echoed",
       {.pagination = testing::pagination_style::total, .echo_limit = false, .max_page_size = 50}, pages_of(50)},
      {"has_more, clamped to 50", {.pagination = testing::pagination_style::has_more, .max_page_size = 50},
       pages_of(50)},
  };
  for (const auto& style : styles) {
    client_fixture f(style.options);
    auto c = f.make_client();
    for (std::size_t n : {0u, 1u, 99u, 100u, 101u, 1000u, 1234u}) {
      BOOST_TEST_CONTEXT("pagination " << style.name << ", " << n << " runs") {
        const auto data = f.server.add_schedule(n, 100 + n);
        f.server.reset_counters();
        auto runs = c.history_runs(ha::format_uuid(data.schedule.id), walk(f));
        const auto received = f.run(all_runs(runs));
        BOOST_TEST((ids(received) == ids(data.runs)));
        BOOST_TEST(f.server.counters().requests == style.requests(n));
        BOOST_TEST(runs.stats().duplicates_skipped == 0u);
        BOOST_TEST(runs.stats().runs == n);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(a_walk_since_a_time_hands_out_only_newer_runs_and_requests_no_page_beyond) {
  client_fixture f;  // 250 runs, newest first
  auto c = f.make_client();
  for (const std::size_t newer : {std::size_t{0}, std::size_t{1}, std::size_t{37}, std::size_t{100}, std::size_t{249}}) {
    auto options = walk(f, 20);
    options.max_in_flight = 4;  // pages ahead are requested, then cancelled or ignored
    options.since = *f.schedule.runs[newer].created_at + std::chrono::microseconds{1};
    f.server.reset_counters();
    auto runs = c.history_runs(f.schedule_id(), options);
    const auto got = f.run(all_runs(runs));
    BOOST_TEST_REQUIRE(got.size() == newer, "since run " << newer);
    for (std::size_t i = 0; i < newer; ++i) BOOST_TEST_REQUIRE((got[i] == f.schedule.runs[i]));
    // The page holding the first older run ends the walk: at most the fan-out's window past it.
    BOOST_TEST(f.server.counters().requests <= newer / 20 + 4, "since run " << newer);
  }
}

BOOST_AUTO_TEST_CASE(a_walk_since_a_time_ends_where_it_should_after_runs_created_during_it) {
  // Pages of 2; after the first page (and the second, asked ahead and answered), 5 runs are
  // created: the pages then bring [new, r0], [r1, r2] (repeats only), [r3, r4]. With `since`
  // between r3 and r4, that last page is a repeat and a run too old: the walk ends there. It
  // must not count as a second page without anything new (errc::repeated_page).
  client_fixture f;
  auto c = f.make_client();
  auto options = walk(f, 2);
  options.since = *f.schedule.runs[4].created_at + std::chrono::microseconds{1};
  auto runs = c.history_runs(f.schedule_id(), options);
  const auto received = f.run([&]() -> asio::awaitable<std::vector<ha::command_run>> {
    std::vector<ha::command_run> out;
    for (int i = 0; i < 2; ++i) out.push_back(*co_await runs.next());
    while (f.server.counters().requests < 2) co_await pause(5ms);  // the page ahead was asked
    co_await pause(50ms);  // and has been answered
    f.server.insert_runs_at_head(f.schedule.schedule.id, 5);
    while (auto run = co_await runs.next()) out.push_back(std::move(*run));
    co_return out;
  }());
  BOOST_TEST_REQUIRE(received.size() == 5u);
  for (std::size_t i = 0; i < 4; ++i) BOOST_TEST((received[i] == f.schedule.runs[i]));
  BOOST_TEST((received[4].created_at > f.schedule.runs[0].created_at));  // one of the new runs
}

BOOST_AUTO_TEST_CASE(pages_keep_their_boundaries) {
  client_fixture f;
  auto c = f.make_client();
  auto pages = c.history_pages(f.schedule_id(), walk(f, 100));
  const auto offsets = f.run([&]() -> asio::awaitable<std::vector<std::int64_t>> {
    std::vector<std::int64_t> seen;
    while (auto page = co_await pages.next()) {
      seen.push_back(page->offset);
      BOOST_TEST((page->history.pagination.total() == 250));
    }
    co_return seen;
  }());
  BOOST_TEST(offsets == (std::vector<std::int64_t>{0, 100, 200}));
  BOOST_TEST(pages.stats().pages == 3u);
  BOOST_TEST(pages.stats().next_offset == 250);
}

BOOST_AUTO_TEST_CASE(runs_created_during_a_walk_are_neither_repeated_nor_lost) {
  client_fixture f;
  auto c = f.make_client();
  auto runs = c.history_runs(f.schedule_id(), walk(f, 10));
  const auto received = f.run([&]() -> asio::awaitable<std::vector<ha::command_run>> {
    std::vector<ha::command_run> out;
    for (int i = 0; i < 15; ++i) out.push_back(*co_await runs.next());
    f.server.insert_runs_at_head(f.schedule.schedule.id, 5);  // the pages after shift by 5
    while (auto run = co_await runs.next()) out.push_back(std::move(*run));
    co_return out;
  }());
  const auto got = ids(received);
  BOOST_TEST(std::set<ha::uuid>(got.begin(), got.end()).size() == got.size());  // no run twice
  BOOST_TEST((got == ids(f.schedule.runs)));  // every older run, in order
  BOOST_TEST(runs.stats().duplicates_skipped == 5u);
}

BOOST_AUTO_TEST_CASE(runs_created_while_parallel_pages_are_answered_out_of_order_are_not_lost) {
  client_fixture f;
  auto c = f.make_client();
  // After page 0, pages 10 and 20 are requested together: 10 on the idle connection (held
  // back 400 ms), 20 on a new one (answered at once). Runs created at 150 ms shift page 10
  // but not page 20, which was answered before: 5 older runs fall between the two.
  f.server.push_fault({});
  f.server.push_fault({.delay = 400ms});
  auto options = walk(f, 10);
  options.max_in_flight = 2;
  auto runs = c.history_runs(f.schedule_id(), options);
  asio::co_spawn(f.io, [&]() -> asio::awaitable<void> {
    co_await pause(150ms);
    f.server.insert_runs_at_head(f.schedule.schedule.id, 5);
  }, asio::detached);
  const auto got = ids(f.run(all_runs(runs)));
  BOOST_TEST(std::set<ha::uuid>(got.begin(), got.end()).size() == got.size());
  BOOST_TEST((got == ids(f.schedule.runs)));  // every older run, in order, none lost
}

// From the second request on, the server answers the first page whatever the offset; with
// `pagination` as given. Returns the error the walk ended with and the pages it handed out.
static std::pair<ha::api_error, std::size_t> walk_a_server_repeating_its_first_page(client_fixture& f,
                                                                              boost::json::object pagination) {
  auto c = f.make_client();
  auto first_page = testing::make_page(f.schedule, 0, 100);
  first_page.pagination = ha::pagination(std::move(pagination));
  f.server.push_fault({});  // the first request is answered normally
  f.server.push_fault({.status = 200, .body = boost::json::serialize(boost::json::value_from(first_page)), .times = 50});
  f.server.set_pagination(testing::pagination_style::empty);
  auto pages = c.history_pages(f.schedule_id(), walk(f));
  std::size_t handed_out = 0;
  try {
    f.run([&]() -> asio::awaitable<void> {
      while (co_await pages.next()) ++handed_out;
    }());
  } catch (const ha::api_error& e) {
    return {e, handed_out};
  }
  throw std::logic_error("the walk should have failed");
}

BOOST_AUTO_TEST_CASE(a_server_repeating_a_page_ends_the_walk_with_an_error) {
  client_fixture f;
  const auto [e, handed_out] = walk_a_server_repeating_its_first_page(f, {});
  BOOST_TEST(e.code() == ha::errc::repeated_page, e.what());
  // The pages at 100 and 200 brought nothing new: the second of them ends the walk.
  BOOST_TEST(std::string(e.what()).find("from offset 100 to 200") != std::string::npos, e.what());
  BOOST_TEST((e.details().resume_offset == 300));
  BOOST_TEST(handed_out == 1u);
  BOOST_TEST(f.server.counters().requests <= 4u);
}

BOOST_AUTO_TEST_CASE(a_page_echoing_another_offset_is_not_taken_for_the_one_asked_for) {
  client_fixture f;
  const auto [e, handed_out] = walk_a_server_repeating_its_first_page(f, {{"offset", 0}, {"limit", 100}});
  BOOST_TEST(e.code() == ha::errc::bad_pagination, e.what());
  BOOST_TEST(std::string(e.what()).find("pagination.offset") != std::string::npos, e.what());
  BOOST_TEST((e.details().resume_offset == 100));
  BOOST_TEST(handed_out == 1u);
}

BOOST_AUTO_TEST_CASE(a_503_in_the_middle_is_retried_unseen) {
  client_fixture f;
  auto c = f.make_client();
  auto runs = c.history_runs(f.schedule_id(), walk(f));
  f.server.push_fault({});
  f.server.push_fault({.status = 503});
  const auto received = f.run(all_runs(runs));
  BOOST_TEST((ids(received) == ids(f.schedule.runs)));
  BOOST_TEST(c.stats().retries == 1u);
}

BOOST_AUTO_TEST_CASE(a_fatal_error_then_a_resume_yields_every_run_once) {
  client_fixture f;
  auto c = f.make_client();
  f.server.push_fault({});
  f.server.push_fault({.status = 404, .times = 1});  // the second page fails for good
  auto runs = c.history_runs(f.schedule_id(), walk(f));
  std::vector<ha::command_run> before;
  std::int64_t resume_at = -1;
  try {
    f.run([&]() -> asio::awaitable<void> {
      while (auto run = co_await runs.next()) before.push_back(std::move(*run));
    }());
    BOOST_FAIL("the walk should have failed");
  } catch (const ha::api_error& e) {
    BOOST_TEST(e.http_status() == 404u);
    BOOST_REQUIRE(e.details().resume_offset.has_value());
    resume_at = *e.details().resume_offset;
  }
  BOOST_TEST(resume_at == 100);
  BOOST_TEST(before.size() == 100u);
  // Asked again, the failed walk fails the same way: it never reads as a finished history.
  for (int again = 0; again < 2; ++again) {
    try {
      f.run([&]() -> asio::awaitable<void> { co_await runs.next(); }());
      BOOST_FAIL("a failed walk must not read as finished");
    } catch (const ha::api_error& e) {
      BOOST_TEST(e.http_status() == 404u);
      BOOST_TEST((e.details().resume_offset == resume_at));
    }
  }
  auto options = walk(f);
  options.start_offset = resume_at;
  auto rest = c.history_runs(f.schedule_id(), options);
  auto after = f.run(all_runs(rest));
  before.insert(before.end(), after.begin(), after.end());
  BOOST_TEST((ids(before) == ids(f.schedule.runs)));
}

BOOST_AUTO_TEST_CASE(a_thousand_abandoned_walks_leave_no_connection_in_use) {
  client_fixture f;
  auto c = f.make_client();
  std::mt19937 random(42);
  f.run([&]() -> asio::awaitable<void> {
    for (int i = 0; i < 1000; ++i) {
      auto options = walk(f, 20);
      options.prefetch = 1 + random() % 3;
      auto pages = c.history_pages(f.schedule_id(), options);
      const int keep = static_cast<int>(random() % 4);
      for (int p = 0; p < keep; ++p) co_await pages.next();
    }  // each walk is destroyed with requests in flight
    co_await pause(50ms);
  }());
  f.io.restart();
  f.io.run();  // let the cancelled requests finish
  BOOST_TEST(c.stats().in_use == 0u);
  BOOST_TEST(c.stats().waiting == 0u);
  BOOST_TEST(c.stats().idle <= c.options().max_connections);
}

BOOST_AUTO_TEST_CASE(cancelling_the_consumer_cancels_the_walk) {
  // A walk on a strand of its own, and one on the consumer's executor (single-threaded).
  for (const bool single_threaded : {false, true})
    BOOST_TEST_CONTEXT("single_threaded " << single_threaded) {
      client_fixture f;
      auto c = f.make_client([&](ha::client_options& o) { o.single_threaded = single_threaded; });
      f.server.push_fault({});
      f.server.push_fault({.delay = 3s});
      auto pages = c.history_pages(f.schedule_id(), walk(f));
      const auto start = std::chrono::steady_clock::now();
      const bool cancelled = f.run([&]() -> asio::awaitable<bool> {
        co_await pages.next();
        using boost::asio::experimental::awaitable_operators::operator||;
        asio::steady_timer timer(co_await asio::this_coro::executor, 100ms);
        try {
          co_await (pages.next() || timer.async_wait(asio::use_awaitable));
        } catch (const ha::api_error& e) {
          co_return e.code() == ha::errc::cancelled;
        }
        co_return true;  // the timer won: next() was cancelled
      }());
      BOOST_TEST(cancelled);
      // Asked again, the cancelled walk says it was cancelled, and where to resume.
      try {
        f.run([&]() -> asio::awaitable<void> { co_await pages.next(); }());
        BOOST_FAIL("a cancelled walk must not read as finished");
      } catch (const ha::api_error& e) {
        BOOST_TEST(e.code() == ha::errc::cancelled, e.what());
        BOOST_TEST((e.details().resume_offset == 100));
      }
      f.io.restart();
      f.io.run();
      BOOST_TEST((std::chrono::steady_clock::now() - start < 2s));
      BOOST_TEST(c.stats().in_use == 0u);
    }
}

BOOST_AUTO_TEST_CASE(prefetch_requests_the_next_page_while_the_consumer_works) {
  client_fixture f;
  auto c = f.make_client();
  auto pages = c.history_pages(f.schedule_id(), walk(f, 100));
  f.run([&]() -> asio::awaitable<void> {
    co_await pages.next();
    co_await pause(200ms);  // the consumer is busy with page 0
    BOOST_TEST(f.server.counters().requests == 2u);  // page 1 was fetched meanwhile
    BOOST_TEST(f.server.counters().requests < 3u);   // but no further (prefetch 1)
  }());
}

BOOST_AUTO_TEST_CASE(fan_out_overlaps_requests_and_keeps_the_order) {
  client_fixture f;
  const auto big = f.server.add_schedule(1234, 77);
  auto c = f.make_client();
  f.server.push_fault({.delay = 30ms, .times = 100});
  auto options = walk(f, 50);
  options.max_in_flight = 4;
  auto runs = c.history_runs(ha::format_uuid(big.schedule.id), options);
  f.server.reset_counters();
  const auto received = f.run(all_runs(runs));
  BOOST_TEST((ids(received) == ids(big.runs)));
  BOOST_TEST(f.server.counters().max_concurrent_requests >= 3u);
  BOOST_TEST(f.server.counters().max_concurrent_requests <= 4u);
  BOOST_TEST(f.server.counters().requests == 25u);  // ceil(1234 / 50), none wasted
}

BOOST_AUTO_TEST_CASE(many_schedules_with_bounded_concurrency) {
  client_fixture f;
  std::vector<std::string> ids_to_walk;
  std::map<std::string, std::size_t> expected;
  for (int i = 0; i < 6; ++i) {
    const auto d = f.server.add_schedule(40 + 37 * i, 500 + i);
    ids_to_walk.push_back(ha::format_uuid(d.schedule.id));
    expected[ids_to_walk.back()] = d.runs.size();
  }
  ids_to_walk.insert(ids_to_walk.begin() + 2, ha::format_uuid(testing::make_uuid(31337)));  // unknown: 404
  auto c = f.make_client();
  std::map<std::string, std::size_t> seen;
  std::size_t done = 0;
  const auto results = f.run(ha::walk_schedules(
      c, ids_to_walk, walk(f, 20), 3, [&](const std::string& id, const ha::command_run&) { ++seen[id]; },
      [&](const ha::schedule_walk_result&) { ++done; }));
  BOOST_TEST(done == 7u);
  BOOST_REQUIRE(results.size() == 7u);
  for (const auto& r : results) {
    if (r.schedule_id == ids_to_walk[2]) {
      BOOST_TEST(r.error == ha::errc::http_status);
      BOOST_TEST(r.details.http_status == 404u);
    } else {
      BOOST_TEST(!r.error, r.schedule_id << ": " << r.details.message);
      BOOST_TEST(seen[r.schedule_id] == expected[r.schedule_id]);
      BOOST_TEST(r.stats.runs == expected[r.schedule_id]);
    }
  }
  BOOST_TEST(f.server.counters().max_concurrent_requests <= 3u);
}

BOOST_AUTO_TEST_CASE(a_callback_that_throws_stops_the_batch_and_its_exception_reaches_the_caller) {
  client_fixture f;
  std::vector<std::string> ids_to_walk;
  for (int i = 0; i < 6; ++i) ids_to_walk.push_back(ha::format_uuid(f.server.add_schedule(400, 90 + i).schedule.id));
  auto c = f.make_client();
  for (const bool from_on_done : {false, true})
    BOOST_TEST_CONTEXT((from_on_done ? "on_done" : "on_run") << " throws") {
      std::size_t runs = 0, done = 0;
      try {
        f.run(ha::walk_schedules(
            c, ids_to_walk, walk(f, 20), 3,
            [&](const std::string&, const ha::command_run&) {
              if (++runs == 150 && !from_on_done) throw std::runtime_error("the consumer's disk is full");
            },
            [&](const ha::schedule_walk_result&) {
              if (++done == 1 && from_on_done) throw std::runtime_error("the consumer's disk is full");
            }));
        BOOST_FAIL("the callback's exception must reach the caller");
      } catch (const std::runtime_error& e) {
        BOOST_TEST(std::string(e.what()) == "the consumer's disk is full");
      }
      BOOST_TEST(runs < 6u * 400u);  // the batch stopped instead of walking every history
      f.io.restart();
      f.io.run();
      BOOST_TEST(c.stats().in_use == 0u);
      BOOST_TEST(c.stats().waiting == 0u);
    }
}

BOOST_AUTO_TEST_CASE(a_batch_hands_out_each_run_once_when_runs_are_created_during_its_walk) {
  client_fixture f;
  auto c = f.make_client();
  std::vector<ha::uuid> got;
  const auto results = f.run(ha::walk_schedules(
      c, {ha::format_uuid(f.schedule.schedule.id)}, walk(f, 10), 1,
      [&](const std::string&, const ha::command_run& run) {
        got.push_back(run.id);
        if (got.size() == 15u) f.server.insert_runs_at_head(f.schedule.schedule.id, 5);  // the pages after shift by 5
      }));
  BOOST_REQUIRE(results.size() == 1u);
  BOOST_TEST(!results[0].error, results[0].details.message);
  BOOST_TEST((got == ids(f.schedule.runs)));  // every older run once, in order
  BOOST_TEST(results[0].stats.runs == f.schedule.runs.size());
  BOOST_TEST(results[0].stats.duplicates_skipped == 5u);
}

BOOST_AUTO_TEST_CASE(walks_on_a_four_thread_pool) {
  client_fixture f;
  std::vector<std::string> schedule_ids;
  std::size_t expected_runs = 0;
  for (int i = 0; i < 12; ++i) {
    const auto d = f.server.add_schedule(150 + 10 * i, 900 + i);
    schedule_ids.push_back(ha::format_uuid(d.schedule.id));
    expected_runs += d.runs.size();
  }
  asio::thread_pool threads(4);
  ha::client c(threads.get_executor(), options_for(f.server));
  std::atomic<std::size_t> runs{0};
  auto options = walk(f, 25);
  options.max_in_flight = 3;
  auto results = asio::co_spawn(threads,
                                ha::walk_schedules(c, schedule_ids, options, 6,
                                                   [&](const std::string&, const ha::command_run&) { ++runs; }),
                                asio::use_future)
                     .get();
  threads.join();
  for (const auto& r : results) BOOST_TEST(!r.error, r.schedule_id << ": " << r.details.message);
  BOOST_TEST(runs == expected_runs);
  BOOST_TEST(c.stats().in_use == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
