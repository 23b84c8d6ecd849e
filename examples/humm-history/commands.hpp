#pragma once
// Each subcommand of humm-history registers its options on the app and returns the
// function that runs it. Exit codes: 0 success; 1 API, network or partial failure;
// 2 usage or bad input.

#include <CLI/App.hpp>

#include <functional>

namespace humm_history {

enum exit_code : int { success = 0, failure = 1, bad_input = 2 };

using command = std::function<int()>;

command add_decode_command(CLI::App& app);

}  // namespace humm_history
