// The status line on standard error: a progress bar redrawn in place on a terminal, plain
// lines elsewhere, and messages printed above it (progress.hpp).

#include "progress.hpp"

#include "options.hpp"
#include "text.hpp"

#include <unistd.h>

#include <cstdio>
#include <iostream>

namespace humm_history {
namespace {

using clock = std::chrono::steady_clock;

std::string with_separators(std::uint64_t n) {
  std::string digits = std::to_string(n);
  for (std::size_t i = digits.size(); i > 3; i -= 3) digits.insert(i - 3, ",");
  return digits;
}

std::string clock_time(double seconds) {
  const long long s = static_cast<long long>(seconds + 0.5);
  char text[32];
  if (s >= 3600)
    std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
  else
    std::snprintf(text, sizeof text, "%lld:%02lld", s / 60, s % 60);
  return text;
}

}  // namespace

void status_line::enable(std::size_t schedules_total) {
  enabled_ = true;
  terminal_ = isatty(STDERR_FILENO);
  total_ = schedules_total;
  started_ = last_draw_ = clock::now();
}

void status_line::update(const progress_counts& counts) {
  counts_ = counts;
  if (!enabled_) return;
  const auto interval = terminal_ ? std::chrono::milliseconds(100) : std::chrono::milliseconds(2000);
  if (clock::now() - last_draw_ < interval) return;
  draw();
}

void status_line::print(std::string_view line) {
  erase();
  std::cerr << line << '\n';
}

void status_line::finish() {
  if (!enabled_) return;
  if (terminal_)
    erase();
  else
    draw();
  enabled_ = false;
}

std::string status_line::render(std::size_t width) const {
  const double elapsed = std::chrono::duration<double>(clock::now() - started_).count();
  char rate[32];
  std::snprintf(rate, sizeof rate, "%.1f pages/s", elapsed > 0 ? static_cast<double>(counts_.pages) / elapsed : 0.0);
  const std::string counts = with_separators(counts_.runs) + " runs  " + rate;
  if (total_ <= 1) {
    std::string line = "walking  " + with_separators(counts_.pages) + " pages  " + counts + "  " + clock_time(elapsed);
    if (counts_.runs_total && counts_.runs > 0 && counts_.runs < *counts_.runs_total) {
      const double per_run = elapsed / static_cast<double>(counts_.runs);
      line += "  of " + with_separators(*counts_.runs_total) + " runs, ETA " +
              clock_time(per_run * static_cast<double>(*counts_.runs_total - counts_.runs));
    }
    return line;
  }

  std::string line = std::to_string(counts_.schedules_done) + "/" + std::to_string(total_) + " schedules  " + counts;
  if (counts_.schedules_done > 0 && counts_.schedules_done < total_) {
    const double per_schedule = elapsed / static_cast<double>(counts_.schedules_done);
    line += "  ETA " + clock_time(per_schedule * static_cast<double>(total_ - counts_.schedules_done));
  }
  if (!terminal_ || width < line.size() + 12) return line;
  // A bar in the room that is left, up to 30 columns.
  const std::size_t bar = std::min<std::size_t>(30, width - line.size() - 4);
  const std::size_t filled = bar * counts_.schedules_done / total_;
  std::string drawn;
  for (std::size_t i = 0; i < bar; ++i) drawn += i < filled ? "\u2588" : "\u2591";
  return drawn + "  " + line;
}

void status_line::draw() {
  last_draw_ = clock::now();
  if (!terminal_) {
    std::cerr << message_line(render(0)) << '\n';
    return;
  }
  const std::size_t width = std::max<std::size_t>(terminal_width(STDERR_FILENO), 20);
  // One line short of the width: a line that wraps could not be redrawn in place.
  std::cerr << "\r" << fit(render(width - 1), width - 1) << "\x1b[K" << std::flush;
  drawn_ = true;
}

void status_line::erase() {
  if (!drawn_) return;
  std::cerr << "\r\x1b[K" << std::flush;
  drawn_ = false;
}

}  // namespace humm_history
