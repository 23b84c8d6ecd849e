// Describing an HTTP error answer (sansio/http_error): FastAPI's validation items, plain
// details, and bodies that are neither, bounded to an excerpt.

#include "sansio/http_error.hpp"

#include <boost/test/unit_test.hpp>

namespace d = humm::analyst::detail;

BOOST_AUTO_TEST_SUITE(http_errors)

BOOST_AUTO_TEST_CASE(fastapi_validation_details_are_parsed) {
  const auto details = d::describe_http_error(
      "GET /reports/schedules/x/runs", 422,
      R"({"detail":[{"loc":["query","limit"],"msg":"Input should be less than or equal to 100","type":"less_than_equal"},)"
      R"({"loc":["body",0,"name"],"msg":"Field required","type":"missing"}]})",
      "req-7");
  BOOST_TEST(details.http_status == 422u);
  BOOST_TEST(!details.retryable);
  BOOST_REQUIRE(details.validation.size() == 2u);
  BOOST_TEST(details.validation[0].loc == (std::vector<std::string>{"query", "limit"}));
  BOOST_TEST(details.validation[0].type == "less_than_equal");
  BOOST_TEST(details.validation[1].loc == (std::vector<std::string>{"body", "0", "name"}));
  BOOST_TEST(details.request_id == "req-7");
  BOOST_TEST(details.message ==
             "GET /reports/schedules/x/runs: HTTP 422: query.limit: Input should be less than or equal to 100; "
             "body.0.name: Field required (request id req-7)");
}

BOOST_AUTO_TEST_CASE(plain_details_and_other_bodies) {
  const auto not_found = d::describe_http_error("GET /x", 404, R"({"detail":"Schedule not found"})", "");
  BOOST_TEST(not_found.message == "GET /x: HTTP 404: Schedule not found");
  const auto html = d::describe_http_error("GET /x", 503, std::string(5000, '<'), "");
  BOOST_TEST(html.retryable);
  BOOST_TEST(html.message == "GET /x: HTTP 503");
  BOOST_TEST(html.body_excerpt.size() == d::max_body_excerpt);
}

BOOST_AUTO_TEST_SUITE_END()
