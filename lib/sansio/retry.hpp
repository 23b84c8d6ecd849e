#pragma once
// The retry decision, free of I/O: (policy, attempt, outcome, headers) -> retry after d, or
// give up. Tested exhaustively in microseconds (tests/unit/retry_test.cpp).

#include <humm/analyst/client_options.hpp>

#include <chrono>
#include <optional>
#include <string_view>
#include <system_error>

namespace humm::analyst::detail {

/// What one attempt ended with, as far as retrying is concerned.
struct attempt_outcome {
  std::error_code error;   ///< set when no usable response arrived
  unsigned status = 0;     ///< the HTTP status when a response arrived
  /// `Retry-After` (parse_retry_after), and the rate limit's reset in any form
  /// (read_rate_limit): nullopt when absent or malformed.
  std::optional<std::chrono::milliseconds> retry_after;
  std::optional<std::chrono::milliseconds> reset_after;
  /// With errc::proxy: the status the proxy refused the tunnel with (0: its answer was not HTTP).
  unsigned proxy_status = 0;
};

struct retry_decision {
  bool retry = false;
  std::chrono::milliseconds delay{0};
  /// The wait the server asked for (Retry-After, or a 429's reset), followed or not: a call
  /// that gives up because it exceeds max_retry_after tells it.
  std::optional<std::chrono::milliseconds> server_wait;
};

/// 408, 409, 429 and 5xx.
bool is_retryable_status(unsigned status) noexcept;

/// Connection failures and timeouts (a proxy that cannot be reached or closes at once is a
/// connection failure), and a proxy's refusals that is_retryable_proxy_status allows; not TLS
/// verification, decoding, limits or cancellation.
bool is_retryable_error(const std::error_code& error, unsigned proxy_status = 0) noexcept;

/// Whether a proxy's refusal of the tunnel (errc::proxy) is worth another attempt: its 502,
/// 503 or 504 (the proxy, or the way behind it, is failing for now). Never its other answers:
/// a 407 or 403 stands until the configuration changes, and an answer that is not HTTP
/// comes from something that is not a working proxy.
bool is_retryable_proxy_status(unsigned status) noexcept;

/// `Retry-After` as delay-seconds or an HTTP date, relative to `now`, at most
/// longest_server_wait; nullopt when malformed.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::system_clock::time_point now);

/// Exponential backoff before retry number `retry` (1 for the first retry): with
/// c = min(max_backoff, initial_backoff * 2^(retry-1)), c * (1 + jitter) / 2 for jitter in [0, 1).
std::chrono::milliseconds backoff_delay(const retry_policy& policy, int retry, double jitter) noexcept;

/// Whether a failed attempt is sent again at once on a fresh connection, without spending a
/// retry: a connection reused from the pool that failed before any byte of a response came
/// had been closed by the server while idle (a race every keep-alive client meets), and the
/// request never reached it.
bool resend_on_fresh_connection(bool connection_was_reused, bool failed_before_response,
                                const std::error_code& error) noexcept;

/// Whether to try again after `retries_done` retries ended in `outcome`, and when. The
/// server's `Retry-After` (or, on a 429 without it, the rate limit's reset) wins over the
/// backoff; a wait longer than policy.max_retry_after is not waited at all: the call gives
/// up at once, rather than wait the cap and try when the server said it was too early.
retry_decision decide_retry(const retry_policy& policy, int retries_done, const attempt_outcome& outcome,
                            double jitter);

/// The client-wide retry budget of gRPC's retry throttling (proposal A6): a bucket of
/// `max_tokens`; each failed attempt takes one, each success gives back `refill_per_success`;
/// retries are spent only while more than half the bucket is left. When most requests fail
/// (an outage), calls fail fast instead of multiplying the load; successes restore it. Not
/// thread-safe: its owner locks.
class retry_budget {
 public:
  explicit retry_budget(const retry_budget_options& options);
  bool may_retry() const noexcept { return !enabled_ || tokens_ > max_tokens_ / 2; }
  void failed() noexcept;
  void succeeded() noexcept;
  double tokens() const noexcept { return tokens_; }

 private:
  bool enabled_;
  double max_tokens_;
  double refill_;
  double tokens_;
};

}  // namespace humm::analyst::detail
