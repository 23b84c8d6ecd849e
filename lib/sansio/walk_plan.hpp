#pragma once
// The decisions of a walk, free of I/O: which pages to request, which to cancel, which to
// hand out next, and when the walk ends or fails. A thin coroutine (walk_driver.cpp) feeds it
// events (a page answered or failed, the consumer cancelled) and carries out the steps it
// returns, one at a time, in the manner of Boost.MySQL's sans-io connection pool nodes and
// Boost.Redis's exec_fsm. Every rule is unit-tested without sockets (tests/unit/walk_plan_test.cpp).
//
// Without a known total, the page after k is only known once page k has arrived (a chain,
// one page ahead). Once a page tells the total, the offsets ahead are known too and up to
// max_in_flight of them are requested at once, at the stride the first page showed (so a
// server that silently clamps the page size leaves no gaps). Pages are handed out strictly
// in offset order.
//
// Every walk ends: a page's offsets are checked (sansio/pagination.hpp) so that they only
// advance, and a walk whose pages stop bringing runs it has not handed out before fails
// with errc::repeated_page. Requests stay bounded by the runs delivered: at most
// stalled_pages_allowed pages in a row may bring nothing new.

#include "sansio/pagination.hpp"

#include <humm/analyst/error.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <system_error>
#include <vector>

namespace humm::analyst::detail {

struct walk_failure {
  std::error_code code;
  std::string message;
  std::int64_t resume_offset = 0;  ///< the start_offset that resumes the walk without loss
};

struct walk_limits {
  std::int64_t start_offset = 0;
  std::int64_t page_size = 100;    ///< the limit each request sends
  std::size_t prefetch = 1;        ///< pages requested ahead of the consumer (walk_options::prefetch)
  std::size_t max_in_flight = 1;   ///< requests at a time, at most; max(prefetch, max_in_flight)
                                   ///< pages are requested or held ahead, at most
};

/// What the driver does next.
struct walk_step {
  enum kind_t {
    request,  ///< request the page at `offset`
    cancel,   ///< cancel the request for `offset` (its answer will be ignored)
    hand_out, ///< hand the page answered for `offset` to the consumer, then ask again
    fail,     ///< throw `failure` (asked again, the plan fails the same way)
    done,     ///< the history has been handed out; nothing more will be
    wait,     ///< wait for an answer, then ask again
  } kind;
  std::int64_t offset = 0;
  walk_failure failure{};
};

class walk_plan {
 public:
  /// Pages in a row whose runs were all handed out before, tolerated before the walk fails.
  /// An honest server shows a run twice only when runs are created during the walk, one every
  /// 15 minutes at most: with one-run pages, one page may then be a repeat, never two in a row.
  static constexpr int stalled_pages_allowed = 1;

  explicit walk_plan(walk_limits limits);

  /// The next thing to do while the consumer waits for a page. The first call starts the walk.
  walk_step next() { return next_step(true); }
  /// The next thing to do while the consumer is busy (after a page was handed out, after an
  /// answer arrived): only requests and cancellations, else wait. This keeps the window full
  /// while the consumer works.
  walk_step next_in_background() { return next_step(false); }

  /// The page requested at `offset` answered; `page` is what it said (continue_after).
  /// Returns whether the page is kept for handing out (not when it was dropped or unusable).
  bool answered(std::int64_t offset, const continuation& page);
  /// The request for `offset` failed after its retries.
  void failed(std::int64_t offset, std::error_code code, std::string message);
  /// The consumer cancelled the walk or abandoned it: nothing more is handed out.
  void cancel();
  /// The consumer needs nothing past the page just handed out (walk_options::since): the
  /// walk ends there, and requests for later pages are cancelled.
  void stop() { end_at(next_hand_out_); }

  /// After a hand_out step: how many of the page's runs were new to the walk, and how many
  /// were handed out before. Returns whether the page is handed out (it brought something
  /// new); after too many pages without anything new, the walk fails.
  bool handed_out(std::int64_t offset, std::size_t new_runs, std::size_t repeated_runs);

  /// Where a walk restarted now would continue.
  std::int64_t resume_offset() const noexcept { return next_hand_out_; }
  std::optional<std::int64_t> total() const noexcept { return total_; }
  std::size_t in_flight() const noexcept { return in_flight_; }

 private:
  struct slot {
    enum { waiting, answered, failed } state = waiting;
    continuation page;
    std::error_code code;
    std::string message;
    std::uint64_t sequence = 0;  // the order in which pages were answered
  };

  walk_step next_step(bool consumer_waiting);
  void fail_walk(std::error_code code, std::string message);
  void drop(std::map<std::int64_t, slot>::iterator it);
  void drop_before(std::int64_t offset);
  void drop_from(std::int64_t offset);
  void end_at(std::int64_t offset);
  std::optional<std::int64_t> next_request();
  bool older_than_handed_out(const slot& s) const;

  const walk_limits limits_;
  bool started_ = false;
  std::int64_t next_hand_out_;               // the offset of the next page handed out
  std::optional<std::int64_t> end_;          // no page starts here or after
  std::optional<std::int64_t> total_;        // the largest total seen
  std::optional<std::int64_t> handed_out_total_;  // the largest total of the pages handed out
  std::uint64_t last_handed_out_sequence_ = 0;
  std::uint64_t answers_ = 0;
  std::int64_t stride_ = 0;                  // runs per full page, learned from the first page
  std::optional<std::int64_t> highest_requested_;
  std::size_t in_flight_ = 0;                // requests running, wanted or not
  std::set<std::int64_t> pending_;           // offsets known to be needed, not yet requested
  std::map<std::int64_t, slot> slots_;       // requested pages, running or answered, not handed out
  std::set<std::int64_t> unwanted_;          // requests still running whose answer is ignored
  std::vector<std::int64_t> to_cancel_;      // of unwanted_, not yet cancelled
  std::optional<walk_failure> failure_;
  int stalled_pages_ = 0;
  std::int64_t first_stalled_offset_ = 0;
};

}  // namespace humm::analyst::detail
