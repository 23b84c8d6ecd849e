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

// -v: the library's own events, as its log observer tells them, one line per attempt (request
// id, status, timings in ms), per connection and per page, above the progress bar.
ha::client_options command_context::watched(ha::client_options options, const output_settings& output) {
  options.single_threaded = true;  // one thread runs `io` (run() below): the client needs no strands
  if (output.verbose)
    options.observer = ha::make_log_observer(ha::log_level::debug, [this](std::string_view line) { log(line); });
  return options;
}

command_context::command_context(ha::client_options options, const output_settings& output)
    : format(resolve_format(output)), settings(output), client(io.get_executor(), watched(std::move(options), output)) {}

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
  return exit_code_of(e.code(), e.details());
}

int exit_code_of(const std::error_code& code, const ha::error_details& details) {
  if (code.category() != ha::error_category()) return failure;  // not the library's: unexpected, maybe passing
  switch (static_cast<ha::errc>(code.value())) {
    case ha::errc::invalid_argument: return bad_input;
    // Which statuses and proxy refusals are worth retrying is the library's retry policy
    // (408, 409, 429, 5xx; a proxy's 502, 503, 504): the tool and the client agree.
    case ha::errc::http_status:
    case ha::errc::proxy: return details.retryable ? failure : permanent_failure;
    case ha::errc::timeout:
    case ha::errc::connection:
    case ha::errc::deadline_exceeded:
    case ha::errc::rate_limited:
    case ha::errc::cancelled: return failure;
    // The same request gets the same answer: an untrusted certificate, a body that is not the
    // documented JSON, too large, or pages that cannot be followed need a person, not a retry.
    case ha::errc::tls:
    case ha::errc::decode:
    case ha::errc::body_too_large:
    case ha::errc::repeated_page:
    case ha::errc::bad_pagination: return permanent_failure;
  }
  return failure;
}

int worst_exit_code(int a, int b) {
  const auto rank = [](int code) {
    switch (code) {
      case success: return 0;
      case failure: return 1;
      case permanent_failure: return 2;
      default: return 3;  // bad_input
    }
  };
  return rank(a) >= rank(b) ? a : b;
}

void command_context::print_stats() const {
  const ha::client_stats c = client.stats();
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  const auto ms = [](std::chrono::microseconds d) { return static_cast<double>(d.count()) / 1000.0; };
  const auto u = [](std::uint64_t n) { return static_cast<unsigned long long>(n); };
  // Written by hand: Boost.JSON 1.81 writes doubles as 5E-3, which people read badly.
  char line[1024];
  std::snprintf(line, sizeof line,
                "{\"pages\":%llu,\"runs\":%llu,\"requests\":%llu,\"retries\":%llu,\"duplicates_skipped\":%llu,"
                "\"connections_opened\":%llu,\"tls_handshakes\":%llu,\"too_many_requests\":%llu,\"paused_s\":%.3f,"
                "\"attempt_ms\":{\"p50\":%.3f,\"p90\":%.3f,\"p99\":%.3f,\"max\":%.3f},"
                "\"call_ms\":{\"p50\":%.3f,\"p90\":%.3f,\"p99\":%.3f,\"max\":%.3f},"
                "\"elapsed_s\":%.6f,\"pages_per_s\":%.1f}",
                u(counts.pages), u(counts.runs), u(c.requests), u(c.retries), u(counts.duplicates_skipped),
                u(c.connections_opened), u(c.tls_handshakes), u(c.too_many_requests),
                std::chrono::duration<double>(c.paused).count(), ms(c.attempt_latency.p50), ms(c.attempt_latency.p90),
                ms(c.attempt_latency.p99), ms(c.attempt_latency.max), ms(c.call_latency.p50), ms(c.call_latency.p90),
                ms(c.call_latency.p99), ms(c.call_latency.max), elapsed,
                elapsed > 0 ? static_cast<double>(counts.pages) / elapsed : 0.0);
  std::cerr << line << '\n';
}

}  // namespace humm_history
