// humm-history batch --state: a real batch killed with SIGKILL, stopped by SIGINT and SIGTERM,
// resumed with every run in its output exactly once; torn and foreign journals, and failed
// schedules retried with --retry-failed.

#include "resume_fixture.hpp"

#include <humm/analyst/encode.hpp>
#include <humm/analyst/uuid.hpp>

#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>

namespace json = boost::json;
namespace ha = humm::analyst;
using namespace humm_test;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(batch_resume)

BOOST_AUTO_TEST_CASE(a_batch_killed_mid_way_resumes_with_every_run_once_and_walks_no_committed_schedule_again) {
  resume_fixture f(8);  // 15 to 155 runs: 72 pages of 10, about 2 s at 2 pages a time
  f.api.server.push_fault({.delay = 60ms, .times = 1000});
  auto batch = f.start({"--concurrency", "2"});
  BOOST_TEST_REQUIRE(f.wait_for_uncommitted_runs(*batch, 2));
  batch->signal(SIGKILL);
  const auto killed = batch->wait();
  BOOST_TEST_REQUIRE(killed.exit_code == 128 + SIGKILL, "the batch ended before it could be killed: " << killed.err);
  const std::set<std::string> committed = f.recorded("done");
  BOOST_TEST_REQUIRE(file_size(f.output) > f.committed_length());  // what the resume must cut off
  BOOST_TEST(committed.size() < f.schedules.size());

  f.api.server.reset_counters();
  resume_and_check_exactly_once(f, {"--concurrency", "2"});
  for (const auto& s : f.schedules) {
    if (committed.contains(id_of(s)))
      BOOST_TEST(f.requests_of(s) == 0u, id_of(s) << " was committed before the kill");
    else
      BOOST_TEST(f.requests_of(s) > 0u, id_of(s) << " was not");
  }
}

BOOST_AUTO_TEST_CASE(the_first_sigint_or_sigterm_commits_what_is_finished_and_exits_130_or_143) {
  for (const int signal : {SIGINT, SIGTERM}) {
    resume_fixture f(8);
    f.api.server.push_fault({.delay = 60ms, .times = 1000});
    auto batch = f.start({"--concurrency", "2"});
    BOOST_TEST_REQUIRE(f.wait_for_uncommitted_runs(*batch));
    batch->signal(signal);
    const auto stopped = batch->wait();
    BOOST_TEST(stopped.exit_code == 128 + signal);
    BOOST_TEST(stopped.err == "humm-history: interrupted: stopping; finished schedules are committed to " + f.state +
                                  ", and the same command walks the others (a second signal exits at once)\n");
    // Every byte written is committed (the finished schedules written since the last commit);
    // the walks in progress wrote nothing.
    BOOST_TEST(file_size(f.output) == f.committed_length());
    BOOST_TEST(!f.ended());
    BOOST_TEST(f.recorded("done").size() < f.schedules.size());
    resume_and_check_exactly_once(f);
  }
}

BOOST_AUTO_TEST_CASE(a_second_signal_exits_at_once) {
  resume_fixture f(8);
  f.api.server.push_fault({.delay = 60ms, .times = 1000});
  auto batch = f.start({"--concurrency", "2"});
  BOOST_TEST_REQUIRE(f.wait_for_uncommitted_runs(*batch));
  // Stopped, the process receives both signals before it runs again: the second comes while
  // the first is being handled, whatever the machine's load (in either order).
  batch->signal(SIGSTOP);
  batch->signal(SIGINT);
  batch->signal(SIGTERM);
  batch->signal(SIGCONT);
  const auto r = batch->wait();
  BOOST_TEST((r.exit_code == 128 + SIGINT || r.exit_code == 128 + SIGTERM), r.exit_code);  // 128 + the second one
  BOOST_TEST(r.err.find("humm-history: interrupted again: exiting at once; " + f.state + " holds what was committed\n") !=
                 std::string::npos,
             r.err);
  BOOST_TEST(file_size(f.output) > f.committed_length());  // at once: not even the finished schedules were committed
  resume_and_check_exactly_once(f);
}

BOOST_AUTO_TEST_CASE(a_torn_last_journal_line_is_ignored_and_its_schedule_walked_again) {
  resume_fixture f(4);
  BOOST_TEST_REQUIRE(f.api.run(f.command({"--concurrency", "1"})).exit_code == 0);
  // As a crash while the last record was appended leaves it: no end line, half a record.
  const std::string journal = read_file(f.state);
  const auto lines = lines_of(journal);
  BOOST_TEST_REQUIRE(lines.size() == 6u);  // header, 4 records, end
  const std::string torn = lines[4].substr(0, lines[4].size() / 2);
  write_file(f.state, journal.substr(0, journal.find(lines[4])) + torn);
  const std::string last_schedule = id_of(f.schedules[3]);
  BOOST_TEST_REQUIRE(lines[4].find(last_schedule) != std::string::npos);

  f.api.server.reset_counters();
  resume_and_check_exactly_once(f);
  for (std::size_t i = 0; i < 3; ++i) BOOST_TEST(f.requests_of(f.schedules[i]) == 0u);
  BOOST_TEST(f.requests_of(f.schedules[3]) > 0u);
  BOOST_TEST(read_file(f.state).find(torn + "{") == std::string::npos);  // cut off, not continued
  BOOST_TEST(f.journal().size() == 6u);
}

BOOST_AUTO_TEST_CASE(a_journal_of_other_arguments_is_refused_with_exit_2_and_nothing_changed) {
  resume_fixture f(3);
  BOOST_TEST_REQUIRE(f.api.run(f.command()).exit_code == 0);
  const std::string output = read_file(f.output), journal = read_file(f.state);
  f.api.server.reset_counters();
  write_file(f.dir.path + "/two.txt", id_of(f.schedules[0]) + "\n" + id_of(f.schedules[1]) + "\n");
  const std::string other_output = f.dir.path + "/other.ndjson";
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
      {{"--schedules-file", f.dir.path + "/two.txt"}, "the list of schedules: 2 ids, the journal's has 3 (another --schedules-file or --shard)"},
      {{"--format", "csv"}, "--format csv (the journal's: ndjson)"},
      {{"--since", "2026-01-01T00:00:00Z"}, "--since 2026-01-01T00:00:00Z (the journal's: none)"},
      {{"--output", other_output}, "--output " + other_output + " (the journal's: " + f.output + ")"},
  };
  for (const auto& [extra, difference] : cases) {
    const auto r = f.api.run(f.command(extra));
    BOOST_TEST(r.exit_code == 2);
    BOOST_TEST(r.err == "humm-history: " + f.state + " records another batch: " + difference +
                            "; give the journal's arguments to resume it, or use another --state file\n");
  }
  BOOST_TEST(!std::filesystem::exists(other_output));

  // A corrupt line before the last, and a file that is no journal at all.
  const auto lines = lines_of(journal);
  write_file(f.state, lines[0] + "\n{oops\n" + lines[2] + "\n");
  auto r = f.api.run(f.command());
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(r.err == "humm-history: " + f.state + ":2: not a JSON object\n");
  r = f.api.run(f.command({"--state", f.ids}));
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(r.err == "humm-history: " + f.ids + ":1: not a JSON object\n");
  BOOST_TEST(read_file(f.ids).find(id_of(f.schedules[2])) != std::string::npos);
  BOOST_TEST(read_file(f.output) == output);
  BOOST_TEST(f.api.server.counters().connections_accepted == 0u);
}

BOOST_AUTO_TEST_CASE(a_journal_resumed_against_another_base_url_is_refused_with_exit_2_naming_it) {
  resume_fixture f(2);
  f.api.server.push_fault({.times = 2});
  f.api.server.push_fault({.status = 503});  // the second schedule fails: the journal has work left
  BOOST_TEST_REQUIRE(f.api.run(f.command({"--concurrency", "1", "--retries", "0"})).exit_code == 1);
  const std::string journal = read_file(f.state);
  auto args = f.api.args(f.command());
  const std::string other = "https://127.0.0.1:1";
  *std::next(std::find(args.begin(), args.end(), "--base-url")) = other;
  const auto r = run_process(exe, args, f.api.env());
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(r.err == "humm-history: " + f.state + " records another batch: --base-url " + other + " (the journal's: " +
                          f.api.server.base_url() + "); give the journal's arguments to resume it, or use another --state file\n");
  BOOST_TEST(read_file(f.state) == journal);
}

BOOST_AUTO_TEST_CASE(a_journal_line_over_1_mib_is_refused_naming_the_file_and_line_and_a_non_journal_at_its_first_line) {
  resume_fixture f(2);
  f.api.server.push_fault({.times = 2});
  f.api.server.push_fault({.status = 503});  // the journal has work left: a resume would read it
  BOOST_TEST_REQUIRE(f.api.run(f.command({"--concurrency", "1", "--retries", "0"})).exit_code == 1);
  const auto lines = lines_of(read_file(f.state));
  // Valid JSON still (whitespace before the object), but no journal line is that long.
  write_file(f.state, lines[0] + "\n" + std::string(1 << 20, ' ') + lines[1] + "\n");
  const std::string journal = read_file(f.state);
  auto r = f.api.run(f.command());
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(r.err == "humm-history: " + f.state + ":2: a line longer than 1 MiB: not a humm-history batch journal\n");
  BOOST_TEST(read_file(f.state) == journal);

  // A large file that is no journal: refused at its first line, whatever follows.
  write_file(f.state, "id,name\n" + std::string(2 << 20, 'x') + "\n");
  r = f.api.run(f.command());
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(r.err == "humm-history: " + f.state + ":1: not a JSON object\n");
  BOOST_TEST(f.api.server.counters().requests == 3u);  // the first batch's only
}

BOOST_AUTO_TEST_CASE(a_journal_replacement_left_by_a_crash_is_removed_at_the_next_start) {
  resume_fixture f(1);
  const std::string stale = f.state + ".new-Ab12Cd", unrelated = f.state + ".new-notours";
  write_file(stale, "a half-written journal\n");
  write_file(unrelated, "someone else's\n");
  const auto r = f.api.run(f.command());
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(!std::filesystem::exists(stale));
  BOOST_TEST(std::filesystem::exists(unrelated));
  BOOST_TEST(f.ended());
}

BOOST_AUTO_TEST_CASE(failed_schedules_are_recorded_and_retry_failed_completes_them_exactly_once) {
  resume_fixture f(3);  // 15, 35 and 55 runs: 2, 4 and 6 pages, walked one schedule at a time
  // The second schedule's third page fails: its first 20 runs are committed with the error
  // (whose body echoes the token, which the journal must not hold).
  f.api.server.push_fault({.times = 2 + 2});
  f.api.server.push_fault({.status = 500, .body = "{\"detail\":\"token " + f.api.server.options().token + " broke\"}"});
  const auto failed = f.api.run(f.command({"--concurrency", "1", "--retries", "0"}));
  BOOST_TEST(failed.exit_code == 1);
  const std::string flaky = id_of(f.schedules[1]);
  BOOST_TEST(failed.err.find("humm-history: schedule " + flaky + ": ") == 0u, failed.err);
  BOOST_TEST(failed.err.find("humm-history: 1 of 3 schedules failed: the same command walks them again") !=
             std::string::npos);
  json::object record;
  for (const auto& line : f.journal())
    if (line.contains("failed")) record = line;
  BOOST_TEST_REQUIRE(record.contains("failed"));
  BOOST_TEST(record.at("failed").as_string() == flaky);
  BOOST_TEST(record.at("resume_offset") == 20);
  BOOST_TEST(record.at("runs") == 20);
  BOOST_TEST(record.at("error").as_string().find("500") != json::string::npos, record.at("error"));
  BOOST_TEST(read_file(f.state).find(f.api.server.options().token) == std::string::npos);
  BOOST_TEST(f.ended());

  // Three new runs push the committed ones onto the pages after the resume offset.
  f.api.server.insert_runs_at_head(f.schedules[1].schedule.id, 3);
  f.api.server.reset_counters();
  const auto retried = f.api.run(f.command({"--retry-failed"}));
  BOOST_TEST(retried.exit_code == 0, retried.err);
  BOOST_TEST(f.output_runs() == f.every_run(), boost::test_tools::per_element());
  const auto counters = f.api.server.counters();
  BOOST_TEST(counters.requests == 2u);  // offsets 20 and 30 of the one failed schedule
  const std::string target = "/reports/schedules/" + flaky + "/runs?organization_id=" + f.api.org + "&limit=10&offset=";
  BOOST_TEST(counters.by_target.count(target + "20") == 1u);
  BOOST_TEST(f.recorded("done").contains(flaky));

  const auto again = f.api.run(f.command({"--retry-failed"}));
  BOOST_TEST(again.exit_code == 0);
  BOOST_TEST(again.err == "humm-history: nothing to retry: no schedule failed in " + f.state + "\n");
}

// A job runner (Kubernetes Job, Slurm --requeue) retries a failed shard by running the same
// command again: once the generation has ended, that walks the failed schedules again.
BOOST_AUTO_TEST_CASE(the_same_command_run_again_retries_a_schedule_that_failed_with_503_and_completes_the_output_once) {
  resume_fixture f(3);
  f.api.server.push_fault({.times = 2 + 2});  // the second schedule's third page: an outage
  f.api.server.push_fault({.status = 503});
  const auto failed = f.api.run(f.command({"--concurrency", "1", "--retries", "0"}));
  BOOST_TEST(failed.exit_code == 1, failed.err);
  BOOST_TEST(f.ended());
  BOOST_TEST(f.recorded("failed").contains(id_of(f.schedules[1])));

  f.api.server.reset_counters();
  const auto rerun = f.api.run(f.command({"--concurrency", "1", "--retries", "0"}));
  BOOST_TEST(rerun.exit_code == 0, rerun.err);
  BOOST_TEST(f.output_runs() == f.every_run(), boost::test_tools::per_element());
  BOOST_TEST(lines_of(read_file(f.output)).size() == f.every_run().size());
  BOOST_TEST(f.api.server.counters().requests == 2u);  // offsets 20 and 30 of the failed schedule only
  BOOST_TEST(f.recorded("done").contains(id_of(f.schedules[1])));

  const auto done = f.api.run(f.command());
  BOOST_TEST(done.exit_code == 0);
  BOOST_TEST(done.err.find("nothing left to do") != std::string::npos, done.err);
}

BOOST_AUTO_TEST_CASE(the_same_command_run_again_on_a_schedule_that_fails_with_404_exits_3) {
  resume_fixture f(2);
  f.api.server.push_fault({.times = 2});  // the first schedule's pages, then the second's first
  f.api.server.push_fault({.status = 404, .times = 2});
  const auto failed = f.api.run(f.command({"--concurrency", "1", "--retries", "0"}));
  BOOST_TEST(failed.exit_code == 3, failed.err);
  BOOST_TEST(f.ended());

  // The 404 is still there: the rerun walks it again and exits with its code, not 1.
  f.api.server.push_fault({.status = 404});
  const auto rerun = f.api.run(f.command({"--concurrency", "1", "--retries", "0"}));
  BOOST_TEST(rerun.exit_code == 3, rerun.err);
  BOOST_TEST(f.recorded("failed").contains(id_of(f.schedules[1])));
}

BOOST_AUTO_TEST_CASE(a_second_batch_with_another_state_but_the_same_output_exits_1_naming_the_output) {
  resume_fixture f(2);
  f.api.server.push_fault({.delay = 500ms, .times = 1000});
  auto first = f.start();
  BOOST_TEST_REQUIRE(wait_until([&] { return first->ended() || !f.journal().empty(); }));  // its files are prepared
  const std::string other_state = f.dir.path + "/other.jsonl";
  const auto second = f.api.run(f.command({"--state", other_state}));
  BOOST_TEST(second.exit_code == 1, second.err);
  BOOST_TEST(second.err == "humm-history: --output: '" + f.output +
                               "' is in use by another humm-history batch (another --state)\n");
  BOOST_TEST(!std::filesystem::exists(other_state));  // the journal it created is removed
  BOOST_TEST(first->wait().exit_code == 0);
  BOOST_TEST(f.output_runs() == f.every_run(), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_journal_locked_by_another_batch_exits_1_as_a_retry_later_may_succeed) {
  resume_fixture f(1);
  write_file(f.state, "");
  const int held = ::open(f.state.c_str(), O_RDWR | O_CLOEXEC);  // as the other batch holds it
  BOOST_TEST_REQUIRE(::flock(held, LOCK_EX | LOCK_NB) == 0);
  const auto r = f.api.run(f.command());
  ::close(held);
  BOOST_TEST(r.exit_code == 1, r.err);
  BOOST_TEST(r.err == "humm-history: --state: '" + f.state + "' is in use by another humm-history batch\n");
  BOOST_TEST(f.api.server.counters().requests == 0u);
}

BOOST_AUTO_TEST_CASE(a_csv_output_resumes_with_one_header_and_every_run_once) {
  resume_fixture f(3);
  const std::vector<std::string> csv{"--format", "csv", "--concurrency", "1"};
  BOOST_TEST_REQUIRE(f.api.run(f.command(csv)).exit_code == 0);
  // The last record torn: the third schedule's rows are cut off and written again.
  const std::string journal = read_file(f.state);
  const auto lines = lines_of(journal);
  write_file(f.state, journal.substr(0, journal.find(lines[3])) + lines[3].substr(0, 10));
  BOOST_TEST(f.api.run(f.command(csv)).exit_code == 0);
  const std::string text = read_file(f.output);
  std::string header;
  ha::append_csv_header(header);
  BOOST_TEST(text.starts_with(header));
  BOOST_TEST(text.find(header, 1) == std::string::npos);
  for (const std::string& run : f.every_run()) {
    const auto at = text.find(run);
    BOOST_TEST((at != std::string::npos && text.find(run, at + 1) == std::string::npos), run << " not once");
  }
}

BOOST_AUTO_TEST_CASE(without_a_journal_sigint_still_ends_the_json_array_and_exits_130) {
  resume_fixture f(8);
  f.api.server.push_fault({.delay = 60ms, .times = 1000});
  background_process batch(exe,
                           f.api.args({"batch", "--org", f.api.org, "--schedules-file", f.ids, "--output", f.output,
                                       "--format", "json", "--page-size", "10", "--concurrency", "2"}),
                           f.api.env());
  BOOST_TEST_REQUIRE(wait_until([&] { return batch.ended() || f.api.server.counters().requests >= 6; }));
  batch.signal(SIGINT);
  const auto r = batch.wait();
  BOOST_TEST(r.exit_code == 130);
  BOOST_TEST(r.err ==
             "humm-history: interrupted: stopping; the output holds the runs walked so far (a second signal exits at once)\n");
  json::error_code ec;
  const json::value runs = json::parse(read_file(f.output), ec);
  BOOST_TEST_REQUIRE(!ec, read_file(f.output));
  BOOST_TEST(!runs.as_array().empty());
  BOOST_TEST(runs.as_array().size() < f.every_run().size());
}

BOOST_AUTO_TEST_SUITE_END()
