// client::history_target (lib/client.cpp): the target of a history request as the
// request sends it, and the call's refusals as exceptions that name the argument. No
// request is made: a client only needs an executor to exist.

#include <humm/analyst/client.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include <stdexcept>
#include <string>

namespace ha = humm::analyst;

namespace {

ha::client_options options_with_base_url(std::string base_url) {
  ha::client_options options;
  options.base_url = std::move(base_url);
  options.token = "test-token";
  options.proxy = "";  // a bad HTTPS_PROXY in the environment would make the client refuse to exist
  return options;
}

// The message of the std::invalid_argument that history_target throws for these arguments.
std::string refusal(const ha::client& c, std::string_view schedule_id, const ha::history_query& query) {
  try {
    c.history_target(schedule_id, query);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  BOOST_ERROR("no std::invalid_argument for schedule " << schedule_id << ", organization " << query.organization_id);
  return {};
}

const std::string schedule = "3c90c3cc-0d44-4b50-8888-8dd25736052a";

}  // namespace

BOOST_AUTO_TEST_SUITE(client_target)

BOOST_AUTO_TEST_CASE(the_target_is_the_one_the_request_sends) {
  boost::asio::io_context io;
  const ha::client c(io.get_executor(), options_with_base_url("https://analyst.example/v1/"));
  const ha::history_query query{.organization_id = "acme & co/x", .limit = 50, .offset = 100};
  // The base URL's path leads; the id is canonical (lower case); every parameter is encoded.
  BOOST_TEST(c.history_target("3C90C3CC-0D44-4B50-8888-8DD25736052A", query) ==
             "/v1/reports/schedules/" + schedule + "/runs?organization_id=acme%20%26%20co%2Fx&limit=50&offset=100");
  const ha::client plain(io.get_executor(), options_with_base_url("http://127.0.0.1:8080"));
  BOOST_TEST(plain.history_target(schedule, {.organization_id = "org"}) ==
             "/reports/schedules/" + schedule + "/runs?organization_id=org&limit=20&offset=0");
}

BOOST_AUTO_TEST_CASE(invalid_arguments_throw_naming_the_argument) {
  boost::asio::io_context io;
  const ha::client c(io.get_executor(), options_with_base_url("https://analyst.example"));
  BOOST_TEST(refusal(c, "not-a-uuid", {.organization_id = "org"}) ==
             "schedule_id: expected a UUID (8-4-4-4-12 hex digits), got \"not-a-uuid\"");
  BOOST_TEST(refusal(c, schedule, {.organization_id = ""}) == "organization_id: is required and must not be empty");
  BOOST_TEST(refusal(c, schedule, {.organization_id = "org", .limit = 0}) ==
             "limit: must be between 1 and 100, got 0");
  BOOST_TEST(refusal(c, schedule, {.organization_id = "org", .offset = -1}) == "offset: must be 0 or more, got -1");
}

BOOST_AUTO_TEST_SUITE_END()
