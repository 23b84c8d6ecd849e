#pragma once
// Response bodies recycled once decoded: a page is about 12 KB, and a new buffer for every
// response costs more than filling it (glibc tidies its free lists on every large
// allocation). At most one spare per connection is kept, none larger than 1 MiB. Thread-safe.

#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

namespace humm::analyst::detail {

class body_recycler {
 public:
  explicit body_recycler(std::size_t max_spares) : max_spares_(max_spares) {}

  /// A spare buffer (its contents are stale: the response reader empties it), or an empty one.
  std::string take() {
    std::lock_guard lock(mutex_);
    if (spares_.empty()) return {};
    std::string body = std::move(spares_.back());
    spares_.pop_back();
    return body;
  }

  void give_back(std::string body) {
    constexpr std::size_t largest_kept = 1 << 20;
    if (body.capacity() > largest_kept) return;
    std::lock_guard lock(mutex_);
    if (spares_.size() < max_spares_) spares_.push_back(std::move(body));
  }

 private:
  const std::size_t max_spares_;
  std::mutex mutex_;
  std::vector<std::string> spares_;
};

}  // namespace humm::analyst::detail
