// RFC 3339 date-times: parsing every form the API may send, and formatting as `...Z`.

#include <humm/analyst/timestamp.hpp>

#include "value_text.hpp"

#include <boost/endian/conversion.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

namespace humm::analyst {
namespace {

using namespace std::chrono;

// A cursor over the text; every reader fails (returns false) without consuming on a mismatch.
struct scanner {
  std::string_view text;
  std::size_t pos = 0;

  bool at_end() const { return pos == text.size(); }
  bool peek_is(char c) const { return pos < text.size() && text[pos] == c; }
  bool digit_at(std::size_t i) const { return i < text.size() && text[i] >= '0' && text[i] <= '9'; }

  bool number(int width, int& out) {
    int value = 0;
    for (int i = 0; i < width; ++i) {
      if (!digit_at(pos + i)) return false;
      value = value * 10 + (text[pos + i] - '0');
    }
    pos += width;
    out = value;
    return true;
  }
  bool literal(char c) {
    if (!peek_is(c)) return false;
    ++pos;
    return true;
  }
  bool one_of(char a, char b, char c = '\0') {
    if (pos >= text.size() || (text[pos] != a && text[pos] != b && (c == '\0' || text[pos] != c))) return false;
    ++pos;
    return true;
  }
};

std::optional<timestamp> fail(std::string_view* why, std::string_view reason) {
  if (why) *why = reason;
  return std::nullopt;
}

// The offset east of UTC, from `Z`, `+HH:MM`, `+HHMM`, `+HH` or nothing (UTC).
bool parse_offset(scanner& s, minutes& offset, std::string_view& why) {
  offset = minutes{0};
  if (s.at_end() || s.one_of('Z', 'z')) return true;
  const bool negative = s.peek_is('-');
  if (!s.one_of('+', '-')) return why = "unexpected text after the time", false;
  int hh = 0, mm = 0;
  if (!s.number(2, hh)) return why = "malformed UTC offset", false;
  if (s.literal(':')) {
    if (!s.number(2, mm)) return why = "malformed UTC offset", false;
  } else if (!s.at_end() && !s.number(2, mm)) {
    return why = "malformed UTC offset", false;
  }
  if (hh > 23 || mm > 59) return why = "UTC offset out of range", false;
  offset = minutes{(negative ? -1 : 1) * (hh * 60 + mm)};
  return true;
}

// Whether the bytes of the eight at `p` that `mask` selects (0xff) are all ASCII digits.
// A digit, 0x30-0x39, has the high nibble 3 and keeps it when 6 is added. No byte carries
// into the next: the selected ones are 0x30-0x3f once the first test holds, and the others
// are separators ('-', 'T', ':', '.', 'Z').
bool digits_in_word(const char* p, std::uint64_t mask) {
  constexpr std::uint64_t threes = 0x3030303030303030, high_nibbles = 0xf0f0f0f0f0f0f0f0, sixes = 0x0606060606060606;
  std::uint64_t word;
  std::memcpy(&word, p, 8);
  word = boost::endian::little_to_native(word);  // p[0] in the lowest byte
  return (word & high_nibbles & mask) == (threes & mask) && ((word + sixes) & high_nibbles & mask) == (threes & mask);
}

// The word at `p` with each byte i replaced by the two-digit number of bytes i and i + 1
// (10 * low nibble of byte i + low nibble of byte i + 1). No byte carries into the next: a
// low nibble is at most 15, so each result is at most 165.
std::uint64_t two_digit_numbers(const char* p) {
  std::uint64_t word;
  std::memcpy(&word, p, 8);
  const std::uint64_t nibbles = boost::endian::little_to_native(word) & 0x0f0f0f0f0f0f0f0f;
  return nibbles * 10 + (nibbles >> 8);
}

int byte_at(std::uint64_t word, int i) { return static_cast<int>(word >> (8 * i) & 0xff); }

// The form servers send nearly always, "YYYY-MM-DDTHH:MM:SS[.fraction]Z", read at fixed
// positions (a page holds about 80 timestamps). Anything else, or anything out of range, is
// left to the general parser, which also says what is wrong.
std::optional<timestamp> parse_canonical(std::string_view t) {
  if (t.size() < 20 || t.back() != 'Z' || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' ||
      t[16] != ':')
    return std::nullopt;
  // The digits of "YYYY-MM-" at 0, "DDTHH:MM" at 8 and "HH:MM:SS" at 11, in three words.
  const char* p = t.data();
  if (!digits_in_word(p, 0x00ffff00ffffffff) || !digits_in_word(p + 8, 0xffff00ffff00ffff) ||
      !digits_in_word(p + 11, 0xffff00ffff00ffff))
    return std::nullopt;
  const std::uint64_t at_0 = two_digit_numbers(p), at_8 = two_digit_numbers(p + 8),
                      at_11 = two_digit_numbers(p + 11);
  const int y = byte_at(at_0, 0) * 100 + byte_at(at_0, 2), mo = byte_at(at_0, 5), d = byte_at(at_8, 0),
            h = byte_at(at_8, 3), mi = byte_at(at_8, 6), sec = byte_at(at_11, 6);
  int micros = 0;
  if (t.size() == 27) {  // six digits, as Python's isoformat() writes them: ".ffffffZ" at 19
    if (t[19] != '.' || !digits_in_word(p + 19, 0x00ffffffffffff00)) return std::nullopt;
    const std::uint64_t fraction = two_digit_numbers(p + 19);
    micros = byte_at(fraction, 1) * 10000 + byte_at(fraction, 3) * 100 + byte_at(fraction, 5);
  } else if (t.size() > 20) {
    const std::size_t fraction_digits = t.size() - 21;  // between "." and "Z"
    if (t[19] != '.' || fraction_digits == 0 || fraction_digits > 9) return std::nullopt;
    for (std::size_t i = 0; i < fraction_digits; ++i) {
      const int digit = p[20 + i] - '0';
      if (digit < 0 || digit > 9) return std::nullopt;
      if (i < 6) micros = micros * 10 + digit;  // finer digits are checked, then truncated
    }
    for (std::size_t i = fraction_digits; i < 6; ++i) micros *= 10;
  }
  if (mo < 1 || mo > 12 || h > 23 || mi > 59 || sec > 59) return std::nullopt;
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  return sys_days{ymd} + hours{h} + minutes{mi} + seconds{sec} + microseconds{micros};
}

}  // namespace

std::optional<timestamp> parse_timestamp(std::string_view text, std::string_view* why) {
  if (auto fast = parse_canonical(text)) return fast;
  scanner s{text};
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (text.empty()) return fail(why, "empty");
  if (!s.number(4, y) || !s.literal('-') || !s.number(2, mo) || !s.literal('-') || !s.number(2, d))
    return fail(why, "expected YYYY-MM-DD");
  if (!s.one_of('T', 't', ' ')) return fail(why, "expected a time after the date");
  if (!s.number(2, h) || !s.literal(':') || !s.number(2, mi) || !s.literal(':') || !s.number(2, sec))
    return fail(why, "expected HH:MM:SS");

  microseconds fraction{0};
  if (s.literal('.')) {
    const std::size_t first = s.pos;
    long long micros = 0;
    while (s.digit_at(s.pos)) {
      if (s.pos - first < 6) micros = micros * 10 + (text[s.pos] - '0');
      ++s.pos;
    }
    const std::size_t digits = s.pos - first;
    if (digits == 0) return fail(why, "expected digits after the decimal point");
    for (std::size_t i = digits; i < 6; ++i) micros *= 10;
    fraction = microseconds{micros};
  }

  minutes offset{};
  std::string_view offset_problem;
  if (!parse_offset(s, offset, offset_problem)) return fail(why, offset_problem);
  if (!s.at_end()) return fail(why, "unexpected text after the UTC offset");

  if (mo < 1 || mo > 12) return fail(why, "month out of range");
  const year_month_day date{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!date.ok()) return fail(why, "day out of range for the month");
  if (h > 23) return fail(why, "hour out of range");
  if (mi > 59) return fail(why, "minute out of range");
  if (sec == 60) return fail(why, "leap seconds are not supported");
  if (sec > 59) return fail(why, "second out of range");

  const timestamp result = sys_days{date} + hours{h} + minutes{mi} + seconds{sec} + fraction - offset;
  static constexpr sys_days first_day{year{0} / January / 1};
  static constexpr sys_days past_last_day{year{10000} / January / 1};
  if (result < first_day || result >= past_last_day) return fail(why, "year out of range after the UTC offset");
  return result;
}

namespace {

// "00" to "99": two digits per store, as the writers of encode.hpp format a few times per run.
constexpr auto digit_pairs = [] {
  std::array<char, 200> pairs{};
  for (int i = 0; i < 100; ++i) {
    pairs[2 * i] = static_cast<char>('0' + i / 10);
    pairs[2 * i + 1] = static_cast<char>('0' + i % 10);
  }
  return pairs;
}();

char* put_two(char* p, unsigned value) noexcept {
  std::memcpy(p, &digit_pairs[2 * value], 2);
  return p + 2;
}

// Years 0 to 9999 are every year parse_timestamp gives. Any other keeps its last four digits
// as the digit loop writes them (below '0' for a year before 0): what this function always wrote.
char* put_year(char* p, int year) noexcept {
  if (year >= 0 && year <= 9999) return put_two(put_two(p, static_cast<unsigned>(year / 100)), year % 100);
  for (int i = 3; i >= 0; --i, year /= 10) p[i] = static_cast<char>('0' + year % 10);
  return p + 4;
}

}  // namespace

char* detail::write_timestamp(char* p, timestamp t) noexcept {
  const sys_days date = floor<days>(t);
  const year_month_day ymd{date};
  const auto in_day = static_cast<std::uint64_t>((t - date).count());  // microseconds, below a day's
  const auto second_of_day = static_cast<unsigned>(in_day / 1'000'000);
  const auto micros = static_cast<unsigned>(in_day % 1'000'000);

  p = put_year(p, static_cast<int>(ymd.year()));
  *p++ = '-';
  p = put_two(p, static_cast<unsigned>(ymd.month()));
  *p++ = '-';
  p = put_two(p, static_cast<unsigned>(ymd.day()));
  *p++ = 'T';
  p = put_two(p, second_of_day / 3600);
  *p++ = ':';
  p = put_two(p, second_of_day / 60 % 60);
  *p++ = ':';
  p = put_two(p, second_of_day % 60);
  if (micros != 0) {
    *p++ = '.';
    p = put_two(put_two(put_two(p, micros / 10'000), micros / 100 % 100), micros % 100);
  }
  *p++ = 'Z';
  return p;
}

std::string format_timestamp(timestamp t) {
  char buffer[detail::max_timestamp_chars];
  return std::string(buffer, detail::write_timestamp(buffer, t));
}

}  // namespace humm::analyst
