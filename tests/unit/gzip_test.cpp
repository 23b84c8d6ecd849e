// gzip bodies (net/gzip): a round trip, the limit on inflated size, damaged input, several
// members, trailing bytes and the memory budget.

#include "net/gzip.hpp"

#include <boost/test/unit_test.hpp>

namespace d = humm::analyst::detail;

BOOST_AUTO_TEST_SUITE(gzip)

BOOST_AUTO_TEST_CASE(round_trip_and_limits) {
  const std::string plain(100'000, 'a');
  const std::string packed = d::gzip(plain);
  BOOST_TEST(packed.size() < 1000u);
  std::string out;
  BOOST_TEST((d::gunzip(packed, 1 << 20, out) == d::inflate_status::ok));
  BOOST_TEST(out == plain);
  BOOST_TEST((d::gunzip(packed, 100'000, out) == d::inflate_status::ok));  // exactly at the limit
  BOOST_TEST((d::gunzip(packed, 99'999, out) == d::inflate_status::too_large));
  BOOST_TEST(out.size() <= 99'999u);
  BOOST_TEST((d::gunzip(packed.substr(0, packed.size() / 2), 1 << 20, out) == d::inflate_status::corrupt));
  BOOST_TEST((d::gunzip("not gzip at all", 1 << 20, out) == d::inflate_status::corrupt));
}

BOOST_AUTO_TEST_CASE(concatenated_members_are_all_inflated_and_trailing_bytes_refused) {
  const std::string two = d::gzip("first half, ") + d::gzip("second half");
  std::string out;
  BOOST_TEST((d::gunzip(two, 1 << 20, out) == d::inflate_status::ok));
  BOOST_TEST(out == "first half, second half");  // the second member was dropped
  BOOST_TEST((d::gunzip(d::gzip("body") + "junk", 1 << 20, out) == d::inflate_status::trailing_bytes));
  BOOST_TEST((d::gunzip(d::gzip("body") + std::string(1, '\x1f'), 1 << 20, out) == d::inflate_status::trailing_bytes));
  BOOST_TEST((d::gunzip(two.substr(0, two.size() - 3), 1 << 20, out) == d::inflate_status::corrupt));
}

BOOST_AUTO_TEST_CASE(inflation_is_charged_to_a_budget) {
  d::memory_budget budget(50'000);
  d::budget_share share(&budget);
  std::string out;
  BOOST_TEST((d::gunzip(d::gzip(std::string(100'000, 'a')), 1 << 20, out, &share) == d::inflate_status::over_budget));
  BOOST_TEST(share.held() <= 50'000u);
  BOOST_TEST(budget.used() == share.held());
}

BOOST_AUTO_TEST_SUITE_END()
