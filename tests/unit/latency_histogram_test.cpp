// The latency histogram (sansio/latency_histogram): bucket bounds, percentiles within 1/16
// of the true value, and the extremes.

#include "sansio/latency_histogram.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <random>
#include <vector>

namespace d = humm::analyst::detail;
using std::chrono::microseconds;

BOOST_AUTO_TEST_SUITE(latency_histogram)

BOOST_AUTO_TEST_CASE(every_value_falls_in_a_bucket_whose_bounds_hold_it_within_a_sixteenth) {
  for (std::uint64_t v = 0; v < 5'000'000; v = v < 100 ? v + 1 : v + v / 7) {
    const std::size_t b = d::latency_histogram::bucket_of(v);
    BOOST_TEST_REQUIRE(b < d::latency_histogram::bucket_count);
    const std::uint64_t upper = d::latency_histogram::upper_bound(b);
    BOOST_TEST_REQUIRE(upper >= v);
    BOOST_TEST_REQUIRE(upper - v <= v / 16, v << " reported as " << upper);
    if (b > 0) BOOST_TEST_REQUIRE(d::latency_histogram::upper_bound(b - 1) < v);
  }
}

BOOST_AUTO_TEST_CASE(nothing_counted_gives_zeros) {
  const d::latency_histogram h;
  const d::latency_summary s = h.summary();
  BOOST_TEST(s.count == 0u);
  BOOST_TEST(s.p99.count() == 0);
  BOOST_TEST(s.max.count() == 0);
}

BOOST_AUTO_TEST_CASE(percentiles_of_a_spread_are_within_a_sixteenth_of_the_exact_ones) {
  std::mt19937_64 random(7);
  std::lognormal_distribution<double> spread(8.0, 1.5);  // about 3 ms, from tens of µs to seconds
  std::vector<std::int64_t> values;
  d::latency_histogram h;
  for (int i = 0; i < 20'000; ++i) {
    values.push_back(static_cast<std::int64_t>(spread(random)));
    h.record(microseconds(values.back()));
  }
  std::sort(values.begin(), values.end());
  const auto exact = [&](double q) { return values[static_cast<std::size_t>(q * values.size() + 0.5) - 1]; };
  const d::latency_summary s = h.summary();
  BOOST_TEST(s.count == values.size());
  const std::pair<microseconds, double> checks[] = {{s.p50, 0.5}, {s.p90, 0.9}, {s.p99, 0.99}};
  for (const auto& [reported, q] : checks) {
    const auto want = exact(q);
    BOOST_TEST(reported.count() >= want, q);
    BOOST_TEST(reported.count() <= want + want / 16 + 1, q << ": " << reported.count() << " for " << want);
  }
  BOOST_TEST(s.max.count() == values.back());
}

BOOST_AUTO_TEST_CASE(a_percentile_never_exceeds_the_largest_value_and_huge_values_are_kept) {
  d::latency_histogram h;
  h.record(microseconds(1000));  // its bucket reaches up to 1023
  BOOST_TEST(h.summary().p50.count() == 1000);
  h.record(microseconds(-5));  // a clock that stepped back counts as zero
  h.record(std::chrono::hours(100));  // beyond the last doubling
  const d::latency_summary s = h.summary();
  BOOST_TEST(s.count == 3u);
  BOOST_TEST(s.max == std::chrono::hours(100));
  BOOST_TEST(s.p99 <= s.max);
}

BOOST_AUTO_TEST_SUITE_END()
