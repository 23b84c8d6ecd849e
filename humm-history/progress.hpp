#pragma once
// Standard error while a command runs: a progress bar, and the message lines printed above it.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace humm_history {

struct progress_counts {
  std::size_t schedules_done = 0;
  std::uint64_t runs = 0;
  std::uint64_t pages = 0;
  std::optional<std::uint64_t> runs_total{};  ///< a single walk's length, once the server tells it
};

class status_line {
 public:
  /// Shows progress from now on: redrawn in place on a terminal, else (when forced with
  /// --progress) a line every few seconds, for logs.
  void enable(std::size_t schedules_total);

  /// Redraws at most ten times a second.
  void update(const progress_counts& counts);

  /// A message line (an error, a -v log), printed above the bar.
  void print(std::string_view line);

  /// Removes the bar from a terminal; in a log, writes the final counts.
  void finish();

 private:
  std::string render(std::size_t width) const;
  void draw();
  void erase();

  bool enabled_ = false;
  bool terminal_ = false;
  bool drawn_ = false;
  std::size_t total_ = 0;
  progress_counts counts_;
  std::chrono::steady_clock::time_point started_, last_draw_;
};

}  // namespace humm_history
