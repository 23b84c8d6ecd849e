#pragma once
// The context a command runs in: what every command that calls the API (and the demo) sets
// up the same way, a client on an io_context, standard output, the status line on standard
// error, and the counts of --stats.

#include "options.hpp"
#include "output.hpp"
#include "progress.hpp"

#include <humm/analyst/client.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace humm_history {

/// The counts a command keeps itself (the client counts requests and connections).
struct run_counts {
  std::uint64_t pages = 0;
  std::uint64_t runs = 0;
  std::uint64_t duplicates_skipped = 0;
};

class command_context {
 public:
  /// A context for the real API, or nullptr after printing why (exit 2): no token, a bad
  /// base URL or CA file.
  static std::unique_ptr<command_context> open(const connection_settings& connection,
                                               const output_settings& output);
  /// A context with given client options (the demo's); throws std::invalid_argument like the client.
  command_context(humm::analyst::client_options options, const output_settings& output);

  /// Runs the command's coroutine to its end and returns its exit code; then prints the
  /// --stats line, and turns a failed write of the output into exit 1.
  int run(std::function<boost::asio::awaitable<int>()> body);

  /// A -v line on stderr; nothing without -v.
  void log(std::string_view line);
  /// A request for -v lines: "GET <target>" exactly as the client sends it (the token is in
  /// a header, never in a target), or "no request (<why>)" for arguments the client refuses.
  std::string request_line(std::string_view schedule_id, const humm::analyst::history_query& query) const;
  /// Takes the counts of --stats from a finished (or stopped) walk.
  void count(const humm::analyst::walk_stats& walk) {
    counts = {walk.pages, walk.runs, walk.duplicates_skipped};
  }
  /// An error line on stderr: "humm-history: <line>".
  void error(std::string_view line);

  /// The error line for a failed call or walk, and its exit code (exit_code_of).
  /// `subject`, when given, leads the line ("schedule ID").
  int fail(const humm::analyst::api_error& e, std::string_view subject = {});

  boost::asio::io_context io;
  output out;
  output_format format;
  status_line status;
  run_counts counts;
  const output_settings settings;
  // Last, so destroyed first: closing its idle connections tells the -v log (status, settings).
  humm::analyst::client client;

 private:
  void print_stats() const;
  humm::analyst::client_options watched(humm::analyst::client_options options, const output_settings& output);

  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

/// A failed call in one line: what happened, and the HTTP status when there was one.
std::string describe(const humm::analyst::api_error& e);

/// The exit code of a failure, the same for every command, so that a job runner can tell a
/// failure worth retrying (1) from one that a retry only repeats (2, 3): see commands.hpp.
int exit_code_of(const std::error_code& code, const humm::analyst::error_details& details);

/// Of two exit codes, the one a job runner must act on: bad input (2), then a permanent
/// failure (3), then a failure worth retrying (1), then success. A batch with both kinds of
/// failure exits 3: a retry could not succeed whole, so that a runner should stop, not retry.
int worst_exit_code(int a, int b);

}  // namespace humm_history
