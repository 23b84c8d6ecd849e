// UUIDs (uuid.hpp): either letter case parses, lower-case canonical formatting, and every
// malformed form rejected, byte by byte.

#include <humm/analyst/uuid.hpp>

#include <boost/test/unit_test.hpp>

#include <string>

namespace ha = humm::analyst;

BOOST_AUTO_TEST_SUITE(uuid)

BOOST_AUTO_TEST_CASE(either_letter_case_parses_to_the_same_value) {
  const auto lower = ha::parse_uuid("3c90c3cc-0d44-4b50-8888-8dd25736052a");
  const auto upper = ha::parse_uuid("3C90C3CC-0D44-4B50-8888-8DD25736052A");
  const auto mixed = ha::parse_uuid("3c90C3cc-0D44-4b50-8888-8Dd25736052A");
  BOOST_REQUIRE(lower.has_value());
  BOOST_TEST((upper == lower));
  BOOST_TEST((mixed == lower));
  BOOST_TEST(lower->data[0] == 0x3c);
  BOOST_TEST(lower->data[15] == 0x2a);
}

BOOST_AUTO_TEST_CASE(formats_lowercase_canonical) {
  BOOST_TEST(ha::format_uuid(*ha::parse_uuid("3C90C3CC-0D44-4B50-8888-8DD25736052A")) ==
             "3c90c3cc-0d44-4b50-8888-8dd25736052a");
}

BOOST_AUTO_TEST_CASE(malformed_uuids_are_rejected) {
  for (const char* text : {"", "3c90c3cc0d444b5088888dd25736052a", "{3c90c3cc-0d44-4b50-8888-8dd25736052a}",
                           "3c90c3cc-0d44-4b50-8888-8dd25736052", "3c90c3cc-0d44-4b50-8888-8dd25736052a0",
                           "3c90c3cc-0d44-4b50-8888_8dd25736052a", "3c90c3cg-0d44-4b50-8888-8dd25736052a",
                           "3c90c3cc-0d44-4b5-08888-8dd25736052a", " 3c90c3cc-0d44-4b50-8888-8dd25736052"}) {
    BOOST_TEST_INFO("input: \"" << text << "\"");
    BOOST_TEST(!ha::parse_uuid(text).has_value());
  }
}

// Every byte value at every digit position: accepted exactly when it is a hex digit, and
// then with that digit's value in the right nibble.
BOOST_AUTO_TEST_CASE(every_byte_at_every_digit_position) {
  const std::string base = "00000000-0000-0000-0000-000000000000";
  std::size_t nibble = 0;
  for (std::size_t pos = 0; pos < base.size(); ++pos) {
    if (base[pos] == '-') continue;
    for (int byte = 0; byte < 256; ++byte) {
      std::string text = base;
      text[pos] = static_cast<char>(byte);
      const char c = static_cast<char>(byte);
      int value = -1;
      if (c >= '0' && c <= '9') value = c - '0';
      if (c >= 'a' && c <= 'f') value = c - 'a' + 10;
      if (c >= 'A' && c <= 'F') value = c - 'A' + 10;
      const auto id = ha::parse_uuid(text);
      BOOST_TEST_INFO("byte " << byte << " at position " << pos);
      BOOST_REQUIRE(id.has_value() == (value >= 0));
      if (!id) continue;
      ha::uuid expected{};
      expected.data[nibble / 2] = static_cast<std::uint8_t>(nibble % 2 == 0 ? value << 4 : value);
      BOOST_TEST((*id == expected));
    }
    ++nibble;
  }
  BOOST_TEST(nibble == 32u);
}

BOOST_AUTO_TEST_SUITE_END()
