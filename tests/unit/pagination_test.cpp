// The public pagination object (models.hpp): it keeps whatever keys the API sends, and its
// accessors read the usual ones only when present and typed as expected.

#include <humm/analyst/models.hpp>

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <string_view>

namespace ha = humm::analyst;
namespace json = boost::json;

BOOST_AUTO_TEST_SUITE(pagination)

ha::pagination from(std::string_view text) { return ha::pagination(json::parse(text).as_object()); }

BOOST_AUTO_TEST_CASE(typed_keys_are_read_when_present) {
  const ha::pagination p = from(R"({"total":1234,"limit":100,"offset":200,"has_more":true,"next_offset":300})");
  BOOST_TEST((p.total() == 1234));
  BOOST_TEST((p.limit() == 100));
  BOOST_TEST((p.offset() == 200));
  BOOST_TEST((p.has_more() == true));
  BOOST_TEST((p.next_offset() == 300));
}

BOOST_AUTO_TEST_CASE(absent_or_mistyped_keys_read_as_absent) {
  const ha::pagination empty;
  BOOST_TEST(!empty.total().has_value());
  BOOST_TEST(!empty.has_more().has_value());
  const ha::pagination odd = from(R"({"total":"12","limit":-1,"offset":2.5,"has_more":"no","next_offset":null})");
  BOOST_TEST(!odd.total().has_value());
  BOOST_TEST(!odd.limit().has_value());
  BOOST_TEST(!odd.offset().has_value());
  BOOST_TEST(!odd.has_more().has_value());
  BOOST_TEST(!odd.next_offset().has_value());
  BOOST_TEST((from(R"({"total":40.0})").total() == 40));  // an integral double is still a count
}

BOOST_AUTO_TEST_SUITE_END()
