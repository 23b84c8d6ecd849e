#pragma once
// Runs a program with arguments, standard input and environment changes, collecting its
// exit code and output.

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace humm_test {

struct process_result {
  int exit_code = -1;  // 128 + signal number when killed by a signal
  std::string out;
  std::string err;
  std::chrono::steady_clock::duration elapsed{};
  bool timed_out = false;  // killed after process_options::timeout
};

struct process_options {
  std::string input;
  /// Changes to the inherited environment: set to a value, or unset with nullopt.
  std::vector<std::pair<std::string, std::optional<std::string>>> env{};
  /// When not 0, the reading end of standard output is closed once this many lines have
  /// arrived, as `| head -N` does; `out` holds what was read until then.
  std::size_t close_stdout_after_lines = 0;
  /// A process still running after this is killed (SIGKILL), so that a hang fails a test.
  std::chrono::milliseconds timeout{60'000};
};

process_result run_process(const std::string& program, const std::vector<std::string>& args,
                           const process_options& options);

inline process_result run_process(const std::string& program, const std::vector<std::string>& args,
                                  const std::string& input = {}) {
  return run_process(program, args, process_options{.input = input});
}

}  // namespace humm_test
