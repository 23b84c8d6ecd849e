#pragma once
// Each subcommand of humm-history registers its options on the app and returns the
// function that runs it. Exit codes: 0 success; 1 API, network or partial failure;
// 2 usage or bad input.

#include <CLI/App.hpp>

#include <functional>

namespace humm_history {

enum exit_code : int { success = 0, failure = 1, bad_input = 2 };

using command = std::function<int()>;

command add_fetch_command(CLI::App& app);   // fetch_command.cpp
command add_walk_command(CLI::App& app);    // walk_command.cpp
command add_batch_command(CLI::App& app);   // batch_command.cpp
command add_decode_command(CLI::App& app);  // decode_command.cpp
command add_demo_command(CLI::App& app);    // demo_command.cpp

}  // namespace humm_history
