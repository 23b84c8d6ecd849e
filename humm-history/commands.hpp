#pragma once
// Each subcommand of humm-history registers its options on the app and returns the
// function that runs it, and the exit codes they all return.

#include <CLI/App.hpp>

#include <functional>

namespace humm_history {

/// What a job runner can act on (README, "Exit codes"; exit_code_of in command_context.hpp
/// says which failure is which): retry after `failure`, never after the other two.
enum exit_code : int {
  success = 0,
  failure = 1,            ///< worth retrying: the network, a timeout or deadline, 408, 409, 429, 5xx
  bad_input = 2,          ///< usage or input the tool or the client refused: nothing was sent
  permanent_failure = 3,  ///< the API refused (401, 403, 404, 422, other 4xx) or sent what cannot be read
};

using command = std::function<int()>;

command add_fetch_command(CLI::App& app);   // fetch_command.cpp
command add_walk_command(CLI::App& app);    // walk_command.cpp
command add_batch_command(CLI::App& app);   // batch_command.cpp
command add_run_command(CLI::App& app);     // run_command.cpp
command add_decode_command(CLI::App& app);  // decode_command.cpp
command add_demo_command(CLI::App& app);    // demo_command.cpp

}  // namespace humm_history
