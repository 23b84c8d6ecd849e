// RFC 3339 date-times (timestamp.hpp): offsets normalised to UTC, 0 to 9 fractional
// digits, the fast UTC form against the general parser, errors that say why, formatting.

#include <humm/analyst/timestamp.hpp>

#include <boost/test/unit_test.hpp>

#include <string>

namespace ha = humm::analyst;
using namespace std::chrono;

namespace {

ha::timestamp utc(int y, unsigned mo, unsigned d, int h, int mi, int s, long long us = 0) {
  return sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi} + seconds{s} + microseconds{us};
}

std::string why_rejected(std::string_view text) {
  std::string_view why;
  auto t = ha::parse_timestamp(text, &why);
  BOOST_TEST_INFO("input: \"" << text << "\"");
  BOOST_TEST(!t.has_value());
  return std::string(why);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(timestamp)

BOOST_AUTO_TEST_CASE(offsets_are_normalised_to_utc) {
  const auto expected = utc(2023, 11, 7, 5, 31, 56);
  for (const char* text : {"2023-11-07T05:31:56Z", "2023-11-07T05:31:56z", "2023-11-07T05:31:56+00:00",
                           "2023-11-07T05:31:56-00:00", "2023-11-07T05:31:56", "2023-11-07t05:31:56Z",
                           "2023-11-07 05:31:56Z", "2023-11-07T00:01:56-05:30", "2023-11-07T10:31:56+0500",
                           "2023-11-07T07:31:56+02"}) {
    BOOST_TEST_INFO("input: " << text);
    BOOST_TEST((ha::parse_timestamp(text) == expected));
  }
}

BOOST_AUTO_TEST_CASE(an_offset_can_change_the_date) {
  BOOST_TEST((ha::parse_timestamp("2024-03-01T01:00:00+05:30") == utc(2024, 2, 29, 19, 30, 0)));
  BOOST_TEST((ha::parse_timestamp("2023-12-31T23:00:00-02:00") == utc(2024, 1, 1, 1, 0, 0)));
}

BOOST_AUTO_TEST_CASE(zero_to_nine_fractional_digits) {
  const auto base = utc(2023, 11, 7, 5, 31, 56);
  struct {
    const char* text;
    long long micros;
  } cases[] = {{"2023-11-07T05:31:56Z", 0},           {"2023-11-07T05:31:56.1Z", 100000},
               {"2023-11-07T05:31:56.12Z", 120000},    {"2023-11-07T05:31:56.123Z", 123000},
               {"2023-11-07T05:31:56.1234Z", 123400},  {"2023-11-07T05:31:56.12345Z", 123450},
               {"2023-11-07T05:31:56.123456Z", 123456}, {"2023-11-07T05:31:56.1234567Z", 123456},
               {"2023-11-07T05:31:56.12345678Z", 123456}, {"2023-11-07T05:31:56.123456789+00:00", 123456},
               {"2023-11-07T05:31:56.000001", 1}};
  for (const auto& c : cases) {
    BOOST_TEST_INFO("input: " << c.text);
    BOOST_TEST((ha::parse_timestamp(c.text) == base + microseconds{c.micros}));
  }
}

BOOST_AUTO_TEST_CASE(the_fast_utc_form_agrees_with_the_general_parser) {
  // "...Z" takes a fast path; the same instant with "+00:00" takes the general one.
  for (std::string text : {"2023-11-07T05:31:56Z", "2024-02-29T23:59:59.1Z", "0001-01-01T00:00:00.000001Z",
                           "9999-12-31T23:59:59.999999999Z", "2023-11-07T05:31:56.123456Z", "1970-01-01T00:00:00.5Z"}) {
    BOOST_TEST_INFO("input: " << text);
    const auto fast = ha::parse_timestamp(text);
    BOOST_REQUIRE(fast.has_value());
    text.replace(text.size() - 1, 1, "+00:00");
    BOOST_TEST((fast == ha::parse_timestamp(text)));
  }
  BOOST_TEST((ha::parse_timestamp("2023-11-07T05:31:56.25Z") == utc(2023, 11, 7, 5, 31, 56, 250000)));
  // Out of range or malformed in the fast form: the general parser says why.
  BOOST_TEST(why_rejected("2023-02-29T00:00:00Z") == "day out of range for the month");
  BOOST_TEST(why_rejected("2023-11-07T24:00:00Z") == "hour out of range");
  BOOST_TEST(why_rejected("2023-11-07T05:31:60Z") == "leap seconds are not supported");
  BOOST_TEST(why_rejected("2023-11-07T05:31:5xZ") == "expected HH:MM:SS");
  BOOST_TEST(why_rejected("2023-11-07T05:31:56.Z") == "expected digits after the decimal point");
}

BOOST_AUTO_TEST_CASE(a_non_digit_anywhere_in_the_fast_utc_form_is_rejected) {
  // No fraction, the six digits Python writes (read in one word), and another count.
  for (const std::string good : {"2023-11-07T05:31:56Z", "2023-11-07T05:31:56.123456Z", "2023-11-07T05:31:56.123456789Z"}) {
    BOOST_REQUIRE(ha::parse_timestamp(good).has_value());
    for (std::size_t pos = 0; pos + 1 < good.size(); ++pos) {
      if (good[pos] < '0' || good[pos] > '9') continue;
      // '/' and ':' are the neighbours of '0' and '9'; '?' keeps digits' high nibble
      for (char c : {'/', ':', '?', 'x', ' ', '\0', '\x80', '\xf9', '\xff'}) {
        std::string text = good;
        text[pos] = c;
        BOOST_TEST_INFO("input: " << text);
        BOOST_TEST(!ha::parse_timestamp(text).has_value());
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(invalid_date_times_say_why) {
  BOOST_TEST(why_rejected("2023-13-01T00:00:00Z") == "month out of range");
  BOOST_TEST(why_rejected("2023-00-01T00:00:00Z") == "month out of range");
  BOOST_TEST(why_rejected("2023-02-30T00:00:00Z") == "day out of range for the month");
  BOOST_TEST(why_rejected("2023-02-29T00:00:00Z") == "day out of range for the month");
  BOOST_TEST(why_rejected("2016-12-31T23:59:60Z") == "leap seconds are not supported");
  BOOST_TEST(why_rejected("2023-11-07T24:00:00Z") == "hour out of range");
  BOOST_TEST(why_rejected("2023-11-07T23:60:00Z") == "minute out of range");
  BOOST_TEST(why_rejected("") == "empty");
  BOOST_TEST(why_rejected("yesterday") == "expected YYYY-MM-DD");
  BOOST_TEST(why_rejected("1699335116") == "expected YYYY-MM-DD");
  BOOST_TEST(why_rejected("2023-11-07") == "expected a time after the date");
  BOOST_TEST(why_rejected("2023-11-07T05:31Z") == "expected HH:MM:SS");
  BOOST_TEST(why_rejected("2023-11-07T05:31:56.Z") == "expected digits after the decimal point");
  BOOST_TEST(why_rejected("2023-11-07T05:31:56+25:00") == "UTC offset out of range");
  BOOST_TEST(why_rejected("2023-11-07T05:31:56+5") == "malformed UTC offset");
  BOOST_TEST(why_rejected("2023-11-07T05:31:56Z ") == "unexpected text after the UTC offset");
  BOOST_TEST(why_rejected("2023-11-07T05:31:56 PST") == "unexpected text after the time");
  BOOST_TEST(why_rejected("0000-01-01T00:00:00+01:00") == "year out of range after the UTC offset");
}

BOOST_AUTO_TEST_CASE(formats_as_utc_with_z) {
  BOOST_TEST(ha::format_timestamp(utc(2023, 11, 7, 5, 31, 56)) == "2023-11-07T05:31:56Z");
  BOOST_TEST(ha::format_timestamp(utc(2023, 11, 7, 5, 31, 56, 120000)) == "2023-11-07T05:31:56.120000Z");
  BOOST_TEST(ha::format_timestamp(utc(1, 1, 1, 0, 0, 0)) == "0001-01-01T00:00:00Z");
  BOOST_TEST(ha::format_timestamp(utc(9999, 12, 31, 23, 59, 59, 999999)) == "9999-12-31T23:59:59.999999Z");
}

BOOST_AUTO_TEST_CASE(format_then_parse_gives_the_same_instant) {
  for (long long step = 0; step < 2000; ++step) {
    const auto t = utc(1970, 1, 1, 0, 0, 0) + microseconds{step * 987'654'321'987LL + step % 7};
    BOOST_TEST_INFO("instant " << ha::format_timestamp(t));
    BOOST_TEST((ha::parse_timestamp(ha::format_timestamp(t)) == t));
  }
}

BOOST_AUTO_TEST_SUITE_END()
