// The log observer of observer.hpp: one line per event, at a level, through a sink.

#include <humm/analyst/observer.hpp>
#include <humm/analyst/printable.hpp>

#include <cstdio>
#include <iostream>
#include <mutex>
#include <string>

namespace humm::analyst {

namespace {

// "12.4": a duration in milliseconds, as the lines show every duration.
std::string ms(event_duration d) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", static_cast<double>(d.count()) / 1000.0);
  return text;
}

std::string plural(std::uint64_t n, const char* one, const char* many) {
  return std::to_string(n) + ' ' + (n == 1 ? one : many);
}

std::string describe(const attempt_event& e) {
  std::string line = std::string(e.method) + ' ' + std::string(e.target) + " attempt " + std::to_string(e.attempt);
  if (e.http_status != 0)
    line += ": " + std::to_string(e.http_status);
  else
    line += " failed: " + std::string(e.error_message);
  if (!e.request_id.empty()) line += ", req-id " + std::string(e.request_id);
  const attempt_timings& t = e.timings;
  line += ", " + ms(t.total) + " ms (";
  if (t.rate_limit_wait >= std::chrono::microseconds{100}) line += "rate limit " + ms(t.rate_limit_wait) + ", ";
  line += "pool " + ms(t.pool_wait);
  if (e.reused_connection)
    line += ", reused connection";
  else if (t.connect.count() > 0)
    line += ", connect " + ms(t.connect) + (t.tls_handshake.count() > 0 ? ", tls " + ms(t.tls_handshake) : "") +
            (e.tls_resumed ? " resumed" : "");
  if (t.first_byte.count() > 0) line += ", first byte " + ms(t.first_byte) + ", body " + ms(t.body);
  line += ')';
  if (e.http_status != 0) line += ", " + plural(e.body_bytes, "byte", "bytes");
  if (e.rate_limit_remaining) line += ", rate limit remaining " + std::to_string(*e.rate_limit_remaining);
  if (e.will_retry) line += "; retrying in " + std::to_string(e.backoff.count()) + " ms";
  return line;
}

std::string describe(const call_event& e) {
  std::string line = std::string(e.method) + ' ' + std::string(e.target);
  if (e.error)
    line += " failed after " + plural(static_cast<std::uint64_t>(e.attempts), "attempt", "attempts") + " in " +
            ms(e.elapsed) + " ms: " + std::string(e.error_message);
  else
    line += ": " + std::to_string(e.http_status) + " after " +
            plural(static_cast<std::uint64_t>(e.attempts), "attempt", "attempts") + " in " + ms(e.elapsed) +
            " ms (decode " + ms(e.decode) + ")";
  if (!e.request_id.empty()) line += ", req-id " + std::string(e.request_id);
  return line;
}

std::string describe(const connection_event& e) {
  std::string line = "connection to " + std::string(e.host);
  if (e.what == connection_event::kind::opened)
    return line + " opened" + (e.tls ? (e.tls_resumed ? " (TLS, session resumed)" : " (TLS)") : "");
  return line + " closed after " + plural(e.requests, "request", "requests") + ": " + std::string(e.reason);
}

std::string describe(const page_event& e) {
  std::string line = "page of schedule " + std::string(e.schedule_id) + " at offset " + std::to_string(e.offset) +
                     ": " + plural(e.runs, "run", "runs");
  if (e.duplicates_skipped > 0) line += " (" + std::to_string(e.duplicates_skipped) + " shown before)";
  line += ", next offset " + std::to_string(e.next_offset);
  if (e.total) line += " of " + std::to_string(*e.total);
  return line;
}

class log_observer final : public observer {
 public:
  log_observer(log_level level, std::function<void(std::string_view)> sink) : level_(level), sink_(std::move(sink)) {}

  void on_attempt(const attempt_event& e) override {
    const bool failed = e.http_status == 0 || e.http_status / 100 != 2;
    // Debug: every attempt; info adds none but retries to its call lines; warn: failures.
    if (level_ == log_level::debug || (failed && level_ == log_level::warn) || (e.will_retry && level_ == log_level::info))
      write(describe(e));
  }
  void on_call(const call_event& e) override {
    // At debug, a call that one successful attempt answered was told by that attempt's line.
    const bool told_by_its_attempt = !e.error && e.attempts == 1;
    if (level_ == log_level::info || (level_ == log_level::warn && e.error) ||
        (level_ == log_level::debug && !told_by_its_attempt))
      write(describe(e));
  }
  void on_connection(const connection_event& e) override {
    if (level_ == log_level::debug) write(describe(e));
  }
  void on_page(const page_event& e) override {
    if (level_ == log_level::debug) write(describe(e));
  }

 private:
  // Events' texts are printable already; the whole line is made so too, so that no future
  // field can bring a control character in.
  void write(const std::string& line) {
    const std::string text = printable(line);
    std::lock_guard lock(mutex_);
    if (sink_)
      sink_(text);
    else
      std::cerr << "humm-analyst: " << text << '\n';
  }

  const log_level level_;
  const std::function<void(std::string_view)> sink_;
  std::mutex mutex_;
};

bool same_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if ((a[i] | 0x20) != (b[i] | 0x20)) return false;
  return true;
}

}  // namespace

std::optional<log_level> parse_log_level(std::string_view text) {
  if (same_ignoring_case(text, "debug")) return log_level::debug;
  if (same_ignoring_case(text, "info")) return log_level::info;
  if (same_ignoring_case(text, "warn")) return log_level::warn;
  return std::nullopt;
}

std::shared_ptr<observer> make_log_observer(log_level level, std::function<void(std::string_view)> sink) {
  return std::make_shared<log_observer>(level, std::move(sink));
}

}  // namespace humm::analyst
