// Buffered standard output that notices a reader going away, and the writers of the four
// output formats: table, JSON, NDJSON and CSV (output.hpp).

#include "output.hpp"

#include "text.hpp"

#include <humm/analyst/encode.hpp>
#include <humm/analyst/uuid.hpp>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iterator>

namespace humm_history {

namespace ha = humm::analyst;

void output::write(std::string_view text) {
  write_with([text](std::string& buffer) { buffer += text; });
}

void output::flush() {
  std::size_t done = 0;
  while (!stopped() && done < buffer_.size()) {
    const ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n >= 0) {
      done += static_cast<std::size_t>(n);
    } else if (errno == EPIPE) {
      closed_ = true;
    } else if (errno != EINTR) {
      error_ = std::strerror(errno);
    }
  }
  buffer_.clear();
}

namespace {

std::string status_of(const ha::command_run& run) { return run.status ? std::string(run.status->str()) : ""; }

// One run per line: its normalized JSON, which carries its schedule_id like every run.
class ndjson_writer : public run_writer {
 public:
  explicit ndjson_writer(output& out) : out_(out) {}
  void run(const ha::command_run& run) override {
    out_.write_with([&run](std::string& buffer) {
      ha::append_json(buffer, run);
      buffer += '\n';
    });
  }

 private:
  output& out_;
};

// An array of runs, one per line, written as they come so that memory stays bounded.
class json_writer : public run_writer {
 public:
  explicit json_writer(output& out) : out_(out) {}
  void begin() override { out_.write("["); }
  void run(const ha::command_run& run) override {
    out_.write_with([&](std::string& buffer) {
      buffer += rows_++ == 0 ? "\n" : ",\n";
      ha::append_json(buffer, run);
    });
  }
  void finish() override { out_.write(rows_ == 0 ? "]\n" : "\n]\n"); }

 private:
  output& out_;
  std::size_t rows_ = 0;
};

// RFC 4180: a header row, CRLF line ends, fields quoted when they must be.
class csv_writer : public run_writer {
 public:
  explicit csv_writer(output& out) : out_(out) {}
  void begin() override { out_.write_with([](std::string& buffer) { ha::append_csv_header(buffer); }); }
  void run(const ha::command_run& run) override {
    out_.write_with([&run](std::string& buffer) { ha::append_csv_row(buffer, run); });
  }

 private:
  output& out_;
};

// Aligned columns of fixed widths (so that rows stream), the last one filling the terminal.
class table_writer : public run_writer {
 public:
  table_writer(output& out, const table_style& style) : out_(out), style_(style) { share_the_width(); }

  void begin() override {
    std::string line = cell("CREATED (UTC)", created_width);
    if (style_.with_schedule) line += cell("SCHEDULE", short_id_width);
    line += cell("STATUS", status_width) + cell("DURATION", duration_width, true) + cell("RUN", short_id_width) +
            cell("USER", user_width_) + "SUMMARY";
    out_.write(style_.color ? "\x1b[1m" + line + "\x1b[0m\n" : line + '\n');
  }

  void run(const ha::command_run& run) override {
    ++rows_;
    std::string line = cell(run.created_at ? format_utc(*run.created_at) : "-", created_width);
    if (style_.with_schedule) line += cell(ha::format_uuid(run.schedule_id).substr(0, 8), short_id_width);
    line += colored(cell(status_of(run).empty() ? "-" : status_of(run), status_width), run) +
            cell(duration(run), duration_width, true) + cell(ha::format_uuid(run.id).substr(0, 8), short_id_width) +
            cell(run.user_email.value_or("-"), user_width_);
    const std::string& text = run.summary ? *run.summary : run.error_message ? *run.error_message : "";
    line += fit(text, summary_width_);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out_.write(line += '\n');
  }

  void finish() override {
    if (rows_ == 0) out_.write("(no runs)\n");
  }

 private:
  static constexpr std::size_t gap = 2, created_width = 19, short_id_width = 8, status_width = 11,
                               duration_width = 8, max_user_width = 26, min_user_width = 12,
                               summary_room = 30, min_summary_width = 10;

  static std::string cell(std::string_view text, std::size_t width, bool align_right = false) {
    return pad(fit(text, width), width, align_right) + std::string(gap, ' ');
  }

  static std::string duration(const ha::command_run& run) {
    if (!run.started_at || !run.completed_at) return "-";
    return format_duration(*run.completed_at - *run.started_at);
  }

  std::string colored(std::string text, const ha::command_run& run) const {
    if (!style_.color || !run.status) return text;
    const char* code = nullptr;
    switch (run.status->value()) {
      case ha::run_status::completed: code = "32"; break;
      case ha::run_status::failed: code = "31"; break;
      case ha::run_status::running:
      case ha::run_status::in_progress: code = "33"; break;
      case ha::run_status::triggered: code = "36"; break;
      case ha::run_status::unknown: return text;
    }
    // The padding stays outside the color, so that widths are unchanged.
    const std::size_t end = text.find_last_not_of(' ') + 1;
    return "\x1b[" + std::string(code) + "m" + text.substr(0, end) + "\x1b[0m" + text.substr(end);
  }

  // The user and summary columns share what the fixed ones leave: the summary gets about 30
  // columns before the user column grows to its full width.
  void share_the_width() {
    std::size_t fixed = created_width + status_width + duration_width + short_id_width + 5 * gap;
    if (style_.with_schedule) fixed += short_id_width + gap;
    const std::size_t room = style_.width > fixed ? style_.width - fixed : 0;
    user_width_ = std::clamp(room > summary_room ? room - summary_room : 0, min_user_width, max_user_width);
    summary_width_ = std::max(room > user_width_ ? room - user_width_ : 0, min_summary_width);
  }

  output& out_;
  table_style style_;
  std::size_t user_width_ = max_user_width, summary_width_ = summary_room;
  std::size_t rows_ = 0;
};

}  // namespace

std::unique_ptr<run_writer> make_run_writer(output_format format, output& out, const table_style& style) {
  switch (format) {
    case output_format::table: return std::make_unique<table_writer>(out, style);
    case output_format::json: return std::make_unique<json_writer>(out);
    case output_format::csv: return std::make_unique<csv_writer>(out);
    case output_format::ndjson: break;
  }
  return std::make_unique<ndjson_writer>(out);
}

void write_schedule_runs(output& out, output_format format, const table_style& style,
                         const ha::command_schedule& schedule, const std::optional<std::string>& command_name,
                         std::span<const ha::command_run> runs) {
  if (format == output_format::table) out.write(describe_schedule(schedule, command_name) + "\n\n");
  auto writer = make_run_writer(format, out, style);
  writer->begin();
  for (const ha::command_run& run : runs) writer->run(run);
  writer->finish();
}

std::string describe_schedule(const ha::command_schedule& s, const std::optional<std::string>& command_name) {
  std::string line = "Schedule " + ha::format_uuid(s.id);
  if (s.name) line += " \"" + one_line(*s.name) + "\"";
  if (command_name) line += " (" + one_line(*command_name) + ")";
  line += ": cron " + one_line(s.cron_expression) + " " + one_line(s.timezone);
  if (!s.enabled) line += ", disabled";
  return line;
}

}  // namespace humm_history
