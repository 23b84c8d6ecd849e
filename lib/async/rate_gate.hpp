#pragma once
// The edge of the client-wide rate-limit pacing (sansio/rate_limit.hpp): the pacer and the
// retry budget behind one lock, and the timer a request waits on until the pacer lets it
// start. Waits are asynchronous, follow the caller's cancellation and end at its deadline.

#include "sansio/rate_limit.hpp"
#include "sansio/retry.hpp"

#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>

namespace humm::analyst::detail {

/// How a wait for the gate ended.
enum class admission { started, deadline, cancelled };

class rate_gate {
 public:
  using clock = std::chrono::steady_clock;

  rate_gate(double max_requests_per_second, const retry_budget_options& budget);

  /// Waits until a request may start, and counts it started; gives up when the start would
  /// fall after `deadline` (at once, without waiting for it) or when the caller cancels.
  boost::asio::awaitable<admission> admit(std::optional<clock::time_point> deadline);
  /// The started request got an answer (rate-limit fields read, Retry-After if any) ...
  void answered(unsigned status, const rate_limit_reading& reading, std::optional<std::chrono::milliseconds> retry_after);
  /// ... or none: `failed` when that counts against the retry budget (a connection error or
  /// a timeout; not a cancellation).
  void abandoned(bool failed);

  /// Whether the retry budget allows a retry now (refusals are counted).
  bool may_retry();

  struct figures {
    rate_limit_reading last;                 ///< what the latest answer said of the limit
    std::uint64_t too_many_requests = 0;     ///< 429 answers
    std::chrono::milliseconds paused{0};     ///< time requests spent waiting at the gate, summed
    std::uint64_t retries_refused = 0;       ///< retries the budget did not allow
  };
  figures read() const;

 private:
  mutable std::mutex mutex_;  // guards the pacer and the budget
  rate_pacer pacer_;
  retry_budget budget_;
  std::atomic<std::int64_t> paused_us_{0};
  std::atomic<std::uint64_t> retries_refused_{0};
};

}  // namespace humm::analyst::detail
