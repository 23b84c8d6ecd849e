// Describing an HTTP error answer (sansio/http_error): FastAPI's validation items, plain
// details, and bodies that are neither, bounded to an excerpt; the token a server echoes
// redacted everywhere, and server text made one printable line (sansio/safe_text).

#include "sansio/http_error.hpp"
#include "sansio/safe_text.hpp"

#include <humm/analyst/printable.hpp>

#include <boost/test/unit_test.hpp>

namespace d = humm::analyst::detail;

BOOST_AUTO_TEST_SUITE(http_errors)

BOOST_AUTO_TEST_CASE(fastapi_validation_details_are_parsed) {
  const auto details = d::describe_http_error(
      "GET /reports/schedules/x/runs", 422,
      R"({"detail":[{"loc":["query","limit"],"msg":"Input should be less than or equal to 100","type":"less_than_equal"},)"
      R"({"loc":["body",0,"name"],"msg":"Field required","type":"missing"}]})",
      "req-7", "", "");
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
  const auto not_found = d::describe_http_error("GET /x", 404, R"({"detail":"Schedule not found"})", "", "", "");
  BOOST_TEST(not_found.message == "GET /x: HTTP 404: Schedule not found");
  const auto html = d::describe_http_error("GET /x", 503, std::string(5000, '<'), "", "", "");
  BOOST_TEST(html.retryable);
  BOOST_TEST(html.message == "GET /x: HTTP 503");
  BOOST_TEST(html.body_excerpt.size() == d::max_body_excerpt);
}

namespace {
const std::string token = "hk_live_9f8e7d6c5b4a39281706f5e4d3c2b1a0";

// Every text of `details`, for checks that must hold of each one.
std::vector<std::string> texts_of(const humm::analyst::error_details& details) {
  std::vector<std::string> texts{details.message, details.body_excerpt, details.request_id};
  for (const auto& issue : details.validation) {
    texts.insert(texts.end(), issue.loc.begin(), issue.loc.end());
    texts.push_back(issue.msg);
    texts.push_back(issue.type);
  }
  return texts;
}
}  // namespace

BOOST_AUTO_TEST_CASE(a_token_the_server_echoes_is_redacted_from_every_text) {
  const std::string body = R"({"detail":[{"loc":["header","Bearer )" + token + R"("],"msg":"invalid credentials: )"
                           R"(Authorization: Bearer )" + token + R"(","type":")" + token + R"("}]})";
  const auto details = d::describe_http_error("GET /x", 401, body, "id-" + token, "", token);
  BOOST_REQUIRE(details.validation.size() == 1u);
  for (const std::string& text : texts_of(details)) {
    BOOST_TEST(text.find(token.substr(0, d::min_secret_fragment)) == std::string::npos, "a text holds the token");
  }
  BOOST_TEST(details.validation[0].msg == "invalid credentials: Authorization: Bearer [redacted]");
  BOOST_TEST(details.request_id == "id-[redacted]");
  BOOST_TEST(details.message.find("(request id id-[redacted])") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_excerpt_that_cuts_through_the_token_keeps_none_of_it) {
  // The token starts 20 bytes before the excerpt's end: a plain cut would keep 20 of its bytes.
  const std::string body = std::string(d::max_body_excerpt - 20, 'x') + token + " and more";
  const auto details = d::describe_http_error("GET /x", 500, body, "", "", token);
  BOOST_TEST(details.body_excerpt.find(token.substr(0, d::min_secret_fragment)) == std::string::npos);
  BOOST_TEST(details.body_excerpt.size() <= d::max_body_excerpt);
  // A quoted value shortened in the middle of the token (as decode errors quote) is caught too.
  std::string quoted = R"(got "Bearer )" + token.substr(0, 30) + R"(...")";
  d::redact(quoted, token);
  BOOST_TEST(quoted == R"(got "Bearer [redacted]...")");
}

BOOST_AUTO_TEST_CASE(server_text_with_terminal_controls_becomes_one_printable_line) {
  const auto details = d::describe_http_error("GET /x", 404, R"({"detail":")" + std::string("not found\\u001b]0;pwned")
                                                                  + R"(\u0007\u001b[2J\nhumm-history: all good"})",
                                              std::string("req\x1b[31m"), "", token);
  for (const std::string& text : texts_of(details)) {
    for (const char c : text) BOOST_TEST((static_cast<unsigned char>(c) >= 0x20 && c != 0x7f), "a control byte in: " << humm::analyst::printable(text));
  }
  BOOST_TEST(details.message ==
             "GET /x: HTTP 404: not found\\x1b]0;pwned\\x07\\x1b[2J\\nhumm-history: all good (request id req\\x1b[31m)");
}

BOOST_AUTO_TEST_SUITE_END()
