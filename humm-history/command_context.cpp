// The command context: the client and its io_context, the exit code of a failure, -v lines
// and the --stats line (command_context.hpp).

#include "command_context.hpp"

#include "commands.hpp"
#include "text.hpp"

#include <boost/asio/co_spawn.hpp>

#include <cstdio>
#include <iostream>
#include <stdexcept>

namespace humm_history {

namespace ha = humm::analyst;

std::unique_ptr<command_context> command_context::open(const connection_settings& connection,
                                                       const output_settings& output) {
  std::string token_source;
  auto options = make_client_options(connection, token_source);
  if (!options) return nullptr;
  try {
    auto ctx = std::make_unique<command_context>(std::move(*options), output);
    const auto proxy = ctx->client.proxy();  // host:port, never its credentials
    ctx->log("base URL " + connection.base_url + ", token from " + token_source + " (not shown), up to " +
             std::to_string(connection.max_connections) + " connections, " + std::to_string(connection.retries) +
             " retries" + (connection.ca_file.empty() ? "" : ", trusting " + connection.ca_file) +
             (proxy ? ", via proxy " + *proxy : ""));
    return ctx;
  } catch (const std::invalid_argument& e) {  // a malformed base URL or proxy, an unusable CA file
    // The library names its option; the user gave it as --proxy.
    std::string why = e.what();
    if (connection.proxy && why.starts_with("proxy: ")) why.insert(0, "--");
    std::cerr << message_line(why) << '\n';
    return nullptr;
  }
}

// One thread runs `io` (run() below): the client needs no strands of its own.
static ha::client_options single_threaded(ha::client_options options) {
  options.single_threaded = true;
  return options;
}

command_context::command_context(ha::client_options options, const output_settings& output)
    : client(io.get_executor(), single_threaded(std::move(options))), format(resolve_format(output)), settings(output) {}

int command_context::run(std::function<boost::asio::awaitable<int>()> body) {
  int code = failure;
  boost::asio::co_spawn(io, body(), [this, &code](std::exception_ptr failed, int result) {
    code = result;
    if (!failed) return;
    try {
      std::rethrow_exception(failed);
    } catch (const ha::api_error& e) {
      code = fail(e);
    } catch (const std::exception& e) {
      error(e.what());
      code = failure;
    }
  });
  io.run();
  out.flush();
  status.finish();
  if (!out.error().empty()) {
    error("cannot write the output: " + out.error());
    code = failure;
  }
  const ha::client_stats c = client.stats();
  log("client: " + std::to_string(c.requests) + " requests (" + std::to_string(c.retries) + " retries), " +
      std::to_string(c.connections_opened) + " connections opened, " + std::to_string(c.reused) +
      " requests on a reused connection");
  if (settings.stats) print_stats();
  return code;
}

// Lines quote what others wrote (the server's messages, --org, a schedules file): each is
// made one printable line, so that none can move the cursor or forge a line of its own.
void command_context::log(std::string_view line) {
  if (settings.verbose) status.print(message_line(line));
}

// The client's own target, not one built here: a second builder could differ from what is
// sent (it once left the organization id unencoded).
std::string command_context::request_line(std::string_view schedule_id, const ha::history_query& query) const {
  try {
    return "GET " + client.history_target(schedule_id, query);
  } catch (const std::invalid_argument& e) {  // batch logs a schedule whose walk was refused
    return std::string("no request (") + e.what() + ")";
  }
}

void command_context::error(std::string_view line) { status.print(message_line(line)); }

std::string describe(const ha::api_error& e) {
  // Not what(): std::system_error appends the code's own text ("the server answered with an
  // error status") to a message that already says it.
  const ha::error_details& d = e.details();
  std::string text = d.message.empty() ? e.code().message() : d.message;
  if (d.http_status != 0 && text.find(std::to_string(d.http_status)) == std::string::npos)
    text += " (HTTP " + std::to_string(d.http_status) + ")";
  return text;
}

int command_context::fail(const ha::api_error& e, std::string_view subject) {
  std::string line = subject.empty() ? describe(e) : std::string(subject) + ": " + describe(e);
  if (e.details().resume_offset && *e.details().resume_offset > 0)
    line += " (resume with --start-offset " + std::to_string(*e.details().resume_offset) + ")";
  error(line);
  return e.code() == ha::errc::invalid_argument ? bad_input : failure;
}

void command_context::print_stats() const {
  const ha::client_stats c = client.stats();
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  // Written by hand: Boost.JSON 1.81 writes doubles as 5E-3, which people read badly.
  char line[512];
  std::snprintf(line, sizeof line,
                "{\"pages\":%llu,\"runs\":%llu,\"requests\":%llu,\"retries\":%llu,\"duplicates_skipped\":%llu,"
                "\"connections_opened\":%llu,\"tls_handshakes\":%llu,\"too_many_requests\":%llu,\"paused_s\":%.3f,"
                "\"elapsed_s\":%.6f,\"pages_per_s\":%.1f}",
                static_cast<unsigned long long>(counts.pages), static_cast<unsigned long long>(counts.runs),
                static_cast<unsigned long long>(c.requests), static_cast<unsigned long long>(c.retries),
                static_cast<unsigned long long>(counts.duplicates_skipped),
                static_cast<unsigned long long>(c.connections_opened), static_cast<unsigned long long>(c.tls_handshakes),
                static_cast<unsigned long long>(c.too_many_requests), std::chrono::duration<double>(c.paused).count(),
                elapsed, elapsed > 0 ? static_cast<double>(counts.pages) / elapsed : 0.0);
  std::cerr << line << '\n';
}

}  // namespace humm_history
