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
#include <utility>
#include <optional>

namespace humm::analyst::detail {

/// How a wait for the gate ended: the request started, or the wait would end past the
/// deadline, or would be longer than the caller accepts (too_long), or was cancelled.
enum class admission { started, deadline, too_long, cancelled };

class rate_gate {
 public:
  using clock = std::chrono::steady_clock;

  rate_gate(double max_requests_per_second, const retry_budget_options& budget);

  /// A started request, counted in flight until it is told how it ended; one dropped
  /// untold (its coroutine destroyed, an exception) ends as abandoned, so the count cannot
  /// drift.
  class ticket {
   public:
    ticket() = default;
    ticket(ticket&& other) noexcept : gate_(std::exchange(other.gate_, nullptr)) {}
    ticket& operator=(ticket&&) = delete;
    ~ticket() {
      if (gate_) gate_->abandoned(false);
    }
    /// The request got an answer: its status, what it said of the rate limit, its
    /// Retry-After (bounded by the caller) ...
    void answered(unsigned status, const rate_limit_reading& reading, std::optional<std::chrono::milliseconds> retry_after) {
      if (gate_) std::exchange(gate_, nullptr)->answered(status, reading, retry_after);
    }
    /// ... or none: `failed` when that counts against the retry budget (a connection error
    /// or a timeout; not a cancellation).
    void abandoned(bool failed) {
      if (gate_) std::exchange(gate_, nullptr)->abandoned(failed);
    }

   private:
    friend class rate_gate;
    rate_gate* gate_ = nullptr;
  };

  /// Waits until a request may start, and hands its ticket out. Gives up at once, without
  /// waiting, when the start would fall after `deadline`, or when the server holds requests
  /// back for more than `max_wait` (then `wait` tells how long); and when the caller cancels.
  boost::asio::awaitable<admission> admit(std::optional<clock::time_point> deadline, std::chrono::milliseconds max_wait,
                                          ticket& out, std::chrono::milliseconds& wait);

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
  void answered(unsigned status, const rate_limit_reading& reading, std::optional<std::chrono::milliseconds> retry_after);
  void abandoned(bool failed);

  mutable std::mutex mutex_;  // guards the pacer and the budget
  rate_pacer pacer_;
  retry_budget budget_;
  std::atomic<std::int64_t> paused_us_{0};
  std::atomic<std::uint64_t> retries_refused_{0};
};

}  // namespace humm::analyst::detail
