// gzip bodies (net/gzip): a round trip, the limit on inflated size, and damaged input.

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

BOOST_AUTO_TEST_SUITE_END()
