#pragma once
// What the batch_resume and batch_incremental suites share: a fake server with schedules, a
// temporary directory holding the id list, the output and the journal, a batch started in
// the background, and readers of what the files hold.

#include "cli_fixture.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace humm_test {

std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& text);
/// 0 for a file that is missing.
std::uint64_t file_size(const std::string& path);
/// Polls `condition` every 2 ms for up to `limit`; whether it came true.
bool wait_until(const std::function<bool()>& condition, std::chrono::seconds limit = std::chrono::seconds(30));

/// A directory under /tmp, removed with what it holds at destruction.
class temp_directory {
 public:
  temp_directory();
  ~temp_directory();
  temp_directory(const temp_directory&) = delete;
  temp_directory& operator=(const temp_directory&) = delete;
  std::string path;
};

struct resume_fixture {
  cli_server api;
  std::vector<humm::analyst::testing::schedule_data> schedules;
  temp_directory dir;
  const std::string ids = dir.path + "/ids.txt", output = dir.path + "/runs.ndjson", state = dir.path + "/state.jsonl";

  /// `count` schedules of first_runs, first_runs + more_runs, ... runs, listed in `ids`.
  explicit resume_fixture(std::size_t count, std::size_t first_runs = 15, std::size_t more_runs = 20);

  /// The batch with --output, --state, --page-size 10 and `extra` flags; one of these flags
  /// given again in `extra` takes the new value.
  std::vector<std::string> command(std::vector<std::string> extra = {}) const;
  std::unique_ptr<background_process> start(std::vector<std::string> extra = {}) const;

  /// The run ids of the output, each as many times as it is there.
  std::multiset<std::string> output_runs() const;
  std::multiset<std::string> every_run() const;
  /// The whole lines of the journal that parse (a line being appended is left out).
  std::vector<boost::json::object> journal() const;
  /// The schedules with a `kind` record: "done" or "failed".
  std::set<std::string> recorded(const char* kind) const;
  std::uint64_t committed_length() const;
  bool ended() const;
  /// Waits until `done` schedules are committed and another one's runs are written but not
  /// committed yet: the moment that shows what a stop keeps. False if the batch ended first.
  bool wait_for_uncommitted_runs(const background_process& batch, std::size_t done = 1) const;
  std::size_t requests_of(const humm::analyst::testing::schedule_data& s) const;
};

/// Runs the batch again and checks that the output then holds every run exactly once.
void resume_and_check_exactly_once(const resume_fixture& f, std::vector<std::string> extra = {});

}  // namespace humm_test
