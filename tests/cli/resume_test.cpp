// humm-history batch --state: a real batch killed with SIGKILL, stopped by SIGINT and SIGTERM,
// resumed with every run in its output exactly once; torn and foreign journals, failed
// schedules retried, --since, --incremental and the usage errors of these flags.

#include "cli_fixture.hpp"

#include <humm/analyst/timestamp.hpp>

#include <boost/test/unit_test.hpp>

#include <signal.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

namespace json = boost::json;
namespace ha = humm::analyst;
namespace hat = humm::analyst::testing;
using namespace humm_test;
using namespace std::chrono_literals;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_file(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

std::uint64_t file_size(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  return ec ? 0 : size;
}

// Polls `condition` every 2 ms for up to `limit`.
bool wait_until(const std::function<bool()>& condition, std::chrono::seconds limit = 30s) {
  const auto give_up = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

class temp_directory {
 public:
  temp_directory() {
    char path[] = "/tmp/humm-history-resume-XXXXXX";
    if (!mkdtemp(path)) throw std::runtime_error("mkdtemp failed");
    this->path = path;
  }
  ~temp_directory() { std::filesystem::remove_all(path); }
  std::string path;
};

struct resume_fixture {
  cli_server api;
  std::vector<hat::schedule_data> schedules;
  temp_directory dir;
  const std::string ids = dir.path + "/ids.txt", output = dir.path + "/runs.ndjson", state = dir.path + "/state.jsonl";

  explicit resume_fixture(std::size_t count, std::size_t first_runs = 15, std::size_t more_runs = 20) {
    std::string list;
    for (std::size_t i = 0; i < count; ++i) {
      schedules.push_back(api.server.add_schedule(first_runs + more_runs * i, 300 + i));
      list += id_of(schedules.back()) + "\n";
    }
    write_file(ids, list);
  }

  // The batch with `extra` flags; one of the fixture's own flags given again takes the new value.
  std::vector<std::string> command(std::vector<std::string> extra = {}) const {
    std::vector<std::string> command{"batch", "--org", api.org, "--schedules-file", ids, "--output", output,
                                     "--state", state, "--page-size", "10"};
    for (std::size_t i = 0; i < extra.size(); ++i) {
      const auto given = std::find(command.begin(), command.end(), extra[i]);
      if (given != command.end() && i + 1 < extra.size())
        *std::next(given) = extra[++i];
      else
        command.push_back(extra[i]);
    }
    return command;
  }
  std::unique_ptr<background_process> start(std::vector<std::string> extra = {}) const {
    return std::make_unique<background_process>(exe, api.args(command(std::move(extra))), api.env());
  }

  // The run ids of the output, each as many times as it is there.
  std::multiset<std::string> output_runs() const {
    std::multiset<std::string> runs;
    for (const json::value& v : ndjson_values(read_file(output))) runs.emplace(v.at("id").as_string());
    return runs;
  }
  std::multiset<std::string> every_run() const {
    std::multiset<std::string> runs;
    for (const auto& s : schedules)
      for (const auto& run : s.runs) runs.insert(ha::format_uuid(run.id));
    return runs;
  }
  // The whole lines of the journal that parse (a line being appended is left out).
  std::vector<json::object> journal() const {
    std::vector<json::object> lines;
    const std::string text = read_file(state);
    for (std::size_t start = 0, end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
      json::error_code ec;
      json::value v = json::parse(std::string_view(text).substr(start, end - start), ec);
      if (!ec && v.is_object()) lines.push_back(v.as_object());
    }
    return lines;
  }
  std::set<std::string> recorded(const char* kind) const {
    std::set<std::string> ids;
    for (const auto& line : journal())
      if (line.contains(kind)) ids.emplace(line.at(kind).as_string());
    return ids;
  }
  std::uint64_t committed_length() const {
    std::uint64_t length = 0;
    for (const auto& line : journal())
      if (line.contains("output_length")) length = line.at("output_length").to_number<std::uint64_t>();
    return length;
  }
  bool ended() const {
    const auto lines = journal();
    return !lines.empty() && lines.back().contains("end");
  }
  // Waits until `done` schedules are committed and another one's runs are written but not
  // committed yet: the moment that shows what a stop keeps. False if the batch ended first.
  bool wait_for_uncommitted_runs(const background_process& batch, std::size_t done = 1) const {
    const auto uncommitted = [&] { return recorded("done").size() >= done && file_size(output) > committed_length(); };
    return wait_until([&] { return batch.ended() || uncommitted(); }) && uncommitted();
  }
  std::size_t requests_of(const hat::schedule_data& s) const {
    const auto by_path = api.server.counters().by_path;
    const auto it = by_path.find("/reports/schedules/" + id_of(s) + "/runs");
    return it == by_path.end() ? 0 : it->second;
  }
};

// Resumes a stopped batch and checks that the output then holds every run exactly once.
void resume_and_check_exactly_once(const resume_fixture& f, std::vector<std::string> extra = {}) {
  const auto resumed = f.api.run(f.command(std::move(extra)));
  BOOST_TEST(resumed.exit_code == 0, resumed.err);
  BOOST_TEST(f.output_runs() == f.every_run(), boost::test_tools::per_element());
  BOOST_TEST(lines_of(read_file(f.output)).size() == f.every_run().size());
  BOOST_TEST(f.ended());
}

}  // namespace

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

BOOST_AUTO_TEST_CASE(failed_schedules_are_recorded_and_retry_failed_completes_them_exactly_once) {
  resume_fixture f(3);  // 15, 35 and 55 runs: 2, 4 and 6 pages, walked one schedule at a time
  // The second schedule's third page fails: its first 20 runs are committed with the error.
  f.api.server.push_fault({.times = 2 + 2});
  f.api.server.push_fault({.status = 500});
  const auto failed = f.api.run(f.command({"--concurrency", "1", "--retries", "0"}));
  BOOST_TEST(failed.exit_code == 1);
  const std::string flaky = id_of(f.schedules[1]);
  BOOST_TEST(failed.err.find("humm-history: schedule " + flaky + ": ") == 0u, failed.err);
  BOOST_TEST(failed.err.find("humm-history: 1 of 3 schedules failed: --retry-failed walks them again") !=
             std::string::npos);
  json::object record;
  for (const auto& line : f.journal())
    if (line.contains("failed")) record = line;
  BOOST_TEST_REQUIRE(record.contains("failed"));
  BOOST_TEST(record.at("failed").as_string() == flaky);
  BOOST_TEST(record.at("resume_offset") == 20);
  BOOST_TEST(record.at("runs") == 20);
  BOOST_TEST(record.at("error").as_string().find("500") != json::string::npos);
  BOOST_TEST(f.ended());

  // Three new runs push the committed ones onto the pages after the resume offset.
  f.api.server.insert_runs_at_head(f.schedules[1].schedule.id, 3);
  f.api.server.reset_counters();
  const auto plain = f.api.run(f.command());
  BOOST_TEST(plain.exit_code == 1);
  BOOST_TEST(plain.err.find("1 failed: --retry-failed walks them again") != std::string::npos, plain.err);
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

BOOST_AUTO_TEST_CASE(since_keeps_the_runs_created_at_or_after_it_and_stops_each_walk_there) {
  resume_fixture f(3, 60, 0);  // 60 runs each: 6 pages of 10
  const ha::timestamp since = *f.schedules[0].runs[14].created_at;
  const auto r = f.api.run({"batch", "--org", f.api.org, "--schedules-file", f.ids, "--output", f.output, "--page-size",
                            "10", "--since", ha::format_timestamp(since)});
  BOOST_TEST(r.exit_code == 0, r.err);
  std::multiset<std::string> expected;
  for (const auto& s : f.schedules)
    for (const auto& run : s.runs)
      if (*run.created_at >= since) expected.insert(ha::format_uuid(run.id));
  BOOST_TEST(f.output_runs() == expected, boost::test_tools::per_element());
  BOOST_TEST(f.api.server.counters().requests < 18u);

  const auto all = f.api.run({"batch", "--org", f.api.org, "--schedules-file", f.ids, "--output", f.output, "--since",
                              "36500d"});
  BOOST_TEST(all.exit_code == 0);
  BOOST_TEST(f.output_runs() == f.every_run(), boost::test_tools::per_element());  // and the file was truncated first
}

BOOST_AUTO_TEST_CASE(incremental_walks_back_only_to_the_newest_run_recorded_less_the_overlap) {
  resume_fixture f(3, 200, 0);  // 200 runs each: 10 pages of 20
  // Runs are 15 minutes to a day apart: 3 days hold a few of each schedule's older runs.
  const std::vector<std::string> incremental{"--incremental", "--overlap", "3d", "--page-size", "20"};
  BOOST_TEST_REQUIRE(f.api.run(f.command(incremental)).exit_code == 0);
  BOOST_TEST(f.output_runs() == f.every_run(), boost::test_tools::per_element());

  for (const auto& s : f.schedules) f.api.server.insert_runs_at_head(s.schedule.id, 5);
  f.api.server.reset_counters();
  const auto next = f.api.run(f.command(incremental));
  BOOST_TEST(next.exit_code == 0, next.err);
  BOOST_TEST(f.journal().front().at("generation") == 2);
  // Each schedule: its 5 new runs and the runs of the 3 days before its newest, from a page or two.
  std::map<std::string, std::size_t> fresh;
  std::multiset<std::string> old, expected_old;
  for (const json::value& v : ndjson_values(read_file(f.output))) {
    const std::string schedule(v.at("schedule_id").as_string());
    const auto data = std::find_if(f.schedules.begin(), f.schedules.end(), [&](const auto& s) { return id_of(s) == schedule; });
    BOOST_TEST_REQUIRE((data != f.schedules.end()));
    if (*ha::parse_timestamp(v.at("created_at").as_string()) > *data->runs.front().created_at)
      ++fresh[schedule];
    else
      old.emplace(v.at("id").as_string());
  }
  for (const auto& s : f.schedules) {
    BOOST_TEST(fresh[id_of(s)] == 5u);
    BOOST_TEST(f.requests_of(s) <= 2u);
    for (const auto& run : s.runs)
      if (*run.created_at >= *s.runs.front().created_at - 72h) expected_old.insert(ha::format_uuid(run.id));
  }
  BOOST_TEST_REQUIRE(expected_old.size() > 2 * f.schedules.size());  // the overlap re-reads more than the newest
  BOOST_TEST(old == expected_old, boost::test_tools::per_element());

  // Without --incremental, the finished generation's journal is another batch's.
  const auto plain = f.api.run(f.command({"--page-size", "20"}));
  BOOST_TEST(plain.exit_code == 2);
  BOOST_TEST(plain.err.find("no --incremental (the journal's batch has it)") != std::string::npos, plain.err);
}

BOOST_AUTO_TEST_CASE(a_finished_batch_run_again_has_nothing_left_to_do) {
  resume_fixture f(2);
  BOOST_TEST_REQUIRE(f.api.run(f.command()).exit_code == 0);
  const std::string output = read_file(f.output);
  f.api.server.reset_counters();
  const auto again = f.api.run(f.command());
  BOOST_TEST(again.exit_code == 0);
  BOOST_TEST(again.err == "humm-history: nothing left to do: the batch in " + f.state +
                              " walked all its 2 schedules (generation 1); --incremental fetches what is new\n");
  BOOST_TEST(read_file(f.output) == output);
  BOOST_TEST(f.api.server.counters().requests == 0u);
}

BOOST_AUTO_TEST_CASE(flags_that_do_not_combine_exit_2_before_any_request_or_file) {
  resume_fixture f(1);
  const std::string batch_list = f.ids;
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
      {{"--state", f.state},
       "--state needs --output FILE: standard output cannot be cut back to what the journal committed"},
      {{"--output", f.output, "--retry-failed"}, "--retry-failed needs --state FILE, the journal that records the failures"},
      {{"--output", f.output, "--incremental"},
       "--incremental needs --state FILE, the journal that records the newest runs"},
      {{"--output", f.output, "--state", f.state, "--overlap", "2h"}, "--overlap applies to --incremental only"},
      {{"--output", f.output, "--state", f.state, "--incremental", "--overlap", "2 hours"},
       "--overlap: expected a duration (90s, 30m, 24h, 7d), got \"2 hours\""},
      {{"--since", "last tuesday"},
       "--since: expected an RFC 3339 date-time (2026-11-01T06:00:00Z) or a duration back from now (90s, 30m, 24h, "
       "7d), got \"last tuesday\""},
      {{"--output", f.output, "--state", f.state, "--format", "json"},
       "--state needs --format ndjson or csv: a JSON array or a table cannot be resumed by appending to it"},
      {{"--output", f.output, "--state", f.dir.path + "/../" + std::filesystem::path(f.dir.path).filename().string() +
                                             "/runs.ndjson"},
       "--state and --output name the same file"},
  };
  for (const auto& [extra, why] : cases) {
    std::vector<std::string> command{"batch", "--org", f.api.org, "--schedules-file", batch_list};
    command.insert(command.end(), extra.begin(), extra.end());
    const auto r = f.api.run(command);
    BOOST_TEST(r.exit_code == 2);
    BOOST_TEST(r.err == "humm-history: " + why + "\n");
  }
  BOOST_TEST(f.api.server.counters().connections_accepted == 0u);
  BOOST_TEST(!std::filesystem::exists(f.state));
  BOOST_TEST(!std::filesystem::exists(f.output));
}

BOOST_AUTO_TEST_SUITE_END()
