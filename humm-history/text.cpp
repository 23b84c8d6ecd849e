// Text helpers of the output formats (text.hpp): UTF-8 widths and shortening, CSV quoting,
// times for people.

#include "text.hpp"

#include <humm/analyst/printable.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <utility>

namespace humm_history {
namespace {

using range = std::pair<char32_t, char32_t>;

// Characters that take no column of their own: combining marks, zero-width joiners and
// variation selectors (the common blocks; rarer scripts fall back to one column).
constexpr std::array<range, 12> zero_width{{{0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD},
                                             {0x0610, 0x061A}, {0x064B, 0x065F}, {0x1AB0, 0x1AFF},
                                             {0x1DC0, 0x1DFF}, {0x200B, 0x200F}, {0x20D0, 0x20FF},
                                             {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F}, {0xE0100, 0xE01EF}}};

// East Asian Wide and Fullwidth characters and emoji presentation blocks: two columns.
constexpr std::array<range, 31> double_width{{
    {0x1100, 0x115F},   {0x231A, 0x231B},   {0x2329, 0x232A},   {0x23E9, 0x23EC},   {0x23F0, 0x23F3},
    {0x25FD, 0x25FE},   {0x2614, 0x2615},   {0x2648, 0x2653},   {0x26AA, 0x26AB},   {0x26BD, 0x26BE},
    {0x2705, 0x2705},   {0x270A, 0x270B},   {0x2728, 0x2728},   {0x274C, 0x274E},   {0x2753, 0x2757},
    {0x2795, 0x2797},   {0x2B1B, 0x2B1C},   {0x2B50, 0x2B55},   {0x2E80, 0x303E},   {0x3041, 0x4DBF},
    {0x4E00, 0xA4CF},   {0xA960, 0xA97F},   {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},   {0xFE10, 0xFE19},
    {0xFE30, 0xFE6F},   {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},   {0x1F300, 0x1F64F}, {0x1F680, 0x1FAFF},
    {0x20000, 0x3FFFD},
}};

template <std::size_t N>
bool in(const std::array<range, N>& ranges, char32_t c) {
  return std::any_of(ranges.begin(), ranges.end(), [c](const range& r) { return r.first <= c && c <= r.second; });
}

std::size_t width_of(char32_t c) {
  if (in(zero_width, c)) return 0;
  return in(double_width, c) ? 2 : 1;
}

// One decoded character: its bytes in the text and its code point (U+FFFD for a byte that
// does not start valid UTF-8: overlong forms and surrogates included).
struct character {
  std::size_t size;
  char32_t code;
};

character decode_one(std::string_view text, std::size_t at) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[at + i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return {1, lead};
  const std::size_t size = lead >= 0xC2 && lead <= 0xDF   ? 2
                           : lead >= 0xE0 && lead <= 0xEF ? 3
                           : lead >= 0xF0 && lead <= 0xF4 ? 4
                                                          : 0;
  if (size == 0 || at + size > text.size()) return {1, 0xFFFD};
  char32_t code = lead & (0x7F >> size);
  for (std::size_t i = 1; i < size; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return {1, 0xFFFD};
    code = (code << 6) | (byte(i) & 0x3F);
  }
  const bool overlong = (size == 3 && code < 0x800) || (size == 4 && code < 0x10000);
  if (overlong || (code >= 0xD800 && code <= 0xDFFF) || code > 0x10FFFF) return {1, 0xFFFD};
  return {size, code};
}

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

// Controls, separators and bidirectional overrides (the ones printable() escapes): shown as
// spaces, so that text from the API can neither break a table's lines, nor reorder them, nor
// send escape sequences to the terminal.
bool is_control(char32_t c) { return humm::analyst::acts_on_terminal(c); }

}  // namespace

std::string message_line(std::string_view text) { return "humm-history: " + humm::analyst::printable(text); }

std::size_t display_width(std::string_view text) {
  std::size_t width = 0;
  for (std::size_t at = 0; at < text.size();) {
    const character c = decode_one(text, at);
    width += width_of(c.code);
    at += c.size;
  }
  return width;
}

std::string one_line(std::string_view text) {
  std::string line;
  line.reserve(text.size());
  bool after_control = false;  // a run of control characters becomes one space
  for (std::size_t at = 0; at < text.size();) {
    const character c = decode_one(text, at);
    at += c.size;
    if (is_control(c.code)) {
      if (!after_control) line += ' ';
      after_control = true;
      continue;
    }
    after_control = false;
    append_utf8(line, c.code);
  }
  return line;
}

std::string fit(std::string_view text, std::size_t width) {
  std::string line = one_line(text);
  if (display_width(line) <= width) return line;
  if (width == 0) return {};
  std::string shown;
  std::size_t used = 0;
  for (std::size_t at = 0; at < line.size();) {
    const character c = decode_one(line, at);
    if (used + width_of(c.code) > width - 1) break;  // a column stays for the ellipsis
    shown.append(line, at, c.size);
    used += width_of(c.code);
    at += c.size;
  }
  return shown += "\u2026";
}

std::string pad(std::string_view text, std::size_t width, bool align_right) {
  const std::size_t w = display_width(text);
  const std::string spaces(w < width ? width - w : 0, ' ');
  return align_right ? spaces + std::string(text) : std::string(text) + spaces;
}

std::string format_utc(humm::analyst::timestamp t) {
  using namespace std::chrono;
  const auto seconds_since_epoch = floor<seconds>(t);
  const auto day = floor<days>(seconds_since_epoch);
  const year_month_day date{day};
  const hh_mm_ss time{seconds_since_epoch - day};
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u %02d:%02d:%02d", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                static_cast<int>(time.seconds().count()));
  return text;
}

std::string format_duration(std::chrono::microseconds d) {
  using namespace std::chrono;
  if (d < microseconds{0}) return "-";
  char text[32];
  const long long s = duration_cast<seconds>(d).count();
  if (s < 1)
    std::snprintf(text, sizeof text, "%lldms", static_cast<long long>(duration_cast<milliseconds>(d).count()));
  else if (s < 60)
    std::snprintf(text, sizeof text, "%llds", s);
  else if (s < 3600)
    std::snprintf(text, sizeof text, "%lldm %02llds", s / 60, s % 60);
  else if (s < 86400)
    std::snprintf(text, sizeof text, "%lldh %02lldm", s / 3600, s % 3600 / 60);
  else
    std::snprintf(text, sizeof text, "%lldd %02lldh", s / 86400, s % 86400 / 3600);
  return text;
}

std::uint64_t fnv1a_64(std::string_view bytes) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

}  // namespace humm_history
