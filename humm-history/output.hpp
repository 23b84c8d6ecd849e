#pragma once
// Standard output and the four output formats of runs.

#include <humm/analyst/encode.hpp>
#include <humm/analyst/models.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace humm_history {

enum class output_format { table, json, ndjson, csv };

/// Buffered writes to a file descriptor that notice a reader that went away: with SIGPIPE
/// ignored, a write to a closed pipe fails with EPIPE, and the commands stop quietly
/// (`humm-history walk ... | head -1`).
class output {
 public:
  /// What is buffered before it is written, at the latest: writes this large cost the
  /// system little next to the text they carry.
  static constexpr std::size_t flush_bytes = 256 * 1024;

  explicit output(int fd = 1) : fd_(fd) {}
  output(const output&) = delete;
  output& operator=(const output&) = delete;
  ~output() { flush(); }

  void write(std::string_view text);
  /// Appends through `append_to(std::string&)` straight into the buffer, as
  /// humm::analyst::append_json does: no copy of a model's text on the way.
  template <class AppendTo>
  void write_with(AppendTo&& append_to) {
    if (stopped()) return;
    append_to(buffer_);
    if (buffer_.size() >= flush_bytes) flush();
  }
  /// Writes what is buffered; callers flush at page boundaries so that runs stream.
  void flush();

  /// The reader closed the pipe: nothing more can be shown, stop without an error.
  bool closed() const noexcept { return closed_; }
  /// Another write error (a full disk...): errno's text, or empty.
  const std::string& error() const noexcept { return error_; }
  bool stopped() const noexcept { return closed_ || !error_.empty(); }

 private:
  int fd_;
  std::string buffer_;
  bool closed_ = false;
  std::string error_;
};

/// How a table looks.
struct table_style {
  std::size_t width = 120;      ///< the terminal's columns
  bool with_schedule = false;   ///< a SCHEDULE column, for batches
  bool color = false;           ///< statuses in color (terminals only)
};

/// Writes runs in one format: begin(), run() for each, finish().
class run_writer {
 public:
  virtual ~run_writer() = default;
  virtual void begin() {}
  virtual void run(const humm::analyst::command_run& run) = 0;
  virtual void finish() {}
};

std::unique_ptr<run_writer> make_run_writer(output_format format, output& out, const table_style& style = {});

/// A model for --format json, on one line: a normalized page (as `decode` prints it), or a
/// run with its schedule.
template <class Model>
void write_json_line(output& out, const Model& model) {
  out.write_with([&model](std::string& buffer) {
    humm::analyst::append_json(buffer, model);
    buffer += '\n';
  });
}

/// Runs of one schedule as fetch and run show them in every format but json: a table under
/// the schedule's line, NDJSON, or CSV rows (each run with its schedule_id).
void write_schedule_runs(output& out, output_format format, const table_style& style,
                         const humm::analyst::command_schedule& schedule,
                         const std::optional<std::string>& command_name,
                         std::span<const humm::analyst::command_run> runs);

/// One line that introduces a schedule above a table.
std::string describe_schedule(const humm::analyst::command_schedule& schedule,
                              const std::optional<std::string>& command_name);
inline std::string describe_schedule(const humm::analyst::schedule_history& page) {
  return describe_schedule(page.schedule, page.command_name);
}

}  // namespace humm_history
