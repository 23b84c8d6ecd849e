#pragma once
// The API half of the fake server: its data set, its scripted faults and its answers, with
// no sockets, so that what it answers does not depend on how the bytes travel. Thread-safe:
// the server's connections and the test's own thread use it at the same time.

#include "api_request.hpp"

#include <humm/analyst/testing/fake_server.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>

namespace humm::analyst::testing::detail {

/// The reply a fault's `status` or `malformed_json` calls for; nothing for the faults that
/// only change how (or whether) the normal answer travels.
std::optional<api_reply> fault_reply(const fault& f);

/// One request's place in the rate limit: let through or not, and the allowance it announces.
struct rate_decision {
  bool admitted = true;
  std::size_t limit = 0;
  std::size_t remaining = 0;                  ///< after this request
  std::chrono::milliseconds until_reset{0};   ///< until the window ends; positive
  std::int64_t reset_unix_seconds = 0;        ///< when the window ends, Unix seconds rounded up
};

/// The fixed-window counter behind fake_server_options::rate_limit. The clocks are passed in:
/// both readings of one request are taken together, and its arithmetic reads no clock of
/// its own. Thread-safe: every connection's request goes through it.
class rate_limiter {
 public:
  using clock = std::chrono::steady_clock;

  /// Throws std::invalid_argument when limiting with a window that is not positive.
  explicit rate_limiter(rate_limit_mode mode);

  bool enabled() const noexcept { return mode_.requests_per_window != 0; }
  /// Counts a request arriving at `now` (`wall_now` on the system clock) when enabled.
  rate_decision admit(clock::time_point now, std::chrono::system_clock::time_point wall_now);

 private:
  const rate_limit_mode mode_;
  std::mutex mutex_;  // guards the three members below
  clock::time_point window_end_{};               // the epoch: the first request opens a window
  std::chrono::system_clock::time_point wall_window_end_{};
  std::size_t used_ = 0;                         // requests admitted in the current window
};

/// The fields announcing `decision`'s allowance, in `style`.
std::vector<std::pair<std::string, std::string>> rate_limit_headers(rate_limit_style style,
                                                                    std::chrono::milliseconds window,
                                                                    const rate_decision& decision);

class fake_api {
 public:
  explicit fake_api(fake_server_options options);

  schedule_data add_schedule(std::size_t runs, std::uint64_t seed);
  /// Throws std::invalid_argument for a schedule the server does not have.
  void insert_runs_at_head(const uuid& schedule, std::size_t count);

  void push_fault(fault f);
  /// The fault for the next request that reaches an endpoint, if one is queued.
  std::optional<fault> take_fault();

  void set_pagination(pagination_style style);

  /// Counts a request to an endpoint against the rate limit: nothing when there is none,
  /// else its fields to send with whatever answers it and, if refused, the 429 to send.
  struct rate_verdict {
    std::vector<std::pair<std::string, std::string>> headers;
    std::optional<api_reply> refusal;
  };
  rate_verdict admit();

  /// The answer to a matched request: 404 for route::none, then 401, 422, 404 and 200,
  /// in the order FastAPI decides them (routing, security, validation, handler).
  api_reply answer(const api_request& request) const;

 private:
  bool authorized(std::string_view authorization) const;
  bool owns(const std::string& organization_id) const;
  api_reply history_page(const api_request& request) const;
  api_reply run_details(const api_request& request) const;

  const fake_server_options options_;
  rate_limiter rate_limiter_;  // thread-safe on its own: not under mutex_
  mutable std::mutex mutex_;  // guards everything below
  std::map<uuid, schedule_data> schedules_;
  std::deque<fault> faults_;
  pagination_style pagination_;
  std::uint64_t next_run_seed_;
};

}  // namespace humm::analyst::testing::detail
