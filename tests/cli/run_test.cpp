// humm-history run: one run with its schedule, in every output format, and its failures.

#include "cli_fixture.hpp"

#include <humm/analyst/testing/dataset.hpp>

#include <boost/test/unit_test.hpp>

namespace json = boost::json;
namespace ha = humm::analyst;
namespace hat = humm::analyst::testing;
using namespace humm_test;

namespace {

struct run_fixture {
  cli_server api;
  hat::schedule_data other = api.server.add_schedule(12, 40);
  hat::schedule_data data = api.server.add_schedule(30, 41);
  static constexpr std::size_t shown = 17;  // the run shown: a page's middle, not its first

  std::string run_id() const { return ha::format_uuid(data.runs[shown].id); }
  std::vector<std::string> run(std::vector<std::string> extra) const {
    std::vector<std::string> command{"run", "--run", run_id(), "--org", api.org};
    command.insert(command.end(), extra.begin(), extra.end());
    return command;
  }
  // fetch of the one page that holds only the run shown: what `run` must print in the
  // formats that show runs.
  std::vector<std::string> fetch_of_the_run(std::vector<std::string> extra) const {
    std::vector<std::string> command{"fetch", "--schedule", id_of(data), "--org", api.org,
                                     "--limit", "1", "--offset", std::to_string(shown)};
    command.insert(command.end(), extra.begin(), extra.end());
    return command;
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(run_command)

BOOST_FIXTURE_TEST_CASE(json_is_the_run_with_its_schedule_and_command_as_the_server_holds_them, run_fixture) {
  const auto r = api.run(run({"--format", "json", "--stats"}));
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(lines_of(r.out).size() == 1u);
  const ha::run_details expected{data.runs[shown], data.schedule, data.command_name};
  BOOST_TEST(json::parse(r.out) == json::value_from(expected));
  BOOST_TEST(json::parse(r.out).at("run").at("schedule_id") == json::value(id_of(data)));
  BOOST_TEST(api.server.counters().by_target.count("/reports/runs/" + run_id() + "?organization_id=" + api.org) == 1u);
  BOOST_TEST(api.server.counters().requests == 1u);
  BOOST_TEST(stats_of(r).at("runs") == 1);
}

BOOST_FIXTURE_TEST_CASE(ndjson_is_one_line_the_runs_json_as_fetch_and_batch_print_it, run_fixture) {
  const auto r = api.run(run({}));  // ndjson: the default off a terminal
  BOOST_TEST(r.exit_code == 0, r.err);
  const auto values = ndjson_values(r.out);
  BOOST_TEST_REQUIRE(values.size() == 1u);
  BOOST_TEST(values[0] == json_of(data.runs[shown]));
  BOOST_TEST(r.out == api.run(fetch_of_the_run({"--format", "ndjson"})).out);
}

BOOST_FIXTURE_TEST_CASE(csv_is_the_header_and_the_runs_row_with_its_schedule_id_as_fetch_prints_them, run_fixture) {
  const auto r = api.run(run({"--format", "csv"}));
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(r.out.starts_with("schedule_id,id,status,created_at,"), r.out);
  BOOST_TEST(r.out.find("\r\n" + id_of(data) + "," + run_id() + ",") != std::string::npos, r.out);
  BOOST_TEST(r.out == api.run(fetch_of_the_run({"--format", "csv"})).out);
}

BOOST_FIXTURE_TEST_CASE(table_shows_the_schedules_line_above_the_runs_row, run_fixture) {
  process_options env = api.env();
  env.env.emplace_back("COLUMNS", "100");
  const auto r = api.run(run({"--format", "table"}), env);
  BOOST_TEST(r.exit_code == 0, r.err);
  const auto lines = lines_of(r.out);
  BOOST_TEST_REQUIRE(lines.size() == 4u, r.out);  // the schedule, a blank line, the header, the run
  BOOST_TEST(lines[0].starts_with("Schedule " + id_of(data)), lines[0]);
  BOOST_TEST(lines[0].find("(" + data.command_name + ")") != std::string::npos, lines[0]);
  BOOST_TEST(lines[2].starts_with("CREATED (UTC)"));
  BOOST_TEST(lines[3].find(run_id().substr(0, 8)) != std::string::npos, lines[3]);
  BOOST_TEST(r.out == api.run(fetch_of_the_run({"--format", "table"}), env).out);
}

BOOST_FIXTURE_TEST_CASE(an_unknown_run_exits_3_with_one_line_and_nothing_on_stdout, run_fixture) {
  const std::string unknown = "00000000-0000-4000-8000-0000000000aa";
  for (const std::string format : {"json", "ndjson", "csv", "table"}) {
    const auto r = api.run({"run", "--run", unknown, "--org", api.org, "--format", format});
    BOOST_TEST(r.exit_code == 3, format);
    BOOST_TEST(r.out == "", format);
    BOOST_TEST(r.err.starts_with("humm-history: GET /reports/runs/" + unknown + ": HTTP 404: Run not found"), r.err);
    BOOST_TEST(lines_of(r.err).size() == 1u, r.err);
  }
  // A run of the organization is found by its id only with that organization.
  const auto elsewhere = api.run({"run", "--run", run_id(), "--org", "00000000-0000-4000-8000-0000000000bb"});
  BOOST_TEST(elsewhere.exit_code == 3);
  BOOST_TEST(elsewhere.err.find("HTTP 404: Run not found") != std::string::npos, elsewhere.err);
}

BOOST_FIXTURE_TEST_CASE(arguments_are_checked_before_any_request, run_fixture) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
      {{"run", "--run", "not-a-uuid", "--org", api.org},
       "--run: expected a UUID (8-4-4-4-12 hex digits), got \"not-a-uuid\""},
      {{"run", "--run", run_id() + "0", "--org", api.org}, "--run: expected a UUID"},
      {{"run", "--org", api.org}, "--run is required"},
      {{"run", "--run", run_id()}, "--org is required"},
      {{"run", "--run", run_id(), "--org", ""}, "organization_id: is required and must not be empty"},
      {run({"--format", "xml"}), "--format"},
      {run({"--deadline", "0"}), "--deadline"},
      {run({"--limit", "3"}), "--limit"},
  };
  check_refused_before_any_request(api, cases);
}

BOOST_AUTO_TEST_SUITE_END()
