#pragma once
// Runs a program with arguments, standard input and environment changes, collecting its
// exit code and output; or starts it in the background, to signal or kill it while it runs.

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
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

/// A program running in the background, its output collected by a thread of its own. It is
/// killed (SIGKILL) if still running at destruction or after process_options::timeout.
class background_process {
 public:
  background_process(const std::string& program, const std::vector<std::string>& args, const process_options& options);
  ~background_process();
  background_process(const background_process&) = delete;
  background_process& operator=(const background_process&) = delete;

  /// Sends `signal` unless the process has ended (its id is then never reused by mistake).
  void signal(int signal);
  /// Whether it has exited (its result is then ready).
  bool ended() const;
  /// Waits for its end.
  process_result wait();

 private:
  struct child;
  std::unique_ptr<child> child_;
  process_result result_;
  mutable std::mutex mutex_;
  bool reaped_ = false;
  std::thread collector_;
};

}  // namespace humm_test
