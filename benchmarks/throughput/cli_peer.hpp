#pragma once
// humm-history as a throughput_report peer: `batch --format ndjson` over every schedule into a
// file, as a user exports run histories. Its figures come from its own --stats line (stderr);
// the file is checked to hold one line per run, then removed, so that the next run writes
// into a fresh file and the disk never has to take the earlier ones.
//
// Unlike the library's peers, its clock includes opening the connections and reading the id
// list: what a user of the tool waits for.

#include "peer_common.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

namespace peer {

struct cli_batch_run {
  std::vector<std::string> argv;
  std::vector<std::pair<std::string, std::string>> env;
};

inline cli_batch_run cli_batch_command(const std::string& exe, const std::string& base_url, const std::string& ca,
                                       const std::string& data_dir, const std::string& page_size,
                                       const std::string& connections) {
  return {{exe, "batch", "--org", std::string(read_meta(data_dir).at("organization_id").as_string()),
           "--schedules-file", data_dir + "/schedules.txt", "--concurrency", connections, "--max-connections",
           connections, "--page-size", page_size, "--format", "ndjson", "--stats", "--base-url", base_url,
           "--ca-file", ca},
          {{"HUMM_API_TOKEN", "benchmark-token"}}};
}

struct cli_batch_result {
  double pages = 0, runs = 0, seconds = 0;
};

// Reads the --stats line (the last line of `stderr_text`) and checks `output_file`.
inline cli_batch_result read_cli_batch(const std::string& stderr_text, const std::filesystem::path& output_file) {
  const std::size_t end = stderr_text.find_last_not_of('\n');
  const std::size_t start = end == std::string::npos ? 0 : stderr_text.rfind('\n', end) + 1;
  const auto stats = boost::json::parse(stderr_text.substr(start)).as_object();
  const cli_batch_result result{stats.at("pages").to_number<double>(), stats.at("runs").to_number<double>(),
                                stats.at("elapsed_s").to_number<double>()};
  std::ifstream file(output_file, std::ios::binary);
  const auto lines = std::count(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>(), '\n');
  file.close();
  std::filesystem::remove(output_file);
  if (static_cast<double>(lines) != result.runs)
    throw std::runtime_error(output_file.string() + " holds " + std::to_string(lines) + " lines for " +
                             std::to_string(result.runs) + " runs");
  return result;
}

}  // namespace peer
