// The tool's text helpers, directly: terminal widths, shortening UTF-8 text, times and the
// shard hash (CSV quoting is the library's: tests/unit/model_writer_test.cpp).

#include "text.hpp"

#include <boost/test/unit_test.hpp>

using namespace humm_history;

BOOST_AUTO_TEST_SUITE(text)

BOOST_AUTO_TEST_CASE(widths_count_columns_not_bytes) {
  BOOST_TEST(display_width("abc") == 3u);
  BOOST_TEST(display_width("Müller") == 6u);
  BOOST_TEST(display_width("売上") == 4u);
  BOOST_TEST(display_width("📈") == 2u);
  BOOST_TEST(display_width("e\u0301") == 1u);  // e + combining acute
  BOOST_TEST(display_width("\xff") == 1u);      // not UTF-8: one column
}

BOOST_AUTO_TEST_CASE(fit_shortens_between_characters_with_an_ellipsis) {
  BOOST_TEST(fit("short", 10) == "short");
  BOOST_TEST(fit("exactly10!", 10) == "exactly10!");
  BOOST_TEST(fit("eleven chars", 10) == "eleven ch\u2026");
  BOOST_TEST(fit("Résumé : les ventes", 8) == "Résumé \u2026");
  // Never half of a wide character: 4 columns leave 3 for 売上..., so only one fits.
  BOOST_TEST(fit("売上は前週比", 4) == "売\u2026");
  BOOST_TEST(display_width(fit("売上は前週比", 4)) == 3u);
  BOOST_TEST(fit("売上は前週比", 5) == "売上\u2026");
  BOOST_TEST(fit("ab📈cd", 4) == "ab\u2026");
  BOOST_TEST(fit("anything", 1) == "\u2026");
  BOOST_TEST(fit("anything", 0) == "");
  for (std::size_t width = 0; width < 40; ++width) {
    const std::string shown = fit("Ключевые метрики 売上は 📈 e\u0301té", width);
    BOOST_TEST(display_width(shown) <= width);
    BOOST_TEST(one_line(shown) == shown);  // still valid UTF-8
  }
}

BOOST_AUTO_TEST_CASE(one_line_makes_text_safe_for_a_terminal) {
  BOOST_TEST(one_line("No anomalies.\nAll 14\r\n\tdone") == "No anomalies. All 14 done");
  BOOST_TEST(one_line("red \x1b[31mtext") == "red  [31mtext");
  BOOST_TEST(one_line("c1 \xc2\x9b control") == "c1   control");
  BOOST_TEST(one_line("bad \xff\xfe bytes") == "bad \uFFFD\uFFFD bytes");
  BOOST_TEST(one_line("overlong \xc0\xaf") == "overlong \uFFFD\uFFFD");
  BOOST_TEST(one_line("cut \xe5\xa3") == "cut \uFFFD\uFFFD");
}

BOOST_AUTO_TEST_CASE(times_and_durations_for_people) {
  using namespace std::chrono;
  const humm::analyst::timestamp t = sys_days{year{2026} / 10 / 31} + hours{19} + minutes{41} + seconds{59} +
                                     microseconds{867716};
  BOOST_TEST(format_utc(t) == "2026-10-31 19:41:59");
  BOOST_TEST(format_duration(milliseconds{850}) == "850ms");
  BOOST_TEST(format_duration(seconds{42}) == "42s");
  BOOST_TEST(format_duration(seconds{245}) == "4m 05s");
  BOOST_TEST(format_duration(minutes{127}) == "2h 07m");
  BOOST_TEST(format_duration(hours{76}) == "3d 04h");
  BOOST_TEST(format_duration(seconds{-1}) == "-");
}

BOOST_AUTO_TEST_CASE(fnv1a_64_matches_the_reference_values) {
  BOOST_TEST(fnv1a_64("") == 0xcbf29ce484222325ULL);
  BOOST_TEST(fnv1a_64("a") == 0xaf63dc4c8601ec8cULL);
  BOOST_TEST(fnv1a_64("foobar") == 0x85944171f73967e8ULL);
}

BOOST_AUTO_TEST_SUITE_END()
