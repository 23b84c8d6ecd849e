// The rate gate's waits (rate_gate.hpp).

#include "async/rate_gate.hpp"

#include "async/cancellation.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace humm::analyst::detail {

namespace asio = boost::asio;
using namespace std::chrono;

rate_gate::rate_gate(double max_requests_per_second, const retry_budget_options& budget)
    : pacer_(max_requests_per_second), budget_(budget) {}

asio::awaitable<admission> rate_gate::admit(std::optional<clock::time_point> deadline, milliseconds max_wait,
                                            ticket& out, milliseconds& wait) {
  std::optional<asio::steady_timer> timer;
  for (;;) {
    clock::time_point start_at;
    {
      std::lock_guard lock(mutex_);
      const auto now = clock::now();
      start_at = pacer_.next_start(now);
      if (start_at <= now) {
        pacer_.started(now);
        out.gate_ = this;
        co_return admission::started;
      }
      // The server's word first: a wait it imposes beyond max_wait is why the call fails
      // (the client's own spacing is waited out, however long).
      wait = ceil<milliseconds>(pacer_.server_hold(now) - now);
    }
    if (wait > max_wait) co_return admission::too_long;
    if (deadline && start_at > *deadline) co_return admission::deadline;
    // Others may take the slot meanwhile: after the wait, ask again.
    if (!timer) timer.emplace(co_await asio::this_coro::executor);
    timer->expires_at(start_at);
    const auto waited_from = clock::now();
    auto [ec] = co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
    paused_us_ += duration_cast<microseconds>(clock::now() - waited_from).count();
    if (ec || co_await was_cancelled()) co_return admission::cancelled;
  }
}

void rate_gate::answered(unsigned status, const rate_limit_reading& reading, std::optional<milliseconds> retry_after) {
  std::lock_guard lock(mutex_);
  pacer_.answered(status, reading, retry_after, clock::now());
  // A retryable status (5xx, 408, 409) is a failed attempt for the budget; a 429 is
  // neither: the pause it brings (the pacer) already keeps its retries within what the
  // server allows, and a burst of them must not leave the client without retries.
  if (status == 429) return;
  if (is_retryable_status(status))
    budget_.failed();
  else
    budget_.succeeded();
}

void rate_gate::abandoned(bool failed) {
  std::lock_guard lock(mutex_);
  pacer_.abandoned();
  if (failed) budget_.failed();
}

bool rate_gate::may_retry() {
  std::lock_guard lock(mutex_);
  if (budget_.may_retry()) return true;
  ++retries_refused_;
  return false;
}

rate_gate::figures rate_gate::read() const {
  std::lock_guard lock(mutex_);
  return {pacer_.last_reading(), pacer_.too_many_requests(), duration_cast<milliseconds>(microseconds{paused_us_.load()}),
          retries_refused_.load()};
}

}  // namespace humm::analyst::detail
