// Runs as CSV rows (encode.hpp): one list of columns gives the header and every row, and each
// value is written straight into the output, as append_json does.

#include <humm/analyst/encode.hpp>

#include "value_text.hpp"

#include <tuple>

namespace humm::analyst {
namespace {

// A column: its header name and the member it shows.
template <class Member>
struct csv_column {
  std::string_view name;
  Member command_run::*member;
};

// The columns, in order: what users sort and filter by first, the long texts last.
constexpr auto run_columns = std::tuple(
    csv_column{"schedule_id", &command_run::schedule_id}, csv_column{"id", &command_run::id},
    csv_column{"status", &command_run::status}, csv_column{"created_at", &command_run::created_at},
    csv_column{"started_at", &command_run::started_at}, csv_column{"completed_at", &command_run::completed_at},
    csv_column{"user_id", &command_run::user_id}, csv_column{"user_email", &command_run::user_email},
    csv_column{"thread_id", &command_run::thread_id}, csv_column{"is_read", &command_run::is_read},
    csv_column{"read_at", &command_run::read_at}, csv_column{"is_source_run", &command_run::is_source_run},
    csv_column{"source_run_id", &command_run::source_run_id}, csv_column{"summary", &command_run::summary},
    csv_column{"error_message", &command_run::error_message});

void write(std::string& out, const std::string& text) { append_csv_field(out, text); }
void write(std::string& out, bool b) { out += b ? std::string_view("true") : std::string_view("false"); }

// Hex digits and dashes: never quoted.
void write(std::string& out, const uuid& id) {
  char text[detail::uuid_chars];
  out.append(text, detail::write_uuid(text, id));
}

// Checked like text: a year before 0 (which no decoded time has) writes odd characters, a comma among them.
void write(std::string& out, timestamp t) {
  char text[detail::max_timestamp_chars];
  append_csv_field(out, std::string_view(text, detail::write_timestamp(text, t)));
}

template <class E>
void write(std::string& out, const open_enum<E>& e) {
  append_csv_field(out, e.str());
}

template <class T>
void write(std::string& out, const std::optional<T>& member) {
  if (member) write(out, *member);
}

// A comma before every field but the first.
void separate(std::string& out, bool& first) {
  if (!first) out += ',';
  first = false;
}

}  // namespace

void append_csv_header(std::string& out) {
  std::apply(
      [&out](const auto&... column) {
        bool first = true;
        ((separate(out, first), out += column.name), ...);
      },
      run_columns);
  out += "\r\n";
}

void append_csv_row(std::string& out, const command_run& run) {
  std::apply(
      [&](const auto&... column) {
        bool first = true;
        ((separate(out, first), write(out, run.*column.member)), ...);
      },
      run_columns);
  out += "\r\n";
}

void append_csv_field(std::string& out, std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += text;
    return;
  }
  out += '"';
  for (std::size_t quote; (quote = text.find('"')) != std::string_view::npos; text.remove_prefix(quote + 1)) {
    out.append(text.data(), quote + 1);
    out += '"';
  }
  out += text;
  out += '"';
}

}  // namespace humm::analyst
