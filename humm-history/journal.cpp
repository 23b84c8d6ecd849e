// Reading and writing the lines of a batch's journal (journal.hpp): Boost.JSON for each
// line, every field checked, and the line number of anything that is wrong.

#include "journal.hpp"

#include "text.hpp"

#include <boost/json.hpp>

#include <cstdio>

namespace humm_history {

namespace ha = humm::analyst;
namespace json = boost::json;

namespace {

constexpr std::int64_t journal_version = 1;
constexpr std::string_view header_key = "humm_history_batch_journal";

// A line's fields, read with checks; the first problem is kept and names its key.
class fields {
 public:
  explicit fields(const json::object& object) : object_(object) {}

  std::string text(std::string_view key) {
    const json::value* v = object_.if_contains(key);
    if (v && v->is_string()) return std::string(v->get_string());
    return fail(key, "a string"), std::string{};
  }
  std::uint64_t count(std::string_view key) {
    const json::value* v = object_.if_contains(key);
    if (v && v->is_uint64()) return v->get_uint64();
    if (v && v->is_int64() && v->get_int64() >= 0) return static_cast<std::uint64_t>(v->get_int64());
    return fail(key, "a whole number"), 0;
  }
  bool flag(std::string_view key) {
    const json::value* v = object_.if_contains(key);
    if (v && v->is_bool()) return v->get_bool();
    return fail(key, "true or false"), false;
  }
  // Missing and null both mean none.
  std::optional<ha::timestamp> time(std::string_view key) {
    const json::value* v = object_.if_contains(key);
    if (!v || v->is_null()) return std::nullopt;
    if (v->is_string())
      if (auto t = ha::parse_timestamp(v->get_string())) return t;
    return fail(key, "an RFC 3339 date-time or null"), std::nullopt;
  }
  std::vector<std::string> texts(std::string_view key) {
    std::vector<std::string> result;
    const json::value* v = object_.if_contains(key);
    if (!v || !v->is_array()) return fail(key, "an array of strings"), result;
    for (const json::value& item : v->get_array()) {
      if (!item.is_string()) return fail(key, "an array of strings"), result;
      result.emplace_back(item.get_string());
    }
    return result;
  }

  const std::string& problem() const { return problem_; }

 private:
  void fail(std::string_view key, std::string_view expected) {
    if (problem_.empty()) problem_ = "\"" + std::string(key) + "\" should be " + std::string(expected);
  }

  const json::object& object_;
  std::string problem_;
};

json::value time_value(const std::optional<ha::timestamp>& t) {
  return t ? json::value(ha::format_timestamp(*t)) : json::value(nullptr);
}

std::string line_of(const json::object& object) { return json::serialize(object) + '\n'; }

std::string read_header(const json::object& o, journal_state& state) {
  fields f(o);
  const std::uint64_t version = f.count(header_key);
  if (f.problem().empty() && version != journal_version)
    return "journal version " + std::to_string(version) + " is not one this humm-history reads (" +
           std::to_string(journal_version) + ")";
  journal_header& h = state.header;
  h.generation = f.count("generation");
  batch_identity& id = h.identity;
  id.organization = f.text("org");
  id.format = f.text("format");
  id.schedules = f.text("schedules");
  id.schedule_count = f.count("schedule_count");
  id.output = f.text("output");
  id.since = f.text("since");
  id.incremental = f.flag("incremental");
  id.overlap_s = static_cast<std::int64_t>(f.count("overlap_s"));
  h.since_time = f.time("since_time");
  if (o.contains("base_url")) id.base_url = f.text("base_url");  // absent from older journals
  return f.problem();
}

std::string read_record(const json::object& o, bool failed, journal_state& state) {
  fields f(o);
  schedule_record r;
  r.failed = failed;
  r.schedule_id = f.text(failed ? "failed" : "done");
  r.runs = f.count("runs");
  r.newest = f.time("newest");
  if (failed) {
    r.resume_offset = static_cast<std::int64_t>(f.count("resume_offset"));
    r.error = f.text("error");
    r.oldest = f.time("oldest");
    r.oldest_ids = f.texts("oldest_ids");
  }
  r.output_length = f.count("output_length");
  if (!f.problem().empty()) return f.problem();
  if (r.output_length < state.output_length)
    return "output_length " + std::to_string(r.output_length) + " is less than the line before's (" +
           std::to_string(state.output_length) + ")";
  state.output_length = r.output_length;
  state.records[r.schedule_id] = std::move(r);
  return {};
}

// One line after the header; "" when it was read, else what is wrong with it.
std::string read_line(const json::object& o, journal_state& state) {
  if (o.contains("done")) return read_record(o, false, state);
  if (o.contains("failed")) return read_record(o, true, state);
  if (o.contains("synced")) {
    fields f(o);
    const std::string id = f.text("synced");
    const auto newest = f.time("newest");
    if (f.problem().empty() && !newest) return "\"newest\" should be an RFC 3339 date-time";
    if (newest) state.synced[id] = *newest;
    return f.problem();
  }
  if (o.contains("end")) {
    fields f(o);
    const std::uint64_t length = f.count("output_length");
    if (f.problem().empty() && length < state.output_length) return "output_length goes back";
    state.output_length = std::max(state.output_length, length);
    state.ended = true;
    return f.problem();
  }
  if (o.contains(header_key)) return "a second header";
  return "not a journal line (expected done, failed, synced or end)";
}

}  // namespace

std::optional<journal_state> parse_journal(std::string_view text, const std::string& path, std::string& why) {
  journal_state state;
  std::size_t line_number = 0, start = 0;
  // Only whole lines count: a last line without its newline was torn by a crash.
  for (std::size_t end; (end = text.find('\n', start)) != std::string_view::npos; start = end + 1) {
    ++line_number;
    const std::string_view line = text.substr(start, end - start);
    const bool last = text.find('\n', end + 1) == std::string_view::npos;
    json::error_code ec;
    const json::value v = json::parse(line, ec);
    std::string problem;
    if (ec || !v.is_object())
      problem = "not a JSON object";
    else if (line_number == 1)
      problem = v.as_object().contains(header_key) ? read_header(v.as_object(), state) : "not a humm-history batch journal";
    else
      problem = read_line(v.as_object(), state);
    if (problem.empty()) {
      state.valid_bytes = end + 1;
      continue;
    }
    // A garbled last record is what a crash while appending leaves: ignoring it only makes
    // the resume redo that schedule. A bad header or a bad line before others is not that.
    if (last && line_number > 1) break;
    why = path + ":" + std::to_string(line_number) + ": " + problem;
    return std::nullopt;
  }
  if (line_number == 0) {
    why = path + ":1: not a humm-history batch journal";
    return std::nullopt;
  }
  return state;
}

std::string header_line(const journal_header& h) {
  const batch_identity& id = h.identity;
  return line_of({{header_key, journal_version},
                  {"generation", h.generation},
                  {"org", id.organization},
                  {"format", id.format},
                  {"schedules", id.schedules},
                  {"schedule_count", id.schedule_count},
                  {"output", id.output},
                  {"since", id.since},
                  {"incremental", id.incremental},
                  {"overlap_s", id.overlap_s},
                  {"since_time", time_value(h.since_time)},
                  {"base_url", id.base_url}});
}

std::string synced_line(const std::string& schedule_id, ha::timestamp newest) {
  return line_of({{"synced", schedule_id}, {"newest", ha::format_timestamp(newest)}});
}

std::string record_line(const schedule_record& r) {
  json::object o{{r.failed ? "failed" : "done", r.schedule_id}, {"runs", r.runs}, {"newest", time_value(r.newest)}};
  if (r.failed) {
    o["resume_offset"] = r.resume_offset;
    o["oldest"] = time_value(r.oldest);
    o["oldest_ids"] = json::value_from(r.oldest_ids);
    o["error"] = r.error;
  }
  o["output_length"] = r.output_length;
  return line_of(o);
}

std::string end_line(std::uint64_t output_length) {
  return line_of({{"end", true}, {"output_length", output_length}});
}

std::string schedules_fingerprint(const std::vector<std::string>& ids) {
  std::string joined;
  for (const std::string& id : ids) joined += id + '\n';
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(fnv1a_64(joined)));
  return hex;
}

}  // namespace humm_history
