#pragma once
// Deadlines of calls and walks, free of I/O: the deadline from the options, what is left of
// it for one attempt, and whether a wait would end past it. The call loop (client_core) and
// the walk (walk_driver) ask here; the timers that wait are theirs.

#include <humm/analyst/client_options.hpp>

#include <algorithm>
#include <chrono>
#include <optional>

namespace humm::analyst::detail {

using steady_time = std::chrono::steady_clock::time_point;

/// The earlier of `deadline` and `start + timeout`; nullopt when neither is set.
inline std::optional<steady_time> earliest(std::optional<steady_time> deadline,
                                           std::optional<std::chrono::milliseconds> timeout, steady_time start) {
  if (timeout) {
    const steady_time by_timeout = start + std::max(*timeout, std::chrono::milliseconds{0});
    return deadline ? std::min(*deadline, by_timeout) : by_timeout;
  }
  return deadline;
}

/// A call's deadline, counted from `start`.
inline std::optional<steady_time> call_deadline(const call_options& call, steady_time start) {
  return earliest(call.deadline, call.timeout, start);
}

/// `limit` (an attempt's timeout, a connect timeout) clamped to the time left before the
/// deadline, rounded up to whole milliseconds; nullopt when no time is left.
inline std::optional<std::chrono::milliseconds> time_left(std::chrono::milliseconds limit,
                                                          std::optional<steady_time> deadline, steady_time now) {
  if (!deadline) return limit;
  if (now >= *deadline) return std::nullopt;
  return std::min(limit, std::chrono::ceil<std::chrono::milliseconds>(*deadline - now));
}

/// Whether a wait of `delay` from `now` would end past the deadline.
inline bool would_pass(std::optional<steady_time> deadline, steady_time now, std::chrono::milliseconds delay) {
  return deadline && now + delay > *deadline;
}

}  // namespace humm::analyst::detail
