// The CLI suites' fake server, temporary files and output parsers (cli_fixture.hpp).

#include "cli_fixture.hpp"

#include <humm/analyst/decode.hpp>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace humm_test {

namespace {

std::string make_temp_file(const std::string& text) {
  char path[] = "/tmp/humm-history-test-XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) throw std::runtime_error("mkstemp failed");
  const bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  close(fd);
  if (!ok) throw std::runtime_error("cannot write a temporary file");
  return path;
}

}  // namespace

cli_server::cli_server(humm::analyst::testing::fake_server_options options)
    : server(std::move(options)),
      org(humm::analyst::format_uuid(server.options().organization)),
      ca_file(make_temp_file(server.certificate_pem())) {}

cli_server::~cli_server() { std::remove(ca_file.c_str()); }

std::vector<std::string> cli_server::args(std::vector<std::string> command) const {
  command.insert(command.end(), {"--base-url", server.base_url(), "--ca-file", ca_file});
  return command;
}

process_result cli_server::run(std::vector<std::string> command, process_options options) const {
  return run_process(exe, args(std::move(command)), options);
}

temp_file::temp_file(const std::string& text) : path(make_temp_file(text)) {}
temp_file::~temp_file() { std::remove(path.c_str()); }

std::string id_of(const humm::analyst::testing::schedule_data& data) {
  return humm::analyst::format_uuid(data.schedule.id);
}

void check_refused_before_any_request(cli_server& api,
                                      const std::vector<std::pair<std::vector<std::string>, std::string>>& cases) {
  for (const auto& [command, reason] : cases) {
    const auto r = api.run(command);
    BOOST_TEST(r.exit_code == 2, reason);
    BOOST_TEST(r.err.starts_with("humm-history: "), r.err);
    BOOST_TEST(r.err.find(reason) != std::string::npos, r.err);
    BOOST_TEST(lines_of(r.err).size() == 1u, r.err);
    BOOST_TEST(r.out == "");
  }
  BOOST_TEST(api.server.counters().requests == 0u);
  BOOST_TEST(api.server.counters().connections_accepted == 0u);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = text.find('\n', start);
    lines.push_back(text.substr(start, end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return lines;
}

std::vector<boost::json::value> ndjson_values(const std::string& text) {
  std::vector<boost::json::value> values;
  for (const std::string& line : lines_of(text)) {
    boost::json::error_code ec;
    values.push_back(boost::json::parse(line, ec));
    BOOST_TEST_REQUIRE(!ec, "not JSON: " << line);
  }
  return values;
}

boost::json::value json_of(const humm::analyst::command_run& run) { return boost::json::value_from(run); }

boost::json::object stats_of(const process_result& r) {
  const auto lines = lines_of(r.err);
  BOOST_TEST_REQUIRE(!lines.empty(), "no --stats line on stderr");
  boost::json::error_code ec;
  boost::json::value v = boost::json::parse(lines.back(), ec);
  BOOST_TEST_REQUIRE((!ec && v.is_object()), "the --stats line is not a JSON object: " << lines.back());
  return v.as_object();
}

std::thread create_runs_after(humm::analyst::testing::fake_server& server, const humm::analyst::uuid& schedule,
                              std::size_t requests, std::size_t count) {
  return std::thread([&server, schedule, requests, count] {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (server.counters().requests < requests && std::chrono::steady_clock::now() < give_up)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    server.insert_runs_at_head(schedule, count);
  });
}

}  // namespace humm_test
