// humm-history batch --since and --incremental: runs at or after a time, each schedule walked
// back only to the newest run a journal recorded less an overlap; a finished batch run again;
// the flags of resumable batches that do not combine.

#include "resume_fixture.hpp"

#include <humm/analyst/timestamp.hpp>
#include <humm/analyst/uuid.hpp>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <filesystem>
#include <map>

namespace json = boost::json;
namespace ha = humm::analyst;
using namespace humm_test;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(batch_incremental)

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
      {{"--since", "365001d"},  // more than 1,000 years: a typo
       "--since: expected an RFC 3339 date-time (2026-11-01T06:00:00Z) or a duration back from now (90s, 30m, 24h, "
       "7d), got \"365001d\""},
      {{"--since", "last tuesday"},
       "--since: expected an RFC 3339 date-time (2026-11-01T06:00:00Z) or a duration back from now (90s, 30m, 24h, "
       "7d), got \"last tuesday\""},
      {{"--output", f.ids}, "--output and --schedules-file name the same file"},
      {{"--output", f.ids, "--state", f.state}, "--output and --schedules-file name the same file"},
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
  const auto empty_state = f.api.run({"batch", "--org", f.api.org, "--schedules-file", batch_list, "--output", f.output,
                                      "--state", ""});
  BOOST_TEST(empty_state.exit_code == 2);
  BOOST_TEST(empty_state.err.find("--state") != std::string::npos, empty_state.err);
  BOOST_TEST(read_file(batch_list).find(id_of(f.schedules[0])) != std::string::npos);
  // A journal to retry that does not exist: refused, and none is left behind.
  const auto retry = f.api.run(f.command({"--retry-failed"}));
  BOOST_TEST(retry.exit_code == 2);
  BOOST_TEST(retry.err == "humm-history: --retry-failed: " + f.state + " holds no journal: nothing to retry\n");
  BOOST_TEST(f.api.server.counters().connections_accepted == 0u);
  BOOST_TEST(!std::filesystem::exists(f.state));
  BOOST_TEST(!std::filesystem::exists(f.output));
}

BOOST_AUTO_TEST_CASE(a_since_in_the_future_is_taken_with_a_one_line_warning) {
  resume_fixture f(1);
  const auto r = f.api.run(f.command({"--since", "2999-01-01T00:00:00Z"}));
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(r.err == "humm-history: warning: --since 2999-01-01T00:00:00Z is in the future: no run is that new yet\n");
  BOOST_TEST(f.output_runs().empty());
  const auto past = f.api.run(f.command({"--since", "24h", "--state", f.dir.path + "/past.jsonl", "--output",
                                         f.dir.path + "/past.ndjson"}));
  BOOST_TEST(past.err.find("warning") == std::string::npos, past.err);
}

BOOST_AUTO_TEST_CASE(a_batch_without_a_token_exits_2_and_leaves_its_output_file_untouched) {
  resume_fixture f(1);
  write_file(f.output, "last night's runs\n");
  const auto r = f.api.run({"batch", "--org", f.api.org, "--schedules-file", f.ids, "--output", f.output}, clean_env());
  BOOST_TEST(r.exit_code == 2, r.err);
  BOOST_TEST(read_file(f.output) == "last night's runs\n");
}

BOOST_AUTO_TEST_CASE(an_output_that_cannot_be_opened_exits_2_and_leaves_no_journal) {
  resume_fixture f(1);
  const std::string missing = f.dir.path + "/no/such/dir/runs.ndjson";
  const auto plain = f.api.run({"batch", "--org", f.api.org, "--schedules-file", f.ids, "--output", missing});
  BOOST_TEST(plain.exit_code == 2);
  BOOST_TEST(plain.err == "humm-history: --output: cannot open '" + missing + "': No such file or directory\n");
  const auto journaled = f.api.run(f.command({"--output", missing}));
  BOOST_TEST(journaled.exit_code == 2);
  BOOST_TEST(journaled.err == "humm-history: cannot open the output '" + missing + "': No such file or directory\n");
  BOOST_TEST(!std::filesystem::exists(f.state));
  BOOST_TEST(f.api.server.counters().requests == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
