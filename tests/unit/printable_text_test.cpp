// printable(): server and user text shown as one line that a terminal cannot act on.

#include <humm/analyst/printable.hpp>

#include <boost/test/unit_test.hpp>

using humm::analyst::printable;

BOOST_AUTO_TEST_SUITE(printable_text)

BOOST_AUTO_TEST_CASE(plain_text_and_utf8_are_kept_as_they_are) {
  BOOST_TEST(printable("Schedule not found") == "Schedule not found");
  BOOST_TEST(printable("r\u00e9sum\u00e9 \u65e5\u672c \U0001F600 a\\b") == "r\u00e9sum\u00e9 \u65e5\u672c \U0001F600 a\\b");
  BOOST_TEST(printable("") == "");
}

BOOST_AUTO_TEST_CASE(control_characters_are_escaped_so_the_text_stays_one_line) {
  BOOST_TEST(printable("a\nb\rc\td") == "a\\nb\\rc\\td");
  BOOST_TEST(printable("\x1b]0;title\x07\x1b[2J") == "\\x1b]0;title\\x07\\x1b[2J");
  BOOST_TEST(printable(std::string_view("nul\0here", 8)) == "nul\\x00here");
  BOOST_TEST(printable("del\x7f") == "del\\x7f");
}

BOOST_AUTO_TEST_CASE(c1_controls_separators_and_bidi_overrides_are_escaped) {
  BOOST_TEST(printable("\xc2\x9b" "31m") == "\\u{009B}31m");  // CSI as one character
  BOOST_TEST(printable("a\u2028b") == "a\\u{2028}b");
  BOOST_TEST(printable("abc\u202edcba") == "abc\\u{202E}dcba");
}

BOOST_AUTO_TEST_CASE(bytes_that_are_not_utf8_are_escaped_one_by_one) {
  BOOST_TEST(printable("\xff\xfe") == "\\xff\\xfe");
  BOOST_TEST(printable("\xc3") == "\\xc3");                  // cut short
  BOOST_TEST(printable("\xc0\xaf") == "\\xc0\\xaf");         // overlong '/'
  BOOST_TEST(printable("\xed\xa0\x80") == "\\xed\\xa0\\x80");  // a surrogate
}

BOOST_AUTO_TEST_CASE(printing_twice_changes_nothing_more) {
  const std::string once = printable("x\x1b[2J\xff\n");
  BOOST_TEST(printable(once) == once);
}

BOOST_AUTO_TEST_SUITE_END()
