// The fixture of the batch_resume and batch_incremental suites (resume_fixture.hpp).

#include "resume_fixture.hpp"

#include <humm/analyst/uuid.hpp>

#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace humm_test {

namespace json = boost::json;

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

bool wait_until(const std::function<bool()>& condition, std::chrono::seconds limit) {
  const auto give_up = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

temp_directory::temp_directory() {
  char name[] = "/tmp/humm-history-resume-XXXXXX";
  if (!mkdtemp(name)) throw std::runtime_error("mkdtemp failed");
  path = name;
}

temp_directory::~temp_directory() { std::filesystem::remove_all(path); }

resume_fixture::resume_fixture(std::size_t count, std::size_t first_runs, std::size_t more_runs) {
  std::string list;
  for (std::size_t i = 0; i < count; ++i) {
    schedules.push_back(api.server.add_schedule(first_runs + more_runs * i, 300 + i));
    list += id_of(schedules.back()) + "\n";
  }
  write_file(ids, list);
}

std::vector<std::string> resume_fixture::command(std::vector<std::string> extra) const {
  std::vector<std::string> command{"batch",  "--org", api.org, "--schedules-file", ids, "--output", output,
                                   "--state", state,  "--page-size", "10"};
  for (std::size_t i = 0; i < extra.size(); ++i) {
    const auto given = std::find(command.begin(), command.end(), extra[i]);
    if (given != command.end() && i + 1 < extra.size())
      *std::next(given) = extra[++i];
    else
      command.push_back(extra[i]);
  }
  return command;
}

std::unique_ptr<background_process> resume_fixture::start(std::vector<std::string> extra) const {
  return std::make_unique<background_process>(exe, api.args(command(std::move(extra))), api.env());
}

std::multiset<std::string> resume_fixture::output_runs() const {
  std::multiset<std::string> runs;
  for (const json::value& v : ndjson_values(read_file(output))) runs.emplace(v.at("id").as_string());
  return runs;
}

std::multiset<std::string> resume_fixture::every_run() const {
  std::multiset<std::string> runs;
  for (const auto& s : schedules)
    for (const auto& run : s.runs) runs.insert(humm::analyst::format_uuid(run.id));
  return runs;
}

std::vector<json::object> resume_fixture::journal() const {
  std::vector<json::object> lines;
  const std::string text = read_file(state);
  for (std::size_t start = 0, end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
    json::error_code ec;
    json::value v = json::parse(std::string_view(text).substr(start, end - start), ec);
    if (!ec && v.is_object()) lines.push_back(v.as_object());
  }
  return lines;
}

std::set<std::string> resume_fixture::recorded(const char* kind) const {
  std::set<std::string> ids;
  for (const auto& line : journal())
    if (line.contains(kind)) ids.emplace(line.at(kind).as_string());
  return ids;
}

std::uint64_t resume_fixture::committed_length() const {
  std::uint64_t length = 0;
  for (const auto& line : journal())
    if (line.contains("output_length")) length = line.at("output_length").to_number<std::uint64_t>();
  return length;
}

bool resume_fixture::ended() const {
  const auto lines = journal();
  return !lines.empty() && lines.back().contains("end");
}

bool resume_fixture::wait_for_uncommitted_runs(const background_process& batch, std::size_t done) const {
  const auto uncommitted = [&] { return recorded("done").size() >= done && file_size(output) > committed_length(); };
  return wait_until([&] { return batch.ended() || uncommitted(); }) && uncommitted();
}

std::size_t resume_fixture::requests_of(const humm::analyst::testing::schedule_data& s) const {
  const auto by_path = api.server.counters().by_path;
  const auto it = by_path.find("/reports/schedules/" + id_of(s) + "/runs");
  return it == by_path.end() ? 0 : it->second;
}

void resume_and_check_exactly_once(const resume_fixture& f, std::vector<std::string> extra) {
  const auto resumed = f.api.run(f.command(std::move(extra)));
  BOOST_TEST(resumed.exit_code == 0, resumed.err);
  BOOST_TEST(f.output_runs() == f.every_run(), boost::test_tools::per_element());
  BOOST_TEST(lines_of(read_file(f.output)).size() == f.every_run().size());
  BOOST_TEST(f.ended());
}

}  // namespace humm_test
