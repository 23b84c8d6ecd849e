// Trace spans from the client's events, shaped as OpenTelemetry's (OTLP JSON field names,
// HTTP semantic-convention attributes), with no dependency added: each call is a span, each
// of its attempts a child span, printed one JSON object per line. A real exporter would hand
// the same fields to opentelemetry-cpp's tracer (StartSpan with the start time, SetAttribute,
// End with the end time) instead of printing them.
//
// Runs against the library's fake server, so it needs no token: a page fails once with 503
// to show a retried attempt.
//   otel_spans

#include <humm/analyst/client.hpp>
#include <humm/analyst/observer.hpp>
#include <humm/analyst/testing/fake_server.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <iostream>
#include <mutex>
#include <random>

namespace asio = boost::asio;
namespace json = boost::json;
namespace ha = humm::analyst;

class span_exporter final : public ha::observer {
 public:
  // A call's span is told last, after its attempts: each attempt's span names the call's
  // span as parent through ids derived from call_id, so nothing needs to be kept.
  void on_attempt(const ha::attempt_event& e) override {
    json::object attributes{{"http.request.method", e.method},
                            {"url.path", e.target.substr(0, e.target.find('?'))},
                            {"http.request.resend_count", e.attempt - 1},
                            {"humm.connection.reused", e.reused_connection},
                            {"humm.pool_wait_us", us(e.timings.pool_wait)},
                            {"humm.connect_us", us(e.timings.connect)},
                            {"humm.tls_handshake_us", us(e.timings.tls_handshake)},
                            {"humm.time_to_first_byte_us", us(e.timings.first_byte)},
                            {"humm.body_us", us(e.timings.body)}};
    if (e.http_status != 0) attributes["http.response.status_code"] = e.http_status;
    if (!e.request_id.empty()) attributes["humm.request_id"] = e.request_id;
    if (e.error) attributes["error.type"] = e.error.message();
    if (e.will_retry) attributes["humm.retry_backoff_ms"] = e.backoff.count();
    print(e.call_id, span_id(e.call_id, e.attempt), span_id(e.call_id, 0), "GET attempt", e.started,
          e.timings.total, std::move(attributes), failed(e.http_status, e.error));
  }

  void on_call(const ha::call_event& e) override {
    json::object attributes{{"http.request.method", e.method},
                            {"url.path", e.target.substr(0, e.target.find('?'))},
                            {"humm.attempts", e.attempts},
                            {"humm.decode_us", us(e.decode)}};
    if (e.http_status != 0) attributes["http.response.status_code"] = e.http_status;
    if (e.error) attributes["error.type"] = e.error.message();
    print(e.call_id, span_id(e.call_id, 0), "", "GET " + std::string(e.target.substr(0, e.target.find('?'))), e.started,
          e.elapsed, std::move(attributes), failed(e.http_status, e.error));
  }

 private:
  // Whole microseconds: Boost.JSON 1.81 would write milliseconds as 5.4E-2.
  static std::int64_t us(ha::event_duration d) { return d.count(); }
  static bool failed(unsigned status, std::error_code error) { return error || status >= 400; }

  // 128-bit trace ids and 64-bit span ids as hex, as OTLP JSON writes them; the salt keeps
  // two runs of the program from reusing ids.
  std::string hex(std::uint64_t value) const {
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
    return text;
  }
  std::string trace_id(std::uint64_t call_id) const { return hex(salt_) + hex(call_id); }
  std::string span_id(std::uint64_t call_id, int attempt) const {
    return hex((salt_ ^ (call_id << 8)) + static_cast<std::uint64_t>(attempt));
  }

  void print(std::uint64_t call_id, std::string span, std::string parent, std::string name,
             std::chrono::system_clock::time_point start, ha::event_duration took, json::object attributes,
             bool error) {
    const auto start_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(start.time_since_epoch()).count();
    const auto end_ns = start_ns + std::chrono::duration_cast<std::chrono::nanoseconds>(took).count();
    json::object span_json{{"traceId", trace_id(call_id)},
                           {"spanId", std::move(span)},
                           {"name", std::move(name)},
                           {"kind", "SPAN_KIND_CLIENT"},
                           {"startTimeUnixNano", std::to_string(start_ns)},
                           {"endTimeUnixNano", std::to_string(end_ns)},
                           {"attributes", std::move(attributes)},
                           {"status", {{"code", error ? "STATUS_CODE_ERROR" : "STATUS_CODE_UNSET"}}}};
    if (!parent.empty()) span_json["parentSpanId"] = std::move(parent);
    const std::lock_guard lock(mutex_);  // events may come from several threads
    std::cout << json::serialize(span_json) << '\n';
  }

  const std::uint64_t salt_ = std::random_device{}() | (std::uint64_t{std::random_device{}()} << 32);
  std::mutex mutex_;
};

int main() {
  ha::testing::fake_server server;
  const auto schedule = server.add_schedule(45, 3);
  server.push_fault({.status = 503});  // the first page is retried once

  ha::client_options options;
  options.base_url = server.base_url();
  options.token = server.options().token;
  options.tls.ca_pem = server.certificate_pem();
  options.proxy = "";  // the fake server is on this machine, whatever HTTPS_PROXY says
  options.retry.initial_backoff = std::chrono::milliseconds{10};
  options.observer = std::make_shared<span_exporter>();

  asio::io_context io;
  ha::client client(io.get_executor(), options);
  const ha::walk_options walk{.organization_id = ha::format_uuid(server.options().organization), .page_size = 20};
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        auto pages = client.history_pages(ha::format_uuid(schedule.schedule.id), walk);
        while (co_await pages.next()) {
        }
      },
      asio::detached);
  io.run();
}
