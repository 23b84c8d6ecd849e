#pragma once
// What a client reports as it works, for logs, metrics and traces: one event per attempt
// (what a trace span of the request would carry), one per call, one per connection opened
// or closed, one per page a walk hands out. An observer is set in client_options::observer;
// without one the client reports nothing and pays nothing but a pointer test.
//
// Events are told synchronously, from the thread that runs the client's work at that moment:
// an observer of a client whose executor several threads run must be thread-safe, and every
// observer should return quickly. The views in an event are valid during the call only.
// No event holds the token; server text (request ids, error messages) is already one
// printable line. The client keeps its observer alive; the client's destruction (closing its
// idle connections) and calls still running after it tell events too, so what a callback
// touches must outlive them.
//
// make_log_observer() turns events into log lines; client_options::from_env() installs one
// when HUMM_LOG is set. examples/otel_spans.cpp turns them into trace spans.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <system_error>

namespace humm::analyst {

using event_duration = std::chrono::microseconds;

/// Where an attempt's time went, in order. Zero for a step that did not happen (no connect
/// or handshake on a reused connection; no first byte when the request failed before).
struct attempt_timings {
  event_duration rate_limit_wait{};  ///< held back by the server's rate limit or max_requests_per_second
  event_duration pool_wait{};        ///< waiting for a connection (the pool at max_connections)
  event_duration connect{};          ///< resolving and TCP connect (through the proxy's tunnel too) of a new connection
  event_duration tls_handshake{};    ///< of a new connection
  event_duration first_byte{};       ///< from sending the request to the response's header, read whole
  event_duration body{};             ///< from the header to the body read whole (and inflated)
  event_duration total{};            ///< the whole attempt, from its start after the rate limit's wait
};

/// One attempt of a call: a child span of the call's.
struct attempt_event {
  std::uint64_t call_id = 0;         ///< the call_event::call_id of its call
  std::string_view method;           ///< "GET"
  std::string_view target;           ///< path and query exactly as sent
  int attempt = 0;                   ///< 1 for the first, 2 for the first retry...
  std::chrono::system_clock::time_point started{};  ///< when timings.total began
  unsigned http_status = 0;          ///< 0 when no answer came (see error)
  std::error_code error{};           ///< why no answer came (an errc); empty with an answer
  std::string_view error_message{};  ///< what failed, one line; empty with an answer
  std::string_view request_id{};     ///< `x-request-id` of the answer
  bool reused_connection = false;    ///< sent on an idle pooled connection
  bool tls_resumed = false;          ///< a new TLS connection's handshake resumed a session
  attempt_timings timings{};
  std::uint64_t body_bytes = 0;      ///< the answer's body, inflated
  /// What the client does next: retry after `backoff` (the call may still end first: a
  /// cancellation, its deadline, a rate-limit wait too long), or not (a success, a final failure).
  bool will_retry = false;
  std::chrono::milliseconds backoff{0};
  /// The rate-limit fields of the answer (X-RateLimit-* or RateLimit), when it had them.
  std::optional<std::int64_t> rate_limit{}, rate_limit_remaining{};
  std::optional<std::chrono::milliseconds> rate_limit_reset_after{};
  std::optional<std::chrono::milliseconds> retry_after{};  ///< what `Retry-After` asked for
};

/// One call, every attempt, wait and backoff included: the parent span.
struct call_event {
  /// Numbers the client's calls from 1; each of the call's attempt_events carries it too,
  /// which links an attempt's span to its call's (a call is told last, after its attempts).
  std::uint64_t call_id = 0;
  std::string_view method;
  std::string_view target;
  std::chrono::system_clock::time_point started{};
  event_duration elapsed{};          ///< the whole call, decoding included
  event_duration decode{};           ///< turning the body into the model
  int attempts = 0;
  unsigned http_status = 0;          ///< of the last answer; 0 when none came
  std::error_code error{};           ///< empty for a success
  std::string_view error_message{};  ///< the call's failure, as api_error tells it
  std::string_view request_id{};
};

/// A connection opened, or closed (whoever closed it).
struct connection_event {
  enum class kind { opened, closed };
  kind what = kind::opened;
  std::string_view host;     ///< the API's host as in the Host field, host[:port] (never a proxy's)
  std::string_view reason{}; ///< why it closed: "idle timeout", "closed by the server", ...
  bool tls = false;
  bool tls_resumed = false;
  std::uint64_t requests = 0;  ///< closed: the requests it carried
};

/// A page a walk hands out.
struct page_event {
  std::string_view schedule_id;
  std::int64_t offset = 0;            ///< requested at
  std::size_t runs = 0;               ///< handed out (runs shown before are left out)
  std::size_t duplicates_skipped = 0; ///< runs of this page shown before
  std::optional<std::int64_t> total{};
  std::int64_t next_offset = 0;       ///< where the walk would resume after this page
  int attempts = 0;
  std::string_view request_id{};
};

/// Receives a client's events; override what you need. Each callback must not throw.
class observer {
 public:
  virtual ~observer() = default;
  virtual void on_attempt(const attempt_event&) {}
  virtual void on_call(const call_event&) {}
  virtual void on_connection(const connection_event&) {}
  virtual void on_page(const page_event&) {}
};

/// debug: every attempt, connection and page, and each call its attempts alone do not tell
/// (retried, or failed); info: one line per call, and each attempt that is retried; warn:
/// failed attempts and failed calls only.
enum class log_level { debug, info, warn };

/// "debug", "info", "warn" (any case); nullopt for anything else.
std::optional<log_level> parse_log_level(std::string_view text);

/// An observer that writes one line per event at `level` or above, through `sink` (standard
/// error, prefixed "humm-analyst: ", when empty). Lines carry method, target, status, request
/// id and timings in milliseconds, e.g.
///   GET /reports/schedules/…/runs?… attempt 1: 200 req-id 4f2… in 12.4 ms (pool 0.0, connect 1.1, tls 3.2, first byte 7.5, body 0.3)
/// The sink is called under a lock: lines never interleave.
std::shared_ptr<observer> make_log_observer(log_level level, std::function<void(std::string_view)> sink = {});

}  // namespace humm::analyst
