#pragma once
// Runs humm-history against a fake server started in the test process: the certificate in a
// temporary file for --ca-file, the token in the environment, the base URL as an argument.

#include "run_process.hpp"

#include <humm/analyst/testing/fake_server.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <string>
#include <thread>
#include <vector>

namespace humm_test {

inline const std::string exe = HUMM_HISTORY_EXE;

/// The environment of a tool run: nothing inherited that names a token, a base URL, a proxy
/// (a machine's HTTPS_PROXY would send the tool's requests to the fake server through it) or
/// a job runner's shard (tests run inside a CI job too).
inline process_options clean_env(std::optional<std::string> token = std::nullopt) {
  process_options options;
  options.env = {{"HUMM_API_TOKEN", std::move(token)}, {"HUMM_PAT", std::nullopt}, {"HUMM_BASE_URL", std::nullopt},
                 {"COLUMNS", std::nullopt}, {"NO_COLOR", std::nullopt}};
  for (const char* proxy : {"https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY",
                            "no_proxy", "NO_PROXY"})
    options.env.emplace_back(proxy, std::nullopt);
  for (const char* runner : {"JOB_COMPLETION_INDEX", "HUMM_SHARD_COUNT", "SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_MIN",
                             "SLURM_ARRAY_TASK_COUNT", "SLURM_ARRAY_TASK_STEP"})
    options.env.emplace_back(runner, std::nullopt);
  return options;
}

class cli_server {
 public:
  explicit cli_server(humm::analyst::testing::fake_server_options options = {});
  ~cli_server();
  cli_server(const cli_server&) = delete;
  cli_server& operator=(const cli_server&) = delete;

  humm::analyst::testing::fake_server server;
  const std::string org;      // the organization that owns the schedules
  const std::string ca_file;  // the server's certificate, for --ca-file

  /// `command` plus --base-url and --ca-file.
  std::vector<std::string> args(std::vector<std::string> command) const;
  /// The environment with the server's token.
  process_options env() const { return clean_env(server.options().token); }
  /// Runs humm-history with `command` (plus server arguments) and the server's token.
  process_result run(std::vector<std::string> command, process_options options) const;
  process_result run(std::vector<std::string> command) const { return run(std::move(command), env()); }
};

/// A temporary file with `text`, removed at destruction.
class temp_file {
 public:
  explicit temp_file(const std::string& text);
  ~temp_file();
  temp_file(const temp_file&) = delete;
  temp_file& operator=(const temp_file&) = delete;
  const std::string path;
};

std::string id_of(const humm::analyst::testing::schedule_data& data);
std::vector<std::string> lines_of(const std::string& text);
/// The parsed lines of ndjson output (fails the test on a line that is not JSON).
std::vector<boost::json::value> ndjson_values(const std::string& text);
/// The normalized JSON of a run, as the tool prints it.
boost::json::value json_of(const humm::analyst::command_run& run);
/// The last line of stderr, parsed: the --stats line.
boost::json::object stats_of(const process_result& r);

/// Commands the tool must refuse before any request, each with what its one error line
/// names: each exits 2 with that line alone and no output, and the server sees nothing.
void check_refused_before_any_request(cli_server& api,
                                      const std::vector<std::pair<std::vector<std::string>, std::string>>& cases);

/// Creates `count` runs at the head of `schedule` once the server has seen `requests`
/// requests (or after 30 s): pages requested later are shifted. Join the thread.
std::thread create_runs_after(humm::analyst::testing::fake_server& server, const humm::analyst::uuid& schedule,
                              std::size_t requests, std::size_t count);

}  // namespace humm_test
