#pragma once
// A fair asynchronous semaphore: a fixed number of permits, callers beyond them waiting in
// order, cancellably, from any thread. It replaces Asio's concurrent_channel for the pool:
// in Boost 1.81, once the last waiting receive of a channel is cancelled, the channel stops
// buffering and every later try_send is dropped, so the pool lost its permits for good.

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>

namespace humm::analyst::detail {

namespace asio = boost::asio;

class permits {
 public:
  /// `executor` completes waits whose handler has no executor of its own.
  permits(asio::any_io_executor executor, std::size_t count) : executor_(std::move(executor)), available_(count) {}
  permits(const permits&) = delete;
  permits& operator=(const permits&) = delete;

  /// Takes a permit if one is free now.
  bool try_take() {
    std::lock_guard lock(mutex_);
    if (available_ == 0) return false;
    --available_;
    return true;
  }

  /// Waits for a permit, after those who waited first: true once taken, false when the
  /// awaiting coroutine was cancelled.
  asio::awaitable<bool> take() {
    return asio::async_initiate<const asio::use_awaitable_t<>&, void(bool)>(
        [this](auto handler) {
          asio::any_io_executor executor = asio::get_associated_executor(handler, executor_);
          const auto slot = asio::get_associated_cancellation_slot(handler);
          wait(asio::any_completion_handler<void(bool)>(std::move(handler)), std::move(executor), slot);
        },
        asio::use_awaitable);
  }

  /// Gives a permit back: to the first waiter, else to the free ones.
  void give_back() {
    std::unique_lock lock(mutex_);
    if (waiters_.empty()) {
      ++available_;
      return;
    }
    waiter first = std::move(waiters_.front());
    waiters_.pop_front();
    lock.unlock();
    complete(std::move(first), true);
  }

 private:
  struct waiter {
    std::uint64_t id;
    asio::any_completion_handler<void(bool)> handler;
    asio::any_io_executor executor;  // the handler's
    asio::cancellation_slot slot;
  };

  void wait(asio::any_completion_handler<void(bool)> handler, asio::any_io_executor executor,
            asio::cancellation_slot slot) {
    std::unique_lock lock(mutex_);
    const std::uint64_t id = ++last_id_;
    waiter w{id, std::move(handler), std::move(executor), slot};
    if (available_ > 0) {  // freed since try_take
      --available_;
      lock.unlock();
      complete(std::move(w), true);
      return;
    }
    // The slot is the waiter's: emitted on its executor, where it is also cleared (complete).
    if (slot.is_connected()) slot.assign([this, id](asio::cancellation_type) { cancel(id); });
    waiters_.push_back(std::move(w));
  }

  // A waiter that gave up. If a permit reached it first, its completion is already posted.
  void cancel(std::uint64_t id) {
    std::unique_lock lock(mutex_);
    for (auto it = waiters_.begin(); it != waiters_.end(); ++it)
      if (it->id == id) {
        waiter w = std::move(*it);
        waiters_.erase(it);
        lock.unlock();
        complete(std::move(w), false);
        return;
      }
  }

  // Always through the waiter's executor: never inline in take()'s initiation, nor inside the
  // cancellation handler that complete() would otherwise destroy while it runs.
  static void complete(waiter w, bool taken) {
    asio::post(w.executor, [handler = std::move(w.handler), slot = w.slot, taken]() mutable {
      if (slot.is_connected()) slot.clear();
      std::move(handler)(taken);
    });
  }

  asio::any_io_executor executor_;
  std::mutex mutex_;  // guards the three below
  std::size_t available_;
  std::list<waiter> waiters_;  // a list: waiters are never move-assigned (any_completion_handler
                               // in Boost 1.81 crashes when it is)
  std::uint64_t last_id_ = 0;
};

}  // namespace humm::analyst::detail
