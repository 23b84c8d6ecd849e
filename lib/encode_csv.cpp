// Runs as CSV rows (encode.hpp): one list of columns gives the header and every row, and each
// value is stored straight into the output, within room made once per row, as append_json does.

#include <humm/analyst/encode.hpp>

#include "bounded_append.hpp"
#include "value_text.hpp"

#include <array>
#include <concepts>
#include <tuple>
#include <utility>

namespace humm::analyst {
namespace {

using detail::put;

// A column: its header name and the member it shows.
template <class Member>
struct csv_column {
  std::string_view name;
  Member command_run::*member;
};
template <class Member>  // clang 14 deduces no aggregate's arguments by itself
csv_column(std::string_view, Member command_run::*) -> csv_column<Member>;

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
constexpr auto column_indexes = std::make_index_sequence<std::tuple_size_v<decltype(run_columns)>>{};

// The bytes that make a field quoted.
constexpr auto needs_quotes = [] {
  std::array<bool, 256> table{};
  for (const unsigned char c : {',', '"', '\r', '\n'}) table[c] = true;
  return table;
}();

constexpr std::size_t quoted_max(std::size_t bytes) { return 2 * bytes + 2; }  // every byte a doubled quote

char* write_field(char* p, std::string_view text) {
  bool quoted = false;
  for (const char c : text) quoted |= needs_quotes[static_cast<unsigned char>(c)];
  if (!quoted) return put(p, text);
  *p++ = '"';
  for (const char c : text) {
    if (c == '"') *p++ = '"';
    *p++ = c;
  }
  *p++ = '"';
  return p;
}

// Each write(p, value) stores `value` at `p` and returns the byte after it, within max_bytes(value).
std::size_t max_bytes(const std::string& text) { return quoted_max(text.size()); }
char* write(char* p, const std::string& text) { return write_field(p, text); }

// Exactly bool: a member of another type (a future integer) must not convert to it silently.
template <std::same_as<bool> B>
std::size_t max_bytes(B) { return 5; }
template <std::same_as<bool> B>
char* write(char* p, B b) { return put(p, b ? "true" : "false"); }

// Hex digits and dashes: never quoted.
std::size_t max_bytes(const uuid&) { return detail::uuid_chars; }
char* write(char* p, const uuid& id) { return detail::write_uuid(p, id); }

// Checked like text: a year before 0 (which no decoded time has) writes odd characters, a comma among them.
std::size_t max_bytes(timestamp) { return quoted_max(detail::max_timestamp_chars); }
char* write(char* p, timestamp t) {
  char text[detail::max_timestamp_chars];
  return write_field(p, std::string_view(text, detail::write_timestamp(text, t)));
}

template <class E>
std::size_t max_bytes(const open_enum<E>& e) {
  return quoted_max(e.str().size());
}
template <class E>
char* write(char* p, const open_enum<E>& e) {
  return write_field(p, e.str());
}

template <class T>
std::size_t max_bytes(const std::optional<T>& member) {
  return member ? max_bytes(*member) : 0;
}
template <class T>
char* write(char* p, const std::optional<T>& member) {
  return member ? write(p, *member) : p;
}

// Folds rather than a lambda over the tuple: a pointer captured by reference would be
// reloaded after every byte stored.
template <std::size_t... I>
std::size_t row_max_bytes(const command_run& run, std::index_sequence<I...>) {
  return (sizeof...(I) + 2) + (max_bytes(run.*std::get<I>(run_columns).member) + ...);
}
template <std::size_t... I>
char* write_row(char* p, const command_run& run, std::index_sequence<I...>) {
  ((p = I == 0 ? p : put(p, ","), p = write(p, run.*std::get<I>(run_columns).member)), ...);
  return put(p, "\r\n");
}

}  // namespace

void append_csv_header(std::string& out) {
  std::apply([&out](const auto&... column) { ((out += column.name, out += ','), ...); }, run_columns);
  out.back() = '\r';  // the comma after the last name
  out += '\n';
}

void append_csv_row(std::string& out, const command_run& run) {
  detail::bounded_append room(out, row_max_bytes(run, column_indexes));
  room.finish(write_row(room.begin(), run, column_indexes));
}

void append_csv_field(std::string& out, std::string_view text) {
  detail::bounded_append room(out, quoted_max(text.size()));
  room.finish(write_field(room.begin(), text));
}

}  // namespace humm::analyst
