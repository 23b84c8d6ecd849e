// humm-history fetch, and the four output formats on one page.

#include "cli_fixture.hpp"
#include "text.hpp"  // the tool's own widths, unit-tested in text_test.cpp

#include <humm/analyst/testing/dataset.hpp>

#include <boost/test/unit_test.hpp>

namespace json = boost::json;
namespace ha = humm::analyst;
namespace hat = humm::analyst::testing;
using namespace humm_test;

namespace {

// An RFC 4180 reader: rows of fields, CRLF line ends, quoted fields with doubled quotes.
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1, std::vector<std::string>(1));
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    std::string& field = rows.back().back();
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') field += '"', ++i;
      else if (c == '"') quoted = false;
      else field += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      rows.back().emplace_back();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      ++i;
      rows.emplace_back(1);
    } else {
      BOOST_TEST_REQUIRE(c != '\n', "a bare LF outside quotes at byte " << i);
      field += c;
    }
  }
  if (rows.back().size() == 1 && rows.back().back().empty()) rows.pop_back();
  return rows;
}

struct fetch_fixture {
  cli_server api;
  hat::schedule_data data = api.server.add_schedule(60, 3);
  std::vector<std::string> fetch(std::vector<std::string> extra) const {
    std::vector<std::string> command{"fetch", "--schedule", id_of(data), "--org", api.org};
    command.insert(command.end(), extra.begin(), extra.end());
    return command;
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(fetch_command)

BOOST_FIXTURE_TEST_CASE(json_prints_the_page_as_the_api_sent_it, fetch_fixture) {
  const auto r = api.run(fetch({"--limit", "7", "--offset", "3", "--format", "json"}));
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(r.err == "");
  BOOST_TEST(json::parse(r.out) == json::value_from(hat::make_page(data, 3, 7)));
  BOOST_TEST(lines_of(r.out).size() == 1u);
  BOOST_TEST(api.server.counters().by_target.count("/reports/schedules/" + id_of(data) + "/runs?organization_id=" +
                                                   api.org + "&limit=7&offset=3") == 1u);
}

BOOST_FIXTURE_TEST_CASE(ndjson_is_the_default_off_a_terminal_one_run_per_line, fetch_fixture) {
  const auto r = api.run(fetch({"--limit", "5", "--offset", "10"}));
  BOOST_TEST(r.exit_code == 0);
  const auto values = ndjson_values(r.out);
  BOOST_TEST_REQUIRE(values.size() == 5u);
  for (std::size_t i = 0; i < values.size(); ++i) {
    BOOST_TEST(values[i] == json_of(data.runs[10 + i]));
    BOOST_TEST(values[i].at("schedule_id") == json::value(id_of(data)));
  }
}

BOOST_FIXTURE_TEST_CASE(csv_is_rfc_4180_with_a_header_row, fetch_fixture) {
  const auto r = api.run(fetch({"--limit", "40", "--format", "csv"}));
  BOOST_TEST(r.exit_code == 0);
  const auto rows = parse_csv(r.out);
  BOOST_TEST_REQUIRE(rows.size() == 41u);
  const std::vector<std::string> header{"schedule_id", "id",        "status",  "created_at",    "started_at",
                                        "completed_at", "user_id",  "user_email", "thread_id", "is_read",
                                        "read_at",     "is_source_run", "source_run_id", "summary", "error_message"};
  BOOST_TEST(rows[0] == header, boost::test_tools::per_element());
  bool quoted_summary = false, multiline_summary = false;
  for (std::size_t i = 0; i < 40; ++i) {
    const ha::command_run& run = data.runs[i];
    const auto& row = rows[i + 1];
    BOOST_TEST_REQUIRE(row.size() == header.size());
    BOOST_TEST(row[0] == id_of(data));
    BOOST_TEST(row[1] == ha::format_uuid(run.id));
    BOOST_TEST(row[2] == std::string(run.status->str()));
    BOOST_TEST(row[3] == ha::format_timestamp(*run.created_at));
    BOOST_TEST(row[5] == (run.completed_at ? ha::format_timestamp(*run.completed_at) : ""));
    BOOST_TEST(row[7] == run.user_email.value_or(""));
    BOOST_TEST(row[9] == (*run.is_read ? "true" : "false"));
    BOOST_TEST(row[13] == run.summary.value_or(""));
    BOOST_TEST(row[14] == run.error_message.value_or(""));
    quoted_summary |= row[13].find('"') != std::string::npos;
    multiline_summary |= row[13].find('\n') != std::string::npos;
  }
  // The data set has summaries with quotes, commas and line breaks: the quoting was exercised.
  BOOST_TEST(quoted_summary);
  BOOST_TEST(multiline_summary);
}

BOOST_FIXTURE_TEST_CASE(table_has_aligned_columns_utc_times_and_shortened_text, fetch_fixture) {
  process_options env = api.env();
  env.env.emplace_back("COLUMNS", "100");
  const auto r = api.run(fetch({"--limit", "30", "--format", "table"}), env);
  BOOST_TEST(r.exit_code == 0);
  const auto lines = lines_of(r.out);
  BOOST_TEST_REQUIRE(lines.size() == 33u);  // the schedule, a blank line, the header, 30 runs
  BOOST_TEST(lines[0].find("Schedule " + id_of(data)) == 0u);
  const std::string& header = lines[2];
  BOOST_TEST(header.find("CREATED (UTC)") == 0u);
  // Columns line up by what a terminal shows (ü and 売 take one and two columns), not by bytes.
  const auto column = [](const std::string& line, std::size_t byte) {
    return humm_history::display_width(std::string_view(line).substr(0, byte));
  };
  bool shortened = false, wide = false;
  for (std::size_t i = 0; i < 30; ++i) {
    const std::string& line = lines[3 + i];
    const ha::command_run& run = data.runs[i];
    const std::string created = ha::format_timestamp(*run.created_at);  // 2026-10-31T19:41:59.867716Z
    BOOST_TEST(line.substr(0, 19) == created.substr(0, 10) + " " + created.substr(11, 8));
    BOOST_TEST(column(line, line.find(std::string(run.status->str()))) == column(header, header.find("STATUS")));
    BOOST_TEST(column(line, line.find(ha::format_uuid(run.id).substr(0, 8))) == column(header, header.find("RUN")));
    if (run.user_email)
      BOOST_TEST(column(line, line.find(run.user_email->substr(0, 6))) == column(header, header.find("USER")));
    BOOST_TEST(humm_history::display_width(line) <= 100u, "row " << i << ": " << line);
    BOOST_TEST(humm_history::one_line(line) == line);  // valid UTF-8, no control characters
    BOOST_TEST(line.find('\x1b') == std::string::npos);  // no color off a terminal
    shortened |= line.find("\u2026") != std::string::npos;
    wide |= line.find("\u58f2") != std::string::npos;  // 売
  }
  BOOST_TEST(shortened);
  BOOST_TEST(wide);
}

BOOST_FIXTURE_TEST_CASE(stats_line_counts_the_page_and_the_connection, fetch_fixture) {
  const auto r = api.run(fetch({"--limit", "9", "--stats"}));
  BOOST_TEST(r.exit_code == 0);
  const json::object stats = stats_of(r);
  BOOST_TEST(stats.at("pages") == 1);
  BOOST_TEST(stats.at("runs") == 9);
  BOOST_TEST(stats.at("requests") == 1);
  BOOST_TEST(stats.at("retries") == 0);
  BOOST_TEST(stats.at("duplicates_skipped") == 0);
  BOOST_TEST(stats.at("connections_opened") == 1);
  BOOST_TEST(stats.at("tls_handshakes") == 1);
  BOOST_TEST(stats.at("elapsed_s").to_number<double>() >= 0.0);
  // One attempt and one call: each percentile is that one's time, the call's no shorter.
  const json::object attempt = stats.at("attempt_ms").as_object(), call = stats.at("call_ms").as_object();
  for (const char* p : {"p50", "p90", "p99", "max"}) {
    BOOST_TEST(attempt.at(p).to_number<double>() > 0.0, p);
    BOOST_TEST(attempt.at(p).to_number<double>() == attempt.at("max").to_number<double>(), p);
    BOOST_TEST(call.at(p).to_number<double>() >= attempt.at(p).to_number<double>(), p);
  }
  BOOST_TEST(stats.size() == 13u);
}

BOOST_FIXTURE_TEST_CASE(an_unknown_schedule_exits_3_with_one_line, fetch_fixture) {
  const std::string unknown = "00000000-0000-4000-8000-000000000000";
  const auto r = api.run({"fetch", "--schedule", unknown, "--org", api.org});
  BOOST_TEST(r.exit_code == 3);  // a 404: a retry would only repeat it
  BOOST_TEST(r.out == "");
  BOOST_TEST(r.err.find("humm-history: GET /reports/schedules/" + unknown + "/runs: HTTP 404: Schedule not found") == 0u,
             r.err);
  BOOST_TEST(r.err.find("(request id req-") != std::string::npos);  // for the API's support
  BOOST_TEST(lines_of(r.err).size() == 1u);
}

BOOST_FIXTURE_TEST_CASE(arguments_are_checked_before_any_request, fetch_fixture) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
      {{"fetch", "--schedule", "not-a-uuid", "--org", api.org}, "--schedule: expected a UUID"},
      {fetch({"--limit", "0"}), "--limit"},
      {fetch({"--limit", "101"}), "--limit"},
      {fetch({"--offset", "-1"}), "--offset"},
      {fetch({"--format", "xml"}), "--format"},
      {{"fetch", "--org", api.org}, "--schedule is required"},
      {{"fetch", "--schedule", id_of(data)}, "--org is required"},
      {fetch({"--max-connections", "0"}), "--max-connections"},
      {fetch({"--retries", "-1"}), "--retries"},
      {fetch({"--timeout", "0"}), "--timeout"},
      {fetch({"--no-such-option"}), "--no-such-option"},
  };
  check_refused_before_any_request(api, cases);
}

BOOST_AUTO_TEST_SUITE_END()
