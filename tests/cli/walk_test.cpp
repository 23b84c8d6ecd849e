// humm-history walk: every run of a schedule, in formats, with statistics, progress,
// resumption, de-duplication and a reader that goes away.

#include "cli_fixture.hpp"

#include <boost/test/unit_test.hpp>

#include <set>
#include <thread>

namespace json = boost::json;
namespace ha = humm::analyst;
namespace hat = humm::analyst::testing;
using namespace humm_test;

namespace {

struct walk_fixture {
  cli_server api;
  hat::schedule_data data = api.server.add_schedule(250, 11);
  std::vector<std::string> walk(std::vector<std::string> extra) const {
    std::vector<std::string> command{"walk", "--schedule", id_of(data), "--org", api.org};
    command.insert(command.end(), extra.begin(), extra.end());
    return command;
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(walk_command)

BOOST_FIXTURE_TEST_CASE(ndjson_has_every_run_once_newest_first, walk_fixture) {
  const auto r = api.run(walk({"--page-size", "40"}));
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(r.err == "");
  const auto values = ndjson_values(r.out);
  BOOST_TEST_REQUIRE(values.size() == 250u);
  for (std::size_t i = 0; i < values.size(); ++i) BOOST_TEST(values[i] == json_of(data.runs[i]));
  BOOST_TEST(api.server.counters().by_path.at("/reports/schedules/" + id_of(data) + "/runs") == 7u);
}

BOOST_FIXTURE_TEST_CASE(json_is_one_array_of_every_run, walk_fixture) {
  const auto r = api.run(walk({"--format", "json"}));
  BOOST_TEST(r.exit_code == 0);
  json::array expected;
  for (const auto& run : data.runs) expected.push_back(json_of(run));
  BOOST_TEST(json::parse(r.out) == json::value(expected));
}

BOOST_FIXTURE_TEST_CASE(csv_and_table_have_a_header_and_a_row_per_run, walk_fixture) {
  const auto csv = api.run(walk({"--format", "csv", "--page-size", "100"}));
  BOOST_TEST(csv.exit_code == 0);
  BOOST_TEST(csv.out.find("schedule_id,id,status,") == 0u);
  // Summaries hold quoted line breaks, so count rows by their leading schedule id.
  std::size_t rows = 0;
  for (std::size_t at = 0; (at = csv.out.find("\r\n" + id_of(data) + ",", at)) != std::string::npos; ++at) ++rows;
  BOOST_TEST(rows == 250u);

  const auto table = api.run(walk({"--format", "table"}));
  BOOST_TEST(table.exit_code == 0);
  const auto lines = lines_of(table.out);
  BOOST_TEST_REQUIRE(lines.size() == 251u);
  BOOST_TEST(lines[0].find("CREATED (UTC)") == 0u);
  BOOST_TEST(lines[250].find(ha::format_uuid(data.runs[249].id).substr(0, 8)) != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(stats_line_has_every_count, walk_fixture) {
  const auto r = api.run(walk({"--page-size", "100", "--stats"}));
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(lines_of(r.err).size() == 1u);
  const json::object stats = stats_of(r);
  BOOST_TEST(stats.at("pages") == 3);
  BOOST_TEST(stats.at("runs") == 250);
  BOOST_TEST(stats.at("requests") == 3);
  BOOST_TEST(stats.at("retries") == 0);
  BOOST_TEST(stats.at("duplicates_skipped") == 0);
  const auto connections = stats.at("connections_opened").to_number<std::int64_t>();
  BOOST_TEST(connections >= 1);
  BOOST_TEST(connections <= 3);
  BOOST_TEST(connections == static_cast<std::int64_t>(api.server.counters().connections_accepted));
  BOOST_TEST(stats.at("tls_handshakes") == connections);
  BOOST_TEST(stats.at("too_many_requests") == 0);
  BOOST_TEST(stats.at("paused_s").to_number<double>() == 0.0);
  const double elapsed = stats.at("elapsed_s").to_number<double>();
  BOOST_TEST(elapsed > 0.0);
  BOOST_TEST(stats.at("pages_per_s").to_number<double>() == 3 / elapsed, boost::test_tools::tolerance(0.05));
}

BOOST_FIXTURE_TEST_CASE(start_offset_resumes_a_walk, walk_fixture) {
  const auto r = api.run(walk({"--start-offset", "230", "--page-size", "15"}));
  BOOST_TEST(r.exit_code == 0);
  const auto values = ndjson_values(r.out);
  BOOST_TEST_REQUIRE(values.size() == 20u);
  BOOST_TEST(values.front() == json_of(data.runs[230]));
  BOOST_TEST(values.back() == json_of(data.runs[249]));
}

BOOST_FIXTURE_TEST_CASE(a_failure_tells_the_offset_that_resumes, walk_fixture) {
  api.server.push_fault({});                                // page 1 as usual
  api.server.push_fault({.status = 500, .times = 1});       // page 2 fails, retries off
  const auto r = api.run(walk({"--page-size", "50", "--retries", "0", "--max-connections", "1", "--stats"}));
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(ndjson_values(r.out).size() == 50u);
  const auto lines = lines_of(r.err);
  BOOST_TEST_REQUIRE(lines.size() == 2u);  // the error, then the statistics
  BOOST_TEST(lines[0].find("humm-history: GET /reports/schedules/" + id_of(data) + "/runs: HTTP 500") == 0u);
  BOOST_TEST(lines[0].find("(resume with --start-offset 50)") != std::string::npos);
  BOOST_TEST(stats_of(r).at("runs") == 50);
}

BOOST_FIXTURE_TEST_CASE(a_deadline_ends_the_walk_telling_the_offset_that_resumes, walk_fixture) {
  api.server.push_fault({});                  // page 1 as usual
  api.server.push_fault({.delay = std::chrono::seconds{5}});  // page 2 would take 5 s
  const auto r = api.run(walk({"--page-size", "50", "--max-connections", "1", "--deadline", "0.8"}));
  BOOST_TEST(r.exit_code == 1, r.err);
  BOOST_TEST(ndjson_values(r.out).size() == 50u);
  BOOST_TEST(r.err.find("the deadline passed") != std::string::npos, r.err);
  BOOST_TEST(r.err.find("(resume with --start-offset 50)") != std::string::npos, r.err);
  BOOST_TEST((r.elapsed < std::chrono::seconds{4}));
}

BOOST_FIXTURE_TEST_CASE(a_run_shown_twice_by_shifted_pages_is_shown_once, walk_fixture) {
  // Page 2 is held back until three new runs have been created: it then starts with the
  // last three runs of page 1 again.
  api.server.push_fault({});
  api.server.push_fault({.delay = std::chrono::milliseconds(1500)});
  std::thread creator = create_runs_after(api.server, data.schedule.id, 2, 3);
  const auto r = api.run(walk({"--page-size", "10", "--max-connections", "1", "--start-offset", "200", "--stats"}));
  creator.join();
  BOOST_TEST(r.exit_code == 0);
  const auto values = ndjson_values(r.out);
  std::set<std::string> ids;
  for (const auto& v : values) ids.insert(std::string(v.at("id").as_string()));
  BOOST_TEST(ids.size() == values.size());
  BOOST_TEST(values.size() == 50u);  // runs 200..249 of the original history, each once
  BOOST_TEST(stats_of(r).at("duplicates_skipped") == 3);
}

BOOST_FIXTURE_TEST_CASE(a_closed_pipe_ends_the_walk_promptly_and_quietly, walk_fixture) {
  const hat::schedule_data big = api.server.add_schedule(10'000, 12);
  process_options options = api.env();
  options.close_stdout_after_lines = 1;  // as `| head -1` does
  options.timeout = std::chrono::seconds(30);
  const auto r = api.run({"walk", "--schedule", id_of(big), "--org", api.org}, options);
  BOOST_TEST(!r.timed_out);
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(r.err == "");
  BOOST_TEST(json::parse(lines_of(r.out).front()) == json_of(big.runs.front()));
  // It stopped near the start, not after walking all 100 pages into a closed pipe.
  BOOST_TEST(api.server.counters().by_path.at("/reports/schedules/" + id_of(big) + "/runs") < 20u);
  BOOST_TEST(r.elapsed < std::chrono::seconds(10));
}

BOOST_FIXTURE_TEST_CASE(progress_only_when_asked_off_a_terminal, walk_fixture) {
  const auto quiet = api.run(walk({}));
  BOOST_TEST(quiet.err == "");
  const auto shown = api.run(walk({"--progress", "--page-size", "50"}));
  BOOST_TEST(shown.exit_code == 0);
  const auto lines = lines_of(shown.err);
  BOOST_TEST_REQUIRE(!lines.empty());
  BOOST_TEST(lines.back().find("humm-history: walking  5 pages  250 runs  ") == 0u, lines.back());
  BOOST_TEST(shown.err.find('\r') == std::string::npos);  // lines for a log, not a redrawn bar
  BOOST_TEST(ndjson_values(shown.out).size() == 250u);
}

BOOST_FIXTURE_TEST_CASE(verbose_logs_requests_but_never_the_token, walk_fixture) {
  const auto r = api.run(walk({"-v", "--page-size", "100"}));
  BOOST_TEST(r.exit_code == 0);
  for (const int offset : {0, 100, 200}) {
    const std::string target = "GET /reports/schedules/" + id_of(data) + "/runs?organization_id=" + api.org +
                               "&limit=100&offset=" + std::to_string(offset);
    BOOST_TEST(r.err.find(target) != std::string::npos, target);
  }
  BOOST_TEST(r.err.find("token from HUMM_API_TOKEN") != std::string::npos);
  BOOST_TEST(r.err.find(api.server.options().token) == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
