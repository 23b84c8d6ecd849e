// The run ledger (sansio/run_ledger): every id admitted once, through the table's growth.

#include "sansio/run_ledger.hpp"

#include <humm/analyst/testing/dataset.hpp>

#include <boost/test/unit_test.hpp>

namespace ha = humm::analyst;
namespace d = humm::analyst::detail;

namespace {
ha::uuid run_id(std::uint64_t n) { return ha::testing::make_uuid(n + 1); }
}  // namespace

BOOST_AUTO_TEST_SUITE(run_ledger)

BOOST_AUTO_TEST_CASE(each_id_is_admitted_once_through_growth_and_including_the_nil_id) {
  d::run_ledger ledger;
  for (std::uint64_t n = 0; n < 5000; ++n) BOOST_TEST_REQUIRE(ledger.admit(run_id(n)));
  BOOST_TEST(ledger.admit(ha::uuid{}));
  for (std::uint64_t n = 0; n < 5000; ++n) BOOST_TEST_REQUIRE(!ledger.admit(run_id(n)));
  BOOST_TEST(!ledger.admit(ha::uuid{}));
  BOOST_TEST(ledger.size() == 5001u);
}

BOOST_AUTO_TEST_SUITE_END()
