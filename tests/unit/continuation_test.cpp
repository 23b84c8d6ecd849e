// Where a walk goes after a page (sansio/pagination): every end rule, the total, an echoed
// lower limit and the server's next_offset, decided without I/O.

#include "sansio/pagination.hpp"

#include <humm/analyst/testing/dataset.hpp>

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

namespace ha = humm::analyst;
namespace d = humm::analyst::detail;

namespace {
ha::schedule_history page(std::size_t runs, std::string_view pagination_json) {
  static const auto data = ha::testing::make_schedule_data(1, 100, ha::testing::make_uuid(1));
  ha::schedule_history p = ha::testing::make_page(data, 0, runs);
  p.pagination = ha::pagination(boost::json::parse(pagination_json).as_object());
  return p;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(continuation)

BOOST_AUTO_TEST_CASE(an_empty_page_always_ends) {
  BOOST_TEST(d::continue_after(0, 100, page(0, "{}")).last);
  BOOST_TEST(d::continue_after(0, 100, page(0, R"({"has_more":true})")).last);
  BOOST_TEST(d::continue_after(0, 100, page(0, R"({"total":500})")).last);
}

BOOST_AUTO_TEST_CASE(has_more_decides_when_present) {
  BOOST_TEST(d::continue_after(0, 100, page(100, R"({"has_more":false})")).last);
  const auto more = d::continue_after(200, 100, page(40, R"({"has_more":true})"));  // a short page, but more
  BOOST_TEST(!more.last);
  BOOST_TEST(more.next_offset == 240);
}

BOOST_AUTO_TEST_CASE(total_decides_next) {
  BOOST_TEST(d::continue_after(1200, 100, page(34, R"({"total":1234})")).last);
  BOOST_TEST(d::continue_after(900, 100, page(100, R"({"total":1000})")).last);  // no extra request
  const auto clamped = d::continue_after(0, 100, page(50, R"({"total":1234,"limit":100})"));
  BOOST_TEST(!clamped.last);  // silently clamped: the total says there is more
  BOOST_TEST(clamped.next_offset == 50);
  BOOST_TEST((clamped.total == 1234));
}

BOOST_AUTO_TEST_CASE(otherwise_a_short_page_ends) {
  BOOST_TEST(d::continue_after(0, 100, page(99, "{}")).last);
  const auto full = d::continue_after(0, 100, page(100, "{}"));
  BOOST_TEST(!full.last);  // one extra (empty) request follows a multiple of the page size
  BOOST_TEST(full.next_offset == 100);
  BOOST_TEST(!d::continue_after(0, 100, page(50, R"({"limit":50})")).last);  // echoed lower limit
  BOOST_TEST(d::continue_after(0, 100, page(49, R"({"limit":50})")).last);
}

BOOST_AUTO_TEST_CASE(next_offset_from_the_server_must_advance) {
  BOOST_TEST(d::continue_after(100, 100, page(100, R"({"next_offset":200})")).next_offset == 200);
  BOOST_TEST(d::continue_after(100, 100, page(100, R"({"next_offset":100})")).problem ==
             "pagination.next_offset: 100 does not advance past offset 100");
  // On a last page, where the next page would start does not matter.
  BOOST_TEST(d::continue_after(100, 100, page(0, R"({"next_offset":100})")).problem.empty());
}

BOOST_AUTO_TEST_CASE(recognised_keys_of_another_type_are_ignored_as_unknown_keys_are) {
  const auto c = d::continue_after(0, 100, page(100, R"({"total":"many","has_more":"yes","next_offset":null})"));
  BOOST_TEST(c.problem.empty());
  BOOST_TEST(!c.total.has_value());
  BOOST_TEST(!c.last);
  BOOST_TEST(c.next_offset == 100);
}

BOOST_AUTO_TEST_CASE(negative_or_unrepresentable_counts_are_problems_naming_their_key) {
  BOOST_TEST(d::continue_after(0, 100, page(100, R"({"total":-1})")).problem == "pagination.total: -1 is negative");
  BOOST_TEST(d::continue_after(0, 100, page(100, R"({"limit":1e300})")).problem ==
             "pagination.limit: 1E300 is not an integer that fits in 64 bits");
  BOOST_TEST(d::continue_after(9223372036854775800, 100, page(100, "{}")).problem ==
             "runs: 100 runs at offset 9223372036854775800 go past the largest offset a walk can represent");
}

BOOST_AUTO_TEST_CASE(an_echoed_offset_must_be_the_one_requested) {
  BOOST_TEST(d::continue_after(100, 100, page(100, R"({"offset":100})")).problem.empty());
  BOOST_TEST(d::continue_after(100, 100, page(100, R"({"offset":0})")).problem ==
             "pagination.offset: the server answered offset 0 to a request for offset 100");
}

BOOST_AUTO_TEST_SUITE_END()
