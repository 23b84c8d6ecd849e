// Parsing a batch's list of schedule ids and choosing this job's shard (schedule_list.hpp).

#include "schedule_list.hpp"

#include "text.hpp"

#include <humm/analyst/uuid.hpp>

#include <charconv>
#include <unordered_set>

namespace humm_history {

namespace {

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r") - first + 1);
}

bool parse_count(std::string_view text, std::uint64_t& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size() && !text.empty();
}

}  // namespace

schedule_list parse_schedule_list(std::string_view text, const std::string& source) {
  schedule_list list;
  std::unordered_set<std::string> seen;
  std::size_t line_number = 0;
  while (!text.empty()) {
    const auto end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    ++line_number;
    line = trim(line.substr(0, line.find('#')));  // a comment runs to the end of its line
    if (line.empty()) continue;
    const auto id = humm::analyst::parse_uuid(line);
    if (!id) {
      list.problems.push_back(source + ":" + std::to_string(line_number) +
                              ": not a schedule id (expected a UUID, 8-4-4-4-12 hex digits): \"" +
                              fit(line, 60) + "\"");
      continue;
    }
    std::string canonical = humm::analyst::format_uuid(*id);
    if (seen.insert(canonical).second)
      list.ids.push_back(std::move(canonical));
    else
      ++list.repeated;
  }
  return list;
}

std::optional<shard> parse_shard(std::string_view text, std::string& why) {
  const auto slash = text.find('/');
  shard s;
  std::uint64_t k = 0;
  if (slash == std::string_view::npos || !parse_count(text.substr(0, slash), k) ||
      !parse_count(text.substr(slash + 1), s.count) || k < 1 || k > s.count) {
    why = "--shard: expected K/N with 1 <= K <= N (e.g. 2/8), or auto, got \"" + fit(text, 40) + "\"";
    return std::nullopt;
  }
  s.index = k - 1;
  return s;
}

bool in_shard(const std::string& canonical_id, const shard& s) { return fnv1a_64(canonical_id) % s.count == s.index; }

}  // namespace humm_history
