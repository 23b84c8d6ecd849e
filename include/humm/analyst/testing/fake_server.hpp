#pragma once
// An in-process fake of the Humm Analyst API for tests, the demo and benchmarks, and for
// users testing their own services: a Beast server on 127.0.0.1 and an ephemeral port, TLS
// by default with a self-signed certificate made in memory at start, a seeded data set,
// scripted faults and counters. Thread-safe: configure it from any thread while it serves.

#include <humm/analyst/testing/dataset.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace humm::analyst::testing {

/// How the `pagination` object of a history page looks: the API does not document it.
enum class pagination_style {
  empty,     ///< `{}`
  total,     ///< `{"total": N, "limit": L, "offset": K}`
  has_more,  ///< `{"has_more": true|false}`
};

/// A scripted misbehaviour, applied to the next request(s) that reach the endpoint.
/// Every member has an initializer (`{}` for the strings, added later) so that designated
/// initializers such as `{.status = 503}` draw no -Wmissing-field-initializers from GCC.
struct fault {
  std::chrono::milliseconds delay{0};  ///< wait this long before answering
  unsigned status = 0;                 ///< answer with this status (and `body`) instead of the data
  std::string retry_after{};           ///< `Retry-After` header value sent with `status`, if not empty
  std::string ratelimit_reset{};       ///< `X-RateLimit-Reset` header value, if not empty
  std::string body{};                  ///< body sent with `status`; FastAPI-style detail when empty
  bool close_before_response = false;  ///< close the connection without answering
  bool close_mid_body = false;         ///< send headers and half the body, then close
  bool malformed_chunked = false;      ///< a chunked body with a broken chunk size
  bool malformed_json = false;         ///< 200 with a body that is not JSON
  std::size_t times = 1;               ///< how many requests this fault applies to

  // Hostile servers (added later, so last: positional initialisation still works).
  /// Extra response headers (name, value), set after the usual ones and replacing those of
  /// the same name: a `Location` with a 302, an `x-request-id` of the test's choosing.
  std::vector<std::pair<std::string, std::string>> headers{};
  /// Interim responses written before the answer, in order: e.g. {100, 103} for a
  /// `100 Continue` and a `103 Early Hints`, or {101} for a protocol switch nobody asked for.
  std::vector<unsigned> interim_statuses{};
  /// After the answer, write a copy of it that no request asked for (a server out of step).
  bool unasked_response = false;
  /// Wait this long after the answer before writing the unasked copy; 0: in the same write.
  std::chrono::milliseconds unasked_response_delay{0};
  /// Answer 200 with a chunked body that never ends: chunks until the client closes.
  bool endless_body = false;
  /// Send the answer with this raw `Transfer-Encoding` value instead of `Content-Length`
  /// (e.g. "gzip, chunked"): the body is framed as one chunk when the value ends with
  /// "chunked", else by closing the connection. The body itself is not transformed.
  std::string transfer_encoding{};
  /// With a gzip body: append bytes that are not gzip after its end.
  bool gzip_trailing_garbage = false;
  /// With a gzip body: compress it as two gzip members (its halves), one after the other.
  bool gzip_two_members = false;
};

/// How a rate-limited server states its allowance: servers differ, and clients must read them all.
enum class rate_limit_style {
  /// `X-RateLimit-Limit`, `X-RateLimit-Remaining`, and `X-RateLimit-Reset` as the seconds
  /// until the window ends, rounded up (GitLab, Twitter's older API, many gateways).
  reset_delta_seconds,
  /// The same three fields, `X-RateLimit-Reset` as the Unix time in seconds at which the
  /// window ends, rounded up (GitHub; the API's older documentation).
  reset_unix_time,
  /// The IETF draft's fields instead of the X-RateLimit ones: `RateLimit: limit=N,
  /// remaining=R, reset=S` (S: seconds until the window ends, rounded up) and
  /// `RateLimit-Policy: N;w=W` (W: the window in seconds, rounded up).
  ietf_draft,
};

/// A fixed-window rate limit, as an API gateway in front of the service enforces it: at most
/// `requests_per_window` requests to the endpoints per window. A window starts with the first
/// request after the previous window has ended (so a long window never ends in the middle of
/// a test) and ends `window` later. Every request to an endpoint counts, before
/// authentication and validation, whatever its answer; requests to other paths neither count
/// nor carry the fields. Every answer to a counted request carries the allowance left after
/// it (in `style`); a request beyond it gets `429`, `{"detail":"Too Many Requests"}`,
/// `Retry-After` (seconds until the window ends, rounded up) and the fields with remaining 0,
/// and does not reach the API: it takes no scripted fault.
struct rate_limit_mode {
  std::size_t requests_per_window = 0;  ///< 0: no rate limit (and no rate-limit fields)
  std::chrono::milliseconds window{std::chrono::seconds{1}};  ///< must be positive when limiting
  rate_limit_style style = rate_limit_style::reset_delta_seconds;
};

struct fake_server_options {
  bool tls = true;
  /// The names and addresses the certificate is valid for (tests of host-name checks
  /// narrow it).
  std::vector<std::string> certificate_hosts{"localhost", "127.0.0.1"};
  std::string token = "test-token";  ///< the only bearer token accepted (401 otherwise)
  uuid organization = make_uuid(1);  ///< the only organization that owns the schedules
  pagination_style pagination = pagination_style::total;
  bool echo_limit = true;              ///< with pagination_style::total, echo the limit used
  std::size_t max_page_size = 100;     ///< a lower value clamps pages silently, as a server may
  bool gzip = true;                    ///< gzip bodies when the request accepts it
  std::size_t close_after_requests = 0;  ///< close each connection after K requests; 0: never
  std::chrono::milliseconds idle_close{0};  ///< close connections idle this long; 0: never
  // Added later (last, so positional initialisation still works).
  /// A rate limit in front of the endpoints; off by default. The server's constructor throws
  /// std::invalid_argument for a limit with a window that is not positive.
  rate_limit_mode rate_limit{};
};

/// What the server has seen, for assertions.
struct fake_server_counters {
  std::size_t connections_accepted = 0;
  std::size_t handshakes = 0;
  std::size_t requests = 0;
  std::size_t max_concurrent_requests = 0;      ///< most requests being handled at one time
  std::map<std::string, std::size_t> by_path;   ///< path without query -> requests
  std::map<std::string, std::size_t> by_target; ///< path with query -> requests
  // Added after the first version (last, so positional initialisation still works): lets
  // client tests check that gzip was negotiated, not just that the data arrived.
  std::size_t gzip_responses = 0;  ///< responses whose body was sent gzip-compressed
  std::map<std::string, std::size_t> cipher_suites;  ///< negotiated TLS cipher suite -> handshakes
  /// Responses sent with status 429: the rate limit's refusals, and scripted faults' 429s.
  std::size_t too_many_requests = 0;
  /// The header fields of the latest request, names in lower case (the last value of a
  /// repeated one): what a client sent, e.g. its User-Agent or a header of its own.
  std::map<std::string, std::string> last_request_headers{};
};

class fake_server {
 public:
  /// Starts on its own thread.
  explicit fake_server(fake_server_options options = {});
  /// Starts on `executor`; the caller runs it (on one thread or many) and keeps its
  /// execution context alive until the server is destroyed.
  fake_server(boost::asio::any_io_executor executor, fake_server_options options = {});
  ~fake_server();  ///< stops
  fake_server(const fake_server&) = delete;
  fake_server& operator=(const fake_server&) = delete;

  /// Stops accepting and closes every connection; idempotent.
  void stop();

  std::uint16_t port() const;
  /// `https://127.0.0.1:PORT` (or `http://` without TLS).
  std::string base_url() const;
  /// The self-signed certificate (PEM), valid for `localhost` and `127.0.0.1`: trust exactly it.
  const std::string& certificate_pem() const;
  const fake_server_options& options() const;

  /// Adds a schedule of the server's organization with `runs` seeded runs; returns its data.
  schedule_data add_schedule(std::size_t runs, std::uint64_t seed = 1);
  /// Adds `count` new runs at the head of a schedule's history (the newest), as happens
  /// when runs are created during a walk. Throws std::invalid_argument for an unknown schedule.
  void insert_runs_at_head(const uuid& schedule, std::size_t count);

  /// Queues a fault; faults apply in the order queued, each to its next `times` requests.
  void push_fault(fault f);
  /// Changes the pagination style for the next requests (options() keeps the initial one).
  void set_pagination(pagination_style style);

  fake_server_counters counters() const;
  void reset_counters();

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

}  // namespace humm::analyst::testing
