#pragma once
// Latencies counted for percentiles at the cost of one relaxed atomic increment each, from
// any thread: a log-linear histogram (16 buckets per doubling, from 1 µs to about 19 hours),
// so a percentile is known within 1/16 of its value whatever the spread, in fixed memory.

#include <array>
#include <atomic>
#include <bit>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace humm::analyst::detail {

/// Percentiles of what a histogram counted; all zero before anything was.
struct latency_summary {
  std::uint64_t count = 0;
  std::chrono::microseconds p50{0}, p90{0}, p99{0}, max{0};
};

class latency_histogram {
 public:
  static constexpr unsigned sub_bits = 4;  // 16 buckets per doubling
  static constexpr unsigned doublings = 36;  // 2^36 µs is about 19 hours: longer counts there
  static constexpr std::size_t bucket_count = (doublings - sub_bits + 1) << sub_bits;

  /// The bucket of `micros`: values below 16 have one each; above, 16 per doubling.
  static constexpr std::size_t bucket_of(std::uint64_t micros) noexcept {
    if (micros < (1u << sub_bits)) return static_cast<std::size_t>(micros);
    const unsigned top = static_cast<unsigned>(std::bit_width(micros)) - 1;  // floor(log2)
    if (top >= doublings) return bucket_count - 1;
    const std::uint64_t sub = (micros >> (top - sub_bits)) & ((1u << sub_bits) - 1);
    return (static_cast<std::size_t>(top - sub_bits + 1) << sub_bits) + static_cast<std::size_t>(sub);
  }
  /// The largest value a bucket holds: what a percentile falling in it reports.
  static constexpr std::uint64_t upper_bound(std::size_t bucket) noexcept {
    if (bucket < (1u << sub_bits)) return bucket;
    const unsigned top = static_cast<unsigned>(bucket >> sub_bits) + sub_bits - 1;
    const std::uint64_t sub = bucket & ((1u << sub_bits) - 1);
    const std::uint64_t low = (std::uint64_t{1} << top) + (sub << (top - sub_bits));
    return low + (std::uint64_t{1} << (top - sub_bits)) - 1;
  }

  void record(std::chrono::microseconds latency) noexcept {
    const std::uint64_t micros = latency.count() > 0 ? static_cast<std::uint64_t>(latency.count()) : 0;
    buckets_[bucket_of(micros)].fetch_add(1, std::memory_order_relaxed);
    for (std::uint64_t seen = max_.load(std::memory_order_relaxed);
         micros > seen && !max_.compare_exchange_weak(seen, micros, std::memory_order_relaxed);) {
    }
  }

  /// A snapshot; counts recorded meanwhile may or may not be in it.
  latency_summary summary() const noexcept {
    std::array<std::uint64_t, bucket_count> counts;
    latency_summary s;
    for (std::size_t i = 0; i < bucket_count; ++i) s.count += counts[i] = buckets_[i].load(std::memory_order_relaxed);
    if (s.count == 0) return s;
    const std::uint64_t max = max_.load(std::memory_order_relaxed);
    // The smallest bucket bound with at least the given share counted at or below it (a
    // percentile never exceeds the largest value seen).
    const auto at = [&](unsigned per_mille) {
      const std::uint64_t wanted = (s.count * per_mille + 999) / 1000;
      std::uint64_t seen = 0;
      for (std::size_t i = 0; i < bucket_count; ++i)
        if ((seen += counts[i]) >= wanted) return std::chrono::microseconds(std::min(upper_bound(i), max));
      return std::chrono::microseconds(max);
    };
    s.p50 = at(500);
    s.p90 = at(900);
    s.p99 = at(990);
    s.max = std::chrono::microseconds(max);
    return s;
  }

 private:
  std::array<std::atomic<std::uint64_t>, bucket_count> buckets_{};
  std::atomic<std::uint64_t> max_{0};
};

}  // namespace humm::analyst::detail
