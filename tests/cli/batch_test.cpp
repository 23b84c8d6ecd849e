// humm-history batch: many schedules, id lists with comments and mistakes, failures of some
// schedules, shards, concurrency and a reader that goes away.

#include "cli_fixture.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <thread>

namespace json = boost::json;
namespace ha = humm::analyst;
namespace hat = humm::analyst::testing;
using namespace humm_test;

namespace {

std::string upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::toupper(c); });
  return text;
}

// FNV-1a 64, written again here: the split must be reproducible outside the tool.
std::uint64_t fnv1a(const std::string& text) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const unsigned char c : text) hash = (hash ^ c) * 0x100000001b3ULL;
  return hash;
}

struct batch_fixture {
  cli_server api;
  std::vector<hat::schedule_data> schedules;

  explicit batch_fixture(std::size_t count = 6) {
    for (std::size_t i = 0; i < count; ++i) schedules.push_back(api.server.add_schedule(15 + 20 * i, 100 + i));
  }
  std::vector<std::string> batch(const std::string& file, std::vector<std::string> extra = {}) const {
    std::vector<std::string> command{"batch", "--org", api.org, "--schedules-file", file};
    command.insert(command.end(), extra.begin(), extra.end());
    return command;
  }
  std::string id_list() const {
    std::string text;
    for (const auto& s : schedules) text += id_of(s) + "\n";
    return text;
  }
  // schedule id -> run ids, in output order
  static std::map<std::string, std::vector<std::string>> runs_by_schedule(const std::string& ndjson) {
    std::map<std::string, std::vector<std::string>> result;
    for (const auto& v : ndjson_values(ndjson))
      result[std::string(v.at("schedule_id").as_string())].push_back(std::string(v.at("id").as_string()));
    return result;
  }
  static std::vector<std::string> run_ids(const hat::schedule_data& data) {
    std::vector<std::string> ids;
    for (const auto& run : data.runs) ids.push_back(ha::format_uuid(run.id));
    return ids;
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(batch_command)

BOOST_AUTO_TEST_CASE(the_help_tells_the_slurm_shard_with_its_array_step) {
  const auto r = run_process(exe, {"batch", "--help"}, clean_env());
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(r.out.find("(SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN) / SLURM_ARRAY_TASK_STEP") != std::string::npos, r.out);
}

BOOST_FIXTURE_TEST_CASE(walks_every_listed_schedule_ignoring_comments_and_blank_lines, batch_fixture) {
  const std::string list = "# nightly export\n\n" + id_of(schedules[0]) + "   # the first\n" +
                           upper(id_of(schedules[1])) + "\r\n  \t\n" + id_of(schedules[2]) + "\n" +
                           id_of(schedules[3]) + "\n" + id_of(schedules[4]) + "\n" + id_of(schedules[5]) + "\n" +
                           id_of(schedules[0]) + "\n";  // listed twice, walked once
  const temp_file file(list);
  const auto r = api.run(batch(file.path, {"--page-size", "20", "--stats"}));
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(lines_of(r.err).size() == 1u, r.err);
  const auto walked = runs_by_schedule(r.out);
  BOOST_TEST(walked.size() == 6u);
  std::size_t runs = 0, pages = 0;
  for (const auto& s : schedules) {
    BOOST_TEST(walked.at(id_of(s)) == run_ids(s), boost::test_tools::per_element());
    runs += s.runs.size();
    pages += std::max<std::size_t>(1, (s.runs.size() + 19) / 20);
  }
  const json::object stats = stats_of(r);
  BOOST_TEST(stats.at("runs") == runs);
  BOOST_TEST(stats.at("pages") == pages);
  BOOST_TEST(stats.at("requests") == pages);
  BOOST_TEST(stats.at("duplicates_skipped") == 0);
}

BOOST_FIXTURE_TEST_CASE(a_byte_order_mark_at_the_start_of_the_list_is_ignored, batch_fixture) {
  const temp_file ids("\xEF\xBB\xBF" + id_list());
  const auto r = api.run(batch(ids.path));
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(runs_by_schedule(r.out).size() == schedules.size());
}

BOOST_FIXTURE_TEST_CASE(reads_standard_input_by_default_and_with_a_dash, batch_fixture) {
  for (const bool dash : {false, true}) {
    process_options options = api.env();
    options.input = id_list();
    std::vector<std::string> command{"batch", "--org", api.org};
    if (dash) command.insert(command.end(), {"--schedules-file", "-"});
    const auto r = api.run(command, options);
    BOOST_TEST(r.exit_code == 0);
    BOOST_TEST(runs_by_schedule(r.out).size() == 6u);
  }
}

BOOST_FIXTURE_TEST_CASE(json_and_table_formats, batch_fixture) {
  const temp_file file(id_list());
  const auto r = api.run(batch(file.path, {"--format", "json"}));
  BOOST_TEST(r.exit_code == 0);
  const json::value all = json::parse(r.out);
  std::size_t runs = 0;
  for (const auto& s : schedules) runs += s.runs.size();
  BOOST_TEST(all.as_array().size() == runs);

  const auto table = api.run(batch(file.path, {"--format", "table"}));
  const auto lines = lines_of(table.out);
  BOOST_TEST_REQUIRE(lines.size() == runs + 1);
  BOOST_TEST(lines[0].find("SCHEDULE") != std::string::npos);
  std::size_t of_first = 0;
  for (const auto& line : lines) of_first += line.find(id_of(schedules[0]).substr(0, 8)) != std::string::npos;
  BOOST_TEST(of_first == schedules[0].runs.size());
}

BOOST_FIXTURE_TEST_CASE(failed_schedules_are_reported_and_the_others_walked, batch_fixture) {
  const std::string unknown1 = "00000000-0000-4000-8000-000000000001", unknown2 = "00000000-0000-4000-8000-000000000002";
  const temp_file file(unknown1 + "\n" + id_list() + unknown2 + "\n");
  const auto r = api.run(batch(file.path, {"--concurrency", "3"}));
  BOOST_TEST(r.exit_code == 3);  // 404s: permanent (exit_codes_test.cpp)
  const auto walked = runs_by_schedule(r.out);
  BOOST_TEST(walked.size() == 6u);
  for (const auto& s : schedules) BOOST_TEST(walked.at(id_of(s)) == run_ids(s), boost::test_tools::per_element());
  const auto lines = lines_of(r.err);
  BOOST_TEST_REQUIRE(lines.size() == 3u, r.err);
  for (std::size_t i = 0; i < 2; ++i) {
    const std::string& id = i == 0 ? unknown1 : unknown2;
    BOOST_TEST(lines[i].find("humm-history: schedule " + id + ": GET /reports/schedules/" + id +
                             "/runs: HTTP 404: Schedule not found") == 0u,
               lines[i]);
  }
  BOOST_TEST(lines[2] == "humm-history: 2 of 8 schedules failed");
}

BOOST_FIXTURE_TEST_CASE(an_empty_organization_fails_each_schedule_without_a_request, batch_fixture) {
  // The client refuses the walks before sending; -v says that no request went out.
  const temp_file file(id_of(schedules[0]) + "\n" + id_of(schedules[1]) + "\n");
  const auto r = api.run({"batch", "--org", "", "--schedules-file", file.path, "-v"});
  BOOST_TEST(r.exit_code == 2);  // bad input, as fetch's
  BOOST_TEST(r.out == "");
  for (std::size_t i = 0; i < 2; ++i) {
    const std::string schedule = "humm-history: schedule " + id_of(schedules[i]) + ": ";
    const std::string refused = "organization_id: is required and must not be empty";
    BOOST_TEST(r.err.find(schedule + "no request (" + refused + ") and on: 0 runs") != std::string::npos, r.err);
    BOOST_TEST(r.err.find(schedule + refused + "\n") != std::string::npos);
  }
  BOOST_TEST(r.err.find("humm-history: 2 of 2 schedules failed\n") != std::string::npos);
  BOOST_TEST(api.server.counters().requests == 0u);
}

BOOST_FIXTURE_TEST_CASE(invalid_ids_exit_2_with_line_numbers_before_any_request, batch_fixture) {
  const temp_file file("# ids\n" + id_of(schedules[0]) + "\nnot-a-uuid\n\n" + id_of(schedules[1]).substr(0, 35) +
                       "\n" + id_of(schedules[2]) + "x\n");
  const auto r = api.run(batch(file.path));
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(r.out == "");
  const auto lines = lines_of(r.err);
  BOOST_TEST_REQUIRE(lines.size() == 3u, r.err);
  const std::string prefix = "humm-history: " + file.path + ":";
  BOOST_TEST(lines[0] == prefix + "3: not a schedule id (expected a UUID, 8-4-4-4-12 hex digits): \"not-a-uuid\"");
  BOOST_TEST(lines[1].find(prefix + "5: not a schedule id") == 0u);
  BOOST_TEST(lines[2].find(prefix + "6: not a schedule id") == 0u);
  BOOST_TEST(api.server.counters().connections_accepted == 0u);

  process_options from_stdin = api.env();
  from_stdin.input = "nope\n";
  const auto piped = api.run({"batch", "--org", api.org}, from_stdin);
  BOOST_TEST(piped.exit_code == 2);
  BOOST_TEST(piped.err.find("humm-history: <stdin>:1: not a schedule id") == 0u);

  const auto missing = api.run(batch("/nonexistent/ids.txt"));
  BOOST_TEST(missing.exit_code == 2);
  BOOST_TEST(missing.err == "humm-history: cannot read '/nonexistent/ids.txt': No such file or directory\n");
  BOOST_TEST(api.server.counters().requests == 0u);
}

BOOST_AUTO_TEST_CASE(shards_cover_the_list_exactly_once) {
  batch_fixture f(12);
  const temp_file file(f.id_list());
  std::multiset<std::string> seen;
  for (int k = 1; k <= 3; ++k) {
    const auto r = f.api.run(f.batch(file.path, {"--shard", std::to_string(k) + "/3"}));
    BOOST_TEST(r.exit_code == 0);
    for (const auto& [id, runs] : batch_fixture::runs_by_schedule(r.out)) {
      seen.insert(id);
      BOOST_TEST(fnv1a(id) % 3 == static_cast<std::uint64_t>(k - 1), id << " in shard " << k);
    }
  }
  BOOST_TEST(seen.size() == 12u);
  for (const auto& s : f.schedules) BOOST_TEST(seen.count(id_of(s)) == 1u);
  // The whole list is one shard of one.
  BOOST_TEST(batch_fixture::runs_by_schedule(f.api.run(f.batch(file.path, {"--shard", "1/1"})).out).size() == 12u);
}

BOOST_FIXTURE_TEST_CASE(bad_shards_exit_2, batch_fixture) {
  const temp_file file(id_list());
  for (const std::string shard : {"0/3", "4/3", "3", "a/b", "1/0", "1/3/5", "-1/3", ""}) {
    const auto r = api.run(batch(file.path, {"--shard", shard}));
    BOOST_TEST(r.exit_code == 2, shard);
    BOOST_TEST(r.err.find("--shard") != std::string::npos, r.err);
    BOOST_TEST(lines_of(r.err).size() == 1u, r.err);
  }
  BOOST_TEST(api.server.counters().requests == 0u);
}

BOOST_FIXTURE_TEST_CASE(concurrency_bounds_the_walks_at_a_time, batch_fixture) {
  for (int i = 0; i < 12; ++i) api.server.push_fault({.delay = std::chrono::milliseconds(100)});
  const temp_file file(id_list());
  const auto r = api.run(batch(file.path, {"--concurrency", "2", "--page-size", "100"}));
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(api.server.counters().max_concurrent_requests == 2u);
}

BOOST_FIXTURE_TEST_CASE(a_run_shown_twice_by_shifted_pages_is_shown_once, batch_fixture) {
  // The second page of the one schedule is held back until three new runs have been
  // created: it then starts with the last three runs of the first page again.
  const hat::schedule_data& walked = schedules[1];  // 35 runs
  api.server.push_fault({});
  api.server.push_fault({.delay = std::chrono::milliseconds(1500)});
  std::thread creator = create_runs_after(api.server, walked.schedule.id, 2, 3);
  const temp_file file(id_of(walked) + "\n");
  const auto r = api.run(batch(file.path, {"--page-size", "10", "--stats"}));
  creator.join();
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(runs_by_schedule(r.out).at(id_of(walked)) == run_ids(walked), boost::test_tools::per_element());
  BOOST_TEST(stats_of(r).at("duplicates_skipped") == 3);
}

BOOST_FIXTURE_TEST_CASE(progress_counts_schedules_when_asked, batch_fixture) {
  const temp_file file(id_list());
  const auto r = api.run(batch(file.path, {"--progress"}));
  BOOST_TEST(r.exit_code == 0);
  const auto lines = lines_of(r.err);
  BOOST_TEST_REQUIRE(!lines.empty());
  BOOST_TEST(lines.back().find("humm-history: 6/6 schedules  ") == 0u, lines.back());
  BOOST_TEST(api.run(batch(file.path)).err == "");
}

BOOST_FIXTURE_TEST_CASE(a_closed_pipe_stops_the_batch_quietly, batch_fixture) {
  for (std::uint64_t i = 0; i < 20; ++i) schedules.push_back(api.server.add_schedule(2'000, 500 + i));
  const temp_file file(id_list());
  process_options options = api.env();
  options.close_stdout_after_lines = 1;
  options.timeout = std::chrono::seconds(30);
  const auto r = api.run(batch(file.path, {"--concurrency", "2"}), options);
  BOOST_TEST(!r.timed_out);
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(r.err == "");
  BOOST_TEST(api.server.counters().requests < 100u);  // of 26 schedules and 406 pages
}

BOOST_AUTO_TEST_SUITE_END()
