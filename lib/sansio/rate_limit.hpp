#pragma once
// Rate limits, free of I/O: what a response says about the server's allowance (the
// X-RateLimit-* fields, the IETF RateLimit drafts, Retry-After on a 429), and the pacing that
// the whole client follows from it, with an optional requests-per-second bucket for servers
// that say nothing. The timers that wait live at the edge (async/rate_gate.hpp); every
// decision is here and tested without sockets (tests/unit/rate_limit_test.cpp).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace humm::analyst::detail {

/// The rate-limit fields of one response, as sent (empty when absent).
struct rate_limit_fields {
  std::string_view limit{};      ///< X-RateLimit-Limit, or RateLimit-Limit (IETF drafts 00 to 05)
  std::string_view remaining{};  ///< X-RateLimit-Remaining, or RateLimit-Remaining
  std::string_view reset{};      ///< X-RateLimit-Reset, or RateLimit-Reset
  std::string_view combined{};   ///< RateLimit: `limit=10, remaining=4, reset=3` or `"default";r=4;t=3`
  std::string_view policy{};     ///< RateLimit-Policy: `10;w=1` or `"default";q=10;w=1`
};

/// What the server said: any of the three may be unknown.
struct rate_limit_reading {
  std::optional<std::int64_t> limit{};
  std::optional<std::int64_t> remaining{};
  std::optional<std::chrono::milliseconds> reset_after{};  ///< until the allowance comes back
  bool empty() const noexcept { return !limit && !remaining && !reset_after; }
};

/// Above this, a reset value is a Unix time in seconds; at or below, seconds from now
/// (10^9 seconds is 2001: no server means a wait of 31 years).
inline constexpr std::int64_t unix_time_threshold = 1'000'000'000;

/// A reset value in either form, as a wait from `now`; nullopt when malformed.
std::optional<std::chrono::milliseconds> parse_reset(std::string_view value, std::chrono::system_clock::time_point now);

/// Reads every form; the separate fields win over the combined one when both are sent.
rate_limit_reading read_rate_limit(const rate_limit_fields& fields, std::chrono::system_clock::time_point now);

/// The client-wide pacing: when may the next request start? Until the first answer tells
/// whether the server states a limit, one request at a time (a burst of requests at a
/// client's start would otherwise meet a burst of 429s); then the known allowance less the
/// requests in flight; a 429 pauses every request until its Retry-After (or its reset); a
/// requests-per-second bucket spaces requests evenly. Not thread-safe: its owner locks.
class rate_pacer {
 public:
  using clock = std::chrono::steady_clock;

  /// `max_requests_per_second` 0: no bucket, only what servers say.
  explicit rate_pacer(double max_requests_per_second = 0);

  /// How often a request waiting for an answer to tell more looks again: no event wakes it.
  static constexpr std::chrono::milliseconds answer_poll{5};
  /// How long requests wait for the client's first answer: a slow one must not hold the
  /// others back for a whole request timeout.
  static constexpr std::chrono::seconds first_answer_patience{1};

  /// The earliest time a new request may start; `now` or earlier means at once.
  clock::time_point next_start(clock::time_point now) const;
  /// How far next_start() is held back by the server's word alone (a 429's pause, a spent
  /// allowance's reset), not by the bucket's spacing or a wait for answers.
  clock::time_point server_hold(clock::time_point now) const;
  /// A request starts (call when next_start(now) <= now).
  void started(clock::time_point now);
  /// A started request got an answer with `status`. `reading` is what it said of the limit;
  /// `retry_after` its Retry-After, if any.
  void answered(unsigned status, const rate_limit_reading& reading, std::optional<std::chrono::milliseconds> retry_after,
                clock::time_point now);
  /// A started request ended without an answer.
  void abandoned();

  const rate_limit_reading& last_reading() const noexcept { return last_; }
  std::size_t in_flight() const noexcept { return in_flight_; }
  std::uint64_t too_many_requests() const noexcept { return too_many_requests_; }

 private:
  clock::duration spacing_{};                     // between two starts, from the bucket; 0: off
  clock::time_point next_slot_{};                 // the bucket's next free start
  clock::time_point paused_until_{};              // after a 429
  std::optional<std::int64_t> remaining_;         // the server's allowance at its last answer
  std::optional<std::int64_t> limit_;             // restored at the reset
  std::optional<clock::time_point> reset_at_;     // when the allowance comes back
  std::size_t in_flight_ = 0;
  bool answered_once_ = false;
  std::optional<clock::time_point> first_started_;
  std::uint64_t too_many_requests_ = 0;
  rate_limit_reading last_;
};

}  // namespace humm::analyst::detail
