// The connection pool seen from outside: reuse, the cap, waiting, stale connections, and
// many threads.

#include "client_fixture.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <thread>

using namespace humm_test;
using namespace std::chrono_literals;

namespace {

// Counts of the fetches spawn_fetches started: right answers and failures.
struct fetch_tally {
  std::atomic<int> ok{0}, failed{0};
};

// Spawns `count` fetches of one-run pages on `executor`, each checked against the data set.
void spawn_fetches(const asio::any_io_executor& executor, ha::client& c, client_fixture& f, int count,
                   fetch_tally& tally) {
  for (int i = 0; i < count; ++i) {
    asio::co_spawn(executor, [&, i]() -> asio::awaitable<void> {
      auto page = co_await c.get_schedule_history(f.schedule_id(), f.query(1, i % 250));
      if (page.runs.size() == 1u && page.runs[0] == f.schedule.runs[static_cast<std::size_t>(i % 250)]) ++tally.ok;
      else ++tally.failed;
    }, [&](std::exception_ptr e) { if (e) ++tally.failed; });
  }
}

asio::awaitable<void> pause(std::chrono::milliseconds d) {
  asio::steady_timer timer(co_await asio::this_coro::executor, d);
  co_await timer.async_wait(asio::use_awaitable);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(connection_pool)

BOOST_AUTO_TEST_CASE(a_thousand_sequential_fetches_use_one_connection) {
  client_fixture f;
  auto c = f.make_client();
  const std::size_t total = f.run([&]() -> asio::awaitable<std::size_t> {
    std::size_t runs = 0;
    for (int i = 0; i < 1000; ++i) runs += (co_await c.get_schedule_history(f.schedule_id(), f.query(1, i % 200))).runs.size();
    co_return runs;
  }());
  BOOST_TEST(total == 1000u);
  BOOST_TEST(c.stats().connections_opened == 1u);
  BOOST_TEST(c.stats().reused == 999u);
  BOOST_TEST(f.server.counters().connections_accepted == 1u);
  BOOST_TEST(f.server.counters().handshakes == 1u);
  BOOST_TEST(c.stats().idle == 1u);
  BOOST_TEST(c.stats().in_use == 0u);
}

BOOST_AUTO_TEST_CASE(concurrent_fetches_open_at_most_max_connections) {
  client_fixture f;
  auto c = f.make_client([](ha::client_options& o) { o.max_connections = 8; });
  f.server.push_fault({.delay = 20ms, .times = 64});  // keep requests in flight together
  std::atomic<int> done{0};
  std::uint64_t most_waiting = 0;
  for (int i = 0; i < 64; ++i) {
    asio::co_spawn(f.io, [&]() -> asio::awaitable<void> {
      auto page = co_await c.get_schedule_history(f.schedule_id(), f.query(10));
      if (page.runs.size() == 10u) ++done;
    }, asio::detached);
  }
  asio::co_spawn(f.io, [&]() -> asio::awaitable<void> {
    while (done < 64) {
      most_waiting = std::max(most_waiting, c.stats().waiting);
      co_await pause(2ms);
    }
  }, asio::detached);
  f.io.run();
  BOOST_TEST(done == 64);
  BOOST_TEST(c.stats().connections_opened <= 8u);
  BOOST_TEST(f.server.counters().connections_accepted <= 8u);
  BOOST_TEST(f.server.counters().max_concurrent_requests <= 8u);
  BOOST_TEST(f.server.counters().max_concurrent_requests >= 2u);
  BOOST_TEST(most_waiting >= 1u);  // callers beyond the cap waited
  BOOST_TEST(c.stats().waiting == 0u);
  BOOST_TEST(c.stats().in_use == 0u);
}

BOOST_AUTO_TEST_CASE(a_call_that_gives_up_waiting_for_a_connection_leaves_every_permit_to_the_next_calls) {
  // One connection, busy; a second call waits for it and is cancelled. Every connection
  // given back afterwards must still reach later calls (Boost 1.81's channel dropped them).
  client_fixture f;
  auto c = f.make_client([](ha::client_options& o) { o.max_connections = 1; });
  f.server.push_fault({.delay = 300ms});
  using boost::asio::experimental::awaitable_operators::operator||;
  int fetched = 0;
  bool gave_up = false;
  asio::co_spawn(f.io, [&]() -> asio::awaitable<void> {
    co_await c.get_schedule_history(f.schedule_id(), f.query(1));  // holds the connection 300 ms
    ++fetched;
  }, asio::detached);
  asio::co_spawn(f.io, [&]() -> asio::awaitable<void> {
    co_await pause(50ms);
    const auto winner = co_await (c.get_schedule_history(f.schedule_id(), f.query(1)) || pause(50ms));
    gave_up = winner.index() == 1;
    co_await pause(400ms);  // the first call has given its connection back
    for (int i = 0; i < 3; ++i) {
      const auto later = co_await (c.get_schedule_history(f.schedule_id(), f.query(1)) || pause(5s));
      if (later.index() == 0) ++fetched;
    }
  }, asio::detached);
  f.io.run();
  BOOST_TEST(gave_up);
  BOOST_TEST(fetched == 4);
  BOOST_TEST(c.stats().waiting == 0u);
  BOOST_TEST(c.stats().in_use == 0u);
}

BOOST_AUTO_TEST_CASE(a_server_closing_idle_connections_costs_no_failed_call) {
  client_fixture f({.idle_close = 50ms});
  auto c = f.make_client();
  f.run([&]() -> asio::awaitable<void> {
    for (int i = 0; i < 3; ++i) {
      co_await c.get_schedule_history(f.schedule_id(), f.query(1));
      co_await pause(200ms);  // the server closes the idle connection meanwhile
    }
  }());
  BOOST_TEST(c.stats().retries == 0u);
  BOOST_TEST(c.stats().connections_opened == 3u);
  BOOST_TEST(f.server.counters().requests == 3u);
}

BOOST_AUTO_TEST_CASE(a_connection_closed_after_k_requests_is_not_reused) {
  client_fixture f({.close_after_requests = 3});
  auto c = f.make_client();
  f.run([&]() -> asio::awaitable<void> {
    for (int i = 0; i < 10; ++i) co_await c.get_schedule_history(f.schedule_id(), f.query(1));
  }());
  BOOST_TEST(c.stats().retries == 0u);
  BOOST_TEST(c.stats().connections_opened == 4u);  // 3 + 3 + 3 + 1
  BOOST_TEST(c.stats().stale_resends == 0u);       // `Connection: close` was heeded
}

BOOST_AUTO_TEST_CASE(a_stale_pooled_connection_is_replaced_without_spending_a_retry) {
  client_fixture f;
  auto c = f.make_client([](ha::client_options& o) { o.retry.max_retries = 0; });
  f.run([&]() -> asio::awaitable<void> {
    co_await c.get_schedule_history(f.schedule_id(), f.query(1));
    f.server.push_fault({.close_before_response = true});  // as if closed while idle
    const auto page = co_await c.get_schedule_history(f.schedule_id(), f.query(2));
    BOOST_TEST(page.runs.size() == 2u);
  }());
  BOOST_TEST(c.stats().stale_resends == 1u);
  BOOST_TEST(c.stats().retries == 0u);
  BOOST_TEST(c.stats().connections_opened == 2u);
}

BOOST_AUTO_TEST_CASE(idle_connections_expire) {
  client_fixture f;
  auto c = f.make_client([](ha::client_options& o) { o.idle_timeout = 50ms; });
  f.run([&]() -> asio::awaitable<void> {
    co_await c.get_schedule_history(f.schedule_id(), f.query(1));
    co_await pause(120ms);
    co_await c.get_schedule_history(f.schedule_id(), f.query(1));
  }());
  BOOST_TEST(c.stats().connections_opened == 2u);
  BOOST_TEST(c.stats().reused == 0u);
}

BOOST_AUTO_TEST_CASE(four_threads_a_thousand_concurrent_fetches) {
  client_fixture f;
  asio::thread_pool threads(4);
  ha::client c(threads.get_executor(), options_for(f.server));
  fetch_tally tally;
  spawn_fetches(threads.get_executor(), c, f, 1000, tally);
  threads.join();
  BOOST_TEST(tally.ok == 1000);
  BOOST_TEST(tally.failed == 0);
  BOOST_TEST(c.stats().connections_opened <= c.options().max_connections);
  BOOST_TEST(c.stats().in_use == 0u);
  BOOST_TEST(c.stats().requests == 1000u);
}

BOOST_AUTO_TEST_CASE(a_strand_given_as_executor_serves_four_threads) {
  client_fixture f;
  asio::io_context io(4);
  ha::client c(asio::make_strand(io), options_for(f.server));  // the client adds no strands of its own
  fetch_tally tally;
  spawn_fetches(io.get_executor(), c, f, 400, tally);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) threads.emplace_back([&] { io.run(); });
  for (std::thread& t : threads) t.join();
  BOOST_TEST(tally.ok == 400);
  BOOST_TEST(tally.failed == 0);
  BOOST_TEST(c.stats().connections_opened <= c.options().max_connections);
}

BOOST_AUTO_TEST_CASE(a_single_threaded_client_fetches_and_walks_alike) {
  client_fixture f;
  auto c = f.make_client([](ha::client_options& o) {
    o.single_threaded = true;
    o.max_connections = 4;
  });
  std::atomic<int> ok{0};
  for (int i = 0; i < 100; ++i) {
    asio::co_spawn(f.io, [&, i]() -> asio::awaitable<void> {
      auto page = co_await c.get_schedule_history(f.schedule_id(), f.query(20, i));
      if (page.runs.size() == 20u && page.runs[0] == f.schedule.runs[static_cast<std::size_t>(i)]) ++ok;
    }, asio::detached);
  }
  f.io.run();
  BOOST_TEST(ok == 100);
  BOOST_TEST(c.stats().connections_opened <= 4u);
  const auto walked = f.run([&]() -> asio::awaitable<std::size_t> {
    auto runs = c.history_runs(f.schedule_id(), {.organization_id = f.organization, .page_size = 30, .max_in_flight = 4});
    std::size_t count = 0;
    while (auto run = co_await runs.next()) {
      if (*run == f.schedule.runs[count]) ++count;
    }
    co_return count;
  }());
  BOOST_TEST(walked == f.schedule.runs.size());
}

BOOST_AUTO_TEST_SUITE_END()
