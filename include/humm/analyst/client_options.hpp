#pragma once
// Everything a client is configured with, as a plain aggregate with documented defaults:
// those users expect of Stainless SDKs, Go net/http and curl (the README's Defaults table).

#include <humm/analyst/version.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace humm::analyst {

class observer;             // observer.hpp
struct response_info;       // response_info.hpp

/// How many retries the whole client may spend when requests keep failing (gRPC's retry
/// throttling): a bucket of `max_tokens`, one taken by each failed attempt, and
/// `refill_per_success` given back by each success; retries stop while half the bucket or
/// less is left, and calls then fail at once saying so. `max_tokens` 0 turns it off.
struct retry_budget_options {
  double max_tokens = 10;
  double refill_per_success = 0.1;
};

/// When and how long to wait before trying a request again.
struct retry_policy {
  /// Retries after the first attempt; 0 disables. Retried: connection errors, timeouts,
  /// 408, 409, 429 and 5xx. Never retried: other 4xx.
  int max_retries = 2;
  /// Exponential backoff: initial_backoff, doubling up to max_backoff, with full jitter.
  std::chrono::milliseconds initial_backoff{500};
  std::chrono::milliseconds max_backoff{8000};
  /// `Retry-After` (seconds or an HTTP date) and `X-RateLimit-Reset` are honoured up to this.
  std::chrono::milliseconds max_retry_after{60'000};
  retry_budget_options budget;
};

struct tls_options {
  /// Verify the server's certificate chain and host name. Turn off only for local tests.
  bool verify_peer = true;
  /// Trust these CAs instead of the system store: a PEM file, or PEM text (e.g. the fake
  /// server's certificate). Both empty: the system store.
  std::string ca_file;
  std::string ca_pem;
  /// Resume TLS sessions on new connections (abbreviated handshakes after the first).
  bool resume_sessions = true;
};

/// Per-call settings that override the client's. (Every member has an initializer, so that
/// designated initializers such as `{.timeout = 5s}` draw no warning.)
struct call_options {
  std::optional<std::chrono::milliseconds> request_timeout{};  ///< one attempt
  std::optional<int> max_retries{};
  /// The whole call: waiting for a connection or for the rate limit, every attempt (each
  /// clamped to the time left) and every backoff. A wait that would end past it ends the
  /// call at once with errc::deadline_exceeded. With `deadline` too, the earlier counts.
  std::optional<std::chrono::milliseconds> timeout{};
  std::optional<std::chrono::steady_clock::time_point> deadline{};  ///< the same, as a time point
  /// Header fields for this call only, after (and replacing, by name) the client's
  /// default_headers. Checked as default_headers are; a bad one fails the call with
  /// errc::invalid_argument before anything is sent.
  std::vector<std::pair<std::string, std::string>> headers{};
  /// Receives the answer's status, request id, attempts and timings (and what the two
  /// members below ask for) when the call succeeds, or when its body does not decode
  /// (errc::decode: the raw body is then what to keep); it must live until the call completes.
  /// Walks leave it alone: each of their pages carries its own (history_page::response).
  response_info* response = nullptr;
  /// Response header fields (names, any case) copied into response_info::headers.
  std::vector<std::string> response_headers{};
  /// Keep the body as received in response_info::raw_body, to archive it or decode it later.
  bool keep_raw_body = false;
};

struct client_options {
  /// `https://`, or `http://` for loopback hosts (see allow_insecure_http); a path prefix is kept.
  std::string base_url = "https://analyst.heyhumm.ai";
  /// Lets a plain `http://` base URL name a host other than localhost, 127.0.0.0/8 or ::1.
  /// The token then crosses the network in clear text: only for a network you trust.
  bool allow_insecure_http = false;
  /// The personal access token, sent as `Authorization: Bearer`. Never logged or shown.
  std::string token;
  /// Products sent in `User-Agent` after `humm-analyst-cpp/VERSION`, e.g. "my-service/2.1".
  std::string user_agent{};
  /// Header fields sent with every request (e.g. a tenant or tracing tag). Names are
  /// RFC 9110 tokens; values hold no CR, LF, NUL or other control character. The fields
  /// the client sets itself (Authorization, Host, User-Agent, Accept, Accept-Encoding) and
  /// those of the connection's framing (Connection, Content-Length, Transfer-Encoding, TE,
  /// Upgrade, Keep-Alive, Expect, Proxy-Authorization) are refused: the client is made
  /// with std::invalid_argument naming the field.
  std::vector<std::pair<std::string, std::string>> default_headers{};

  std::chrono::milliseconds connect_timeout{10'000};  ///< TCP connect plus TLS handshake; name resolution too
  std::chrono::milliseconds request_timeout{60'000};  ///< one attempt: write, wait, read

  /// Open connections at most, idle or busy. Lowered to fit the process's descriptor limit
  /// (half of RLIMIT_NOFILE's soft limit, less 32, leaving the rest of the process room):
  /// client_stats::max_connections tells the cap in effect.
  std::size_t max_connections = 16;
  std::chrono::milliseconds idle_timeout{60'000};  ///< idle connections older than this close

  retry_policy retry;
  tls_options tls;

  /// The HTTP proxy requests go through, as a CONNECT tunnel (TLS to an https API runs inside
  /// it, so the proxy sees neither the token nor the data): `http://[user:password@]host[:port]`,
  /// or `host:port` (http:// implied, port 1080 by default, as curl reads them); user and
  /// password are percent-decoded and sent as `Proxy-Authorization: Basic`. Unset: from the
  /// environment, as curl and most HTTP clients read it, so that a deployment behind a proxy
  /// needs no code: for an https base URL `https_proxy`, `HTTPS_PROXY`, then `all_proxy`,
  /// `ALL_PROXY`; for a plain http one `http_proxy` (lower case only: a CGI program's
  /// HTTP_PROXY may come from a request's `Proxy:` header, "httpoxy"), then `all_proxy`,
  /// `ALL_PROXY`. An empty string: no proxy, whatever the environment says. Other schemes
  /// (https://, socks5://) are refused: the client is made with std::invalid_argument naming
  /// the option or variable (never its credentials). Chosen once, when the client is made.
  /// A plain http:// base URL goes through a proxy only with allow_insecure_http (the proxy
  /// would read the token): without it the environment's proxy is passed by, and one named
  /// here is refused.
  std::optional<std::string> proxy{};
  /// Hosts reached directly, not through the proxy (whether `proxy` or the environment named
  /// it, as in curl). Unset: from `no_proxy` or `NO_PROXY`; an empty string lists none.
  /// As curl reads it: entries separated by commas or spaces; `*` matches every host; a name
  /// matches itself and its subdomains (`example.com` or `.example.com`: api.example.com
  /// too), case-insensitively; an IP address matches itself; a CIDR block (`10.0.0.0/8`,
  /// `fd00::/8`) matches IP addresses within it. Loopback is not implied: list `localhost`
  /// and `127.0.0.1` to reach local servers directly.
  std::optional<std::string> no_proxy{};

  /// Paces requests for servers that send no rate-limit fields: at most this many start
  /// per second, evenly spaced, across the whole client; 0 turns it off. Rate-limit fields
  /// (X-RateLimit-*, RateLimit) and 429 answers are followed whatever this is.
  double max_requests_per_second = 0;

  std::size_t max_response_bytes = 64u << 20;  ///< decompressed body size limit
  bool gzip = true;                            ///< send `Accept-Encoding: gzip`
  /// Bytes buffered for responses across all of the client's connections at once, compressed
  /// and inflated bodies both counted while they are read. The response that would cross it
  /// fails with errc::body_too_large. Bounds what many hostile or endless bodies at the same
  /// time can take (max_response_bytes bounds one).
  std::size_t max_buffered_bytes = 256u << 20;

  /// Set when the client's executor never runs two handlers at once: an io_context that one
  /// thread runs. The client then needs no strands of its own, and each call costs about a
  /// sixth less CPU. Left false, every call and every connection gets a strand, which makes
  /// the client safe on an io_context that several threads run. (A strand given as the
  /// executor is recognised and counts as single-threaded.) Setting it while several
  /// threads run the executor is a data race.
  bool single_threaded = false;

  /// Told of every attempt, call, connection and walk page (observer.hpp); none by default.
  std::shared_ptr<humm::analyst::observer> observer{};

  /// Defaults, with the token from `HUMM_API_TOKEN` (or `HUMM_PAT`) and the base URL from
  /// `HUMM_BASE_URL` when set, and with `HUMM_LOG=debug|info|warn` a log observer writing to
  /// standard error (an unknown level is told there once, and nothing is logged).
  static client_options from_env();
};

}  // namespace humm::analyst
