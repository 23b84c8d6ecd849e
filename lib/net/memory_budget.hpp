#pragma once
// Bytes buffered for responses, bounded twice: each body buffer grows geometrically but never
// past its own cap (std::string would double past it: a body capped at 64 MiB could hold
// 128 MiB), and the buffers of all the responses a client reads at once share one budget
// (client_options::max_buffered_bytes), so that many hostile endless bodies at the same time
// cannot take the process's memory. Free of I/O; the budget is thread-safe.

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <string>
#include <utility>

namespace humm::analyst::detail {

/// The bytes all of a client's response buffers may hold together.
class memory_budget {
 public:
  explicit memory_budget(std::size_t limit) noexcept : limit_(limit) {}

  /// Takes `bytes` if they fit under the limit.
  bool try_take(std::size_t bytes) noexcept {
    std::size_t used = used_.load(std::memory_order_relaxed);
    do {
      if (bytes > limit_ - used) return false;  // used <= limit_ always
    } while (!used_.compare_exchange_weak(used, used + bytes, std::memory_order_relaxed));
    return true;
  }
  void give_back(std::size_t bytes) noexcept { used_.fetch_sub(bytes, std::memory_order_relaxed); }

  std::size_t limit() const noexcept { return limit_; }
  std::size_t used() const noexcept { return used_.load(std::memory_order_relaxed); }

 private:
  const std::size_t limit_;
  std::atomic<std::size_t> used_{0};
};

/// What one response holds of a budget; given back when it is destroyed. Without a budget
/// (null) every take succeeds and only the per-buffer cap applies. The budget must outlive it.
class budget_share {
 public:
  budget_share() = default;
  explicit budget_share(memory_budget* budget) noexcept : budget_(budget) {}
  budget_share(budget_share&& other) noexcept
      : budget_(std::exchange(other.budget_, nullptr)), held_(std::exchange(other.held_, 0)) {}
  budget_share& operator=(budget_share&& other) noexcept {
    if (this != &other) {
      give_back(held_);
      budget_ = std::exchange(other.budget_, nullptr);
      held_ = std::exchange(other.held_, 0);
    }
    return *this;
  }
  ~budget_share() { give_back(held_); }

  bool take(std::size_t bytes) noexcept {
    if (budget_ && !budget_->try_take(bytes)) return false;
    held_ += bytes;
    return true;
  }
  void give_back(std::size_t bytes) noexcept {
    bytes = std::min(bytes, held_);
    if (budget_) budget_->give_back(bytes);
    held_ -= bytes;
  }

  std::size_t held() const noexcept { return held_; }
  /// Null when no budget applies.
  const memory_budget* budget() const noexcept { return budget_; }

 private:
  memory_budget* budget_ = nullptr;
  std::size_t held_ = 0;
};

/// What a string of this capacity holds on the heap (0 for a short string kept in place).
std::size_t heap_bytes(std::size_t capacity) noexcept;

enum class growth { ok, too_large, over_budget };

/// Makes room in `buffer` for `more` bytes: the capacity doubles, clamped at `cap`, and the
/// new capacity is charged to `share` before it is allocated (the old one is given back once
/// freed, so that the moment both exist is counted). too_large when size + more > cap.
growth make_room(std::string& buffer, std::size_t more, std::size_t cap, budget_share& share);

}  // namespace humm::analyst::detail
