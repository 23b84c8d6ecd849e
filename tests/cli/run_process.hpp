#pragma once
// Runs a program with arguments and standard input, collecting its exit code and output.

#include <string>
#include <vector>

namespace humm_test {

struct process_result {
  int exit_code = -1;  // 128 + signal number when killed by a signal
  std::string out;
  std::string err;
};

process_result run_process(const std::string& program, const std::vector<std::string>& args,
                           const std::string& input = {});

}  // namespace humm_test
