// Stress: one client shared by thousands of walks and calls on an io_context that several
// threads run, as a service embedding it would, with a third of them cancelled at random
// points, a third abandoned half-way and the server answering 503s, dropping connections and
// sending broken bodies. Every walk must end (completed, failed with an api_error, or
// cancelled), every thread's run() must return, no walk may hand out a run twice or out of
// place, and the pool must be left with nothing in use and no one waiting.
//
// What this hunts are races between a cancellation on its way and the operation it targets
// finishing (a failed page cancels the pages in flight beside it; a destroyed walk cancels its
// requests): they show as crashes, hangs and sanitizer reports, seldom as wrong values, so
// the test is meant to run under ASan and TSan too (the `threads` label).
//
// The counts are fixed and the plan comes from a seed that is printed (HUMM_STRESS_SEED
// plays another). Thread timing still differs from run to run: the seed fixes what is done,
// not the interleaving.

#include "client_fixture.hpp"
#include "stress_harness.hpp"
#include "stress_plan.hpp"

#include <humm/analyst/client.hpp>
#include <humm/analyst/walk_schedules.hpp>
#include <humm/analyst/testing/fake_server.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdlib>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>

using namespace humm_test;
using namespace humm_stress;
using namespace std::chrono_literals;
using boost::asio::experimental::awaitable_operators::operator||;

namespace {

// Sanitizers slow every step several times over; the suite should still end within about
// 20 s there, so the counts shrink. The lanes, the jobs under way at once, stay: the races
// come from many operations at a time, not from many in all.
constexpr std::size_t scaled(std::size_t count) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  return count * 2 / 5;
#else
  return count;
#endif
}

std::uint64_t seed_or_env(std::uint64_t seed) {
  const char* text = std::getenv("HUMM_STRESS_SEED");
  return text && *text ? std::strtoull(text, nullptr, 10) : seed;
}

class stress_run {
 public:
  explicit stress_run(const stress_config& config)
      : config_(config), plan_(config), client_(fixture_.make_client([](ha::client_options& o) {
          o.max_connections = 12;  // fewer than the jobs under way: some always wait for one
        })) {
    data_.push_back(fixture_.schedule);
    std::uint64_t seed = 1000;  // far from the fixture's (7): a schedule's id comes from its seed
    for (std::size_t length : plan_.history_lengths(11)) data_.push_back(fixture_.server.add_schedule(length, seed++));
    for (const auto& d : data_) {
      ids_.push_back(ha::format_uuid(d.schedule.id));
      lengths_.push_back(d.runs.size());
    }
  }

  // The server misbehaves on about `requests` requests, in the plan's order (the retries of a
  // request meet the next faults, so a walk with few retries left fails now and then).
  void script_faults(std::size_t requests) {
    for (ha::testing::fault& f : plan_.faults(requests)) fixture_.server.push_fault(std::move(f));
  }

  // Starts every lane, runs the io_context on the configured threads, checks the outcome.
  void run_and_check() {
    BOOST_TEST_MESSAGE("stress seed " << config_.seed << " (HUMM_STRESS_SEED replays it), " << config_.threads
                                      << " threads, " << config_.jobs << " jobs in " << config_.lanes << " lanes, "
                                      << config_.batches << " batches");
    const auto lanes = plan_.lanes(lengths_, fixture_.organization);
    std::atomic<std::size_t> lanes_ended{0};
    for (const auto& jobs : lanes) {
      asio::co_spawn(asio::make_strand(fixture_.io), lane(jobs), [&](std::exception_ptr e) {
        if (e) ++tally_.unexpected;  // a job catches what it expects: this is the test's own fault
        ++lanes_ended;
      });
    }
    const auto start = std::chrono::steady_clock::now();
    const bool drained = run_on_threads(fixture_.io, config_.threads, config_.limit);
    const auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const ha::client_stats stats = client_.stats();
    BOOST_TEST_MESSAGE("stress: " << tally_ << "; " << elapsed << " s, " << stats.requests << " requests, "
                                  << stats.retries << " retries, " << stats.connections_opened << " connections");

    BOOST_TEST(drained, "io_context::run() returned in every thread within " << config_.limit.count() << " s: " << tally_);
    for (const job* j : under_way_) BOOST_TEST_MESSAGE("stress: never ended: " << describe(*j));
    for (const std::string& m : miscounted_) BOOST_TEST_MESSAGE("stress: ended other than once: " << m);
    BOOST_TEST(miscounted_.empty());
    BOOST_TEST(lanes_ended.load() == lanes.size());
    BOOST_TEST(tally_.started.load() == plan_.planned());
    BOOST_TEST(tally_.ended() == tally_.started.load(), tally_);
    BOOST_TEST(tally_.unexpected.load() == 0u);
    BOOST_TEST(tally_.repeated_runs.load() == 0u);
    BOOST_TEST(tally_.misplaced_runs.load() == 0u);
    BOOST_TEST(stats.in_use == 0u);
    BOOST_TEST(stats.waiting == 0u);
    BOOST_TEST(stats.idle <= client_.options().max_connections);
    // The run reached what it is about: walks that end each way.
    BOOST_TEST(tally_.completed.load() > 0u);
    BOOST_TEST(tally_.failed.load() > 0u);
    if (config_.users_cancel) {
      BOOST_TEST(tally_.cancelled.load() > 0u);
      BOOST_TEST(tally_.abandoned.load() > 0u);
    } else {
      BOOST_TEST(tally_.cancelled.load() + tally_.abandoned.load() == 0u);
    }
  }

 private:
  static constexpr std::size_t all = std::numeric_limits<std::size_t>::max();

  std::string describe(const job& j) const {
    std::ostringstream out;
    out << j << " (" << data_[j.schedule].runs.size() << " runs)";
    return out.str();
  }

  // Runs its jobs one after another, each counted on its own so that a job ending twice
  // (a handler run twice) or not at all is named, not just seen in the sums.
  asio::awaitable<void> lane(std::vector<job> jobs) {
    for (const job& j : jobs) {
      {
        std::lock_guard lock(under_way_mutex_);
        under_way_.insert(&j);
      }
      outcome_tally t;
      switch (j.kind) {
        case job_kind::run_walk: co_await spawn_walk(client_.history_runs(ids_[j.schedule], j.walk), j, t); break;
        case job_kind::page_walk: co_await spawn_walk(client_.history_pages(ids_[j.schedule], j.walk), j, t); break;
        case job_kind::call: co_await call(j, t); break;
        case job_kind::batch: co_await batch(j, t); break;
      }
      std::lock_guard lock(under_way_mutex_);
      under_way_.erase(&j);
      if (t.ended() != t.started) miscounted_.push_back(describe(j) + ": " + to_string(t));
      tally_.add(t);
    }
  }

  // The walk runs as an operation of its own on the lane's strand, bound to a signal that
  // the walk arms itself once it is under way.
  template <class Stream>
  asio::awaitable<void> spawn_walk(Stream stream, const job& j, outcome_tally& t) {
    ++t.started;
    const auto strand = co_await asio::this_coro::executor;
    auto cancel = std::make_shared<canceller>(strand);
    auto [escaped] = co_await asio::co_spawn(
        strand, walk(std::move(stream), j, cancel.get(), t),
        asio::bind_cancellation_slot(cancel->signal.slot(), asio::as_tuple(asio::use_awaitable)));
    cancel->finish();
    if (escaped) ++t.unexpected;  // walk() counts every end it expects
  }

  template <class Stream>
  asio::awaitable<void> walk(Stream stream, const job& j, canceller* cancel, outcome_tally& t) {
    run_checker check(data_[j.schedule].runs, static_cast<std::size_t>(j.walk.start_offset));
    try {
      bool more = co_await steps(stream, check, j.steps_before);
      if (more && j.end == ending::abandon) {
        ++t.abandoned;  // the stream goes with this frame, its next pages in flight
        check.report_to(t);
        co_return;
      }
      if (more && j.end == ending::timer_race) {
        asio::steady_timer timer(co_await asio::this_coro::executor, j.cancel_delay);
        auto winner = co_await (caught(steps(stream, check, all)) || timer.async_wait(asio::use_awaitable));
        if (winner.index() == 1) {
          ++t.cancelled;
          check.report_to(t);
          co_return;
        }
        if (std::get<0>(winner)) std::rethrow_exception(std::get<0>(winner));
      } else if (more) {
        if (j.end == ending::signal_cancel) cancel->arm(j.cancel_delay);
        co_await steps(stream, check, all);
      }
      ++(check.whole() ? t.completed : t.unexpected);
    } catch (...) {
      count_failure(t, std::current_exception(), j.end == ending::signal_cancel || j.end == ending::timer_race);
    }
    check.report_to(t);
  }

  // Takes up to `count` pages or runs; false once the walk has ended.
  template <class Stream>
  static asio::awaitable<bool> steps(Stream& stream, run_checker& check, std::size_t count) {
    for (std::size_t i = 0; i < count; ++i)
      if (!co_await step(stream, check)) co_return false;
    co_return true;
  }
  static asio::awaitable<bool> step(ha::run_stream& runs, run_checker& check) {
    auto run = co_await runs.next();
    if (run) check.see(run->id);
    co_return run.has_value();
  }
  static asio::awaitable<bool> step(ha::page_stream& pages, run_checker& check) {
    auto page = co_await pages.next();
    if (page) check.see_page(page->offset, page->history.runs);
    co_return page.has_value();
  }

  void count_failure(outcome_tally& t, std::exception_ptr failure, bool cancellable) {
    try {
      std::rethrow_exception(failure);
    } catch (const ha::api_error& e) {
      if (e.code() != ha::errc::cancelled) ++t.failed;
      else ++(cancellable ? t.cancelled : t.unexpected);
    } catch (const boost::system::system_error& e) {  // a cancelled co_await inside the walk
      ++(cancellable && e.code() == asio::error::operation_aborted ? t.cancelled : t.unexpected);
    } catch (...) {
      ++t.unexpected;
    }
  }

  // One page: through the completion-token API with its handler bound to a cancellation slot,
  // or awaited, racing a timer.
  asio::awaitable<void> call(const job& j, outcome_tally& t) {
    ++t.started;
    ha::history_query query;
    query.organization_id = fixture_.organization;
    query.limit = j.walk.page_size;
    query.offset = j.walk.start_offset;
    query.call = j.walk.call;
    if (j.awaitable_call) {
      // Counted here, once the race is decided: a call may still complete after losing it.
      std::optional<ha::schedule_history> page;
      std::exception_ptr failure;
      if (j.end == ending::timer_race) {
        asio::steady_timer timer(co_await asio::this_coro::executor, j.cancel_delay);
        auto winner = co_await (caught(awaited_call(j, std::move(query), page)) || timer.async_wait(asio::use_awaitable));
        if (winner.index() == 1) {
          ++t.cancelled;
          co_return;
        }
        failure = std::get<0>(winner);
      } else {
        failure = co_await caught(awaited_call(j, std::move(query), page));
      }
      if (failure) count_failure(t, failure, j.end == ending::timer_race);
      else check_page(j, page->runs, t);
      co_return;
    }
    auto cancel = std::make_shared<canceller>(co_await asio::this_coro::executor);
    if (j.end == ending::signal_cancel) cancel->arm(j.cancel_delay);
    ha::error_details details;  // written at completion
    auto [ec, page] = co_await client_.async_get_schedule_history(
        ids_[j.schedule], std::move(query), &details,
        asio::bind_cancellation_slot(cancel->signal.slot(), asio::as_tuple(asio::use_awaitable)));
    cancel->finish();
    if (ec == ha::errc::cancelled || ec == asio::error::operation_aborted) {
      ++(j.end == ending::signal_cancel ? t.cancelled : t.unexpected);
    } else if (ec) {
      ++t.failed;
    } else {
      check_page(j, page.runs, t);
    }
  }

  asio::awaitable<void> awaited_call(const job& j, ha::history_query query, std::optional<ha::schedule_history>& page) {
    page = co_await client_.get_schedule_history(ids_[j.schedule], std::move(query));
  }

  // A call's page must be the data set's slice at its offset, whole.
  void check_page(const job& j, const std::vector<ha::command_run>& runs, outcome_tally& t) {
    run_checker check(data_[j.schedule].runs, static_cast<std::size_t>(j.walk.start_offset));
    check.see_page(j.walk.start_offset, runs);
    check.report_to(t);
    const std::size_t left = data_[j.schedule].runs.size() - static_cast<std::size_t>(j.walk.start_offset);
    ++(runs.size() == std::min(left, static_cast<std::size_t>(j.walk.page_size)) ? t.completed
                                                                                 : t.unexpected);
  }

  // walk_schedules over every schedule and one unknown to the server (a 404), cancelled once
  // its walks have handed out steps_before runs if the job says so.
  asio::awaitable<void> batch(const job& j, outcome_tally& t) {
    std::vector<std::string> ids = ids_;
    ids.push_back(ha::format_uuid(ha::testing::make_uuid(31337)));
    static const std::vector<ha::command_run> no_runs;
    std::map<std::string, run_checker> checks;  // each touched by its own schedule's walk only
    for (std::size_t i = 0; i < ids.size(); ++i) checks.emplace(ids[i], run_checker(i < data_.size() ? data_[i].runs : no_runs, 0));
    t.started += ids.size();

    const auto strand = co_await asio::this_coro::executor;
    auto cancel = std::make_shared<canceller>(strand);
    const bool cancellable = j.end == ending::signal_cancel;
    std::atomic<std::size_t> runs_seen{0};
    // Called on the client's threads, one at a time per schedule.
    auto on_run = [&, strand, cancel](const std::string& id, const ha::command_run& run) {
      checks.at(id).see(run.id);
      if (cancellable && ++runs_seen == j.steps_before)
        asio::post(strand, [cancel, delay = j.cancel_delay] { cancel->arm(delay); });
    };
    auto [escaped, results] = co_await asio::co_spawn(
        strand, ha::walk_schedules(client_, ids, j.walk, 4, on_run),
        asio::bind_cancellation_slot(cancel->signal.slot(), asio::as_tuple(asio::use_awaitable)));
    cancel->finish();
    for (const auto& [id, check] : checks) check.report_to(t);
    if (escaped || results.size() != ids.size()) {
      t.unexpected += ids.size();
      co_return;
    }
    for (std::size_t i = 0; i < results.size(); ++i) {
      const ha::schedule_walk_result& r = results[i];
      if (r.error == ha::errc::cancelled) ++(cancellable ? t.cancelled : t.unexpected);
      else if (r.error) ++t.failed;
      else ++(checks.at(r.schedule_id).whole() && i < data_.size() ? t.completed : t.unexpected);
    }
  }

  const stress_config config_;
  stress_plan plan_;
  client_fixture fixture_;  // the fake server (its own thread), the io_context, the first schedule
  ha::client client_;
  std::vector<ha::testing::schedule_data> data_;
  std::vector<std::string> ids_;
  std::vector<std::size_t> lengths_;  // of the histories, for the plan
  outcome_tally tally_;
  std::mutex under_way_mutex_;   // lanes run on several threads
  std::set<const job*> under_way_;  // the jobs started and not ended, for the report of a hang
  std::vector<std::string> miscounted_;  // the jobs that did not end exactly once, described
};

}  // namespace

BOOST_AUTO_TEST_SUITE(cancellation_stress)

BOOST_AUTO_TEST_CASE(every_walk_ends_when_four_threads_cancel_abandon_and_fail_them) {
  stress_run run({.seed = seed_or_env(20240611), .threads = 4, .jobs = scaled(2000), .lanes = 96, .batches = 4,
                  .users_cancel = true, .limit = 60s});
  run.script_faults(scaled(6000));
  run.run_and_check();
}

// One thread runs the io_context, yet the client keeps its strands: handlers that Asio
// dispatches to another strand are posted all the same, so the same races are open.
BOOST_AUTO_TEST_CASE(every_walk_ends_on_one_thread_with_a_client_that_uses_strands) {
  stress_run run({.seed = seed_or_env(20240612), .threads = 1, .jobs = scaled(600), .lanes = 48, .batches = 2,
                  .users_cancel = true, .limit = 60s});
  run.script_faults(scaled(2000));
  run.run_and_check();
}

// No one cancels: a page that fails while others of its walk are in flight cancels them.
BOOST_AUTO_TEST_CASE(every_walk_ends_when_only_the_server_fails_them) {
  stress_run run({.seed = seed_or_env(20240613), .threads = 4, .jobs = scaled(1000), .lanes = 64, .batches = 1,
                  .users_cancel = false, .limit = 60s});
  run.script_faults(scaled(8000));
  run.run_and_check();
}

BOOST_AUTO_TEST_SUITE_END()
