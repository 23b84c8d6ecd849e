// Building requests (sansio/endpoint): base URLs taken apart, arguments and header values
// checked by name, targets with every parameter encoded, and the bytes of a GET.

#include "sansio/endpoint.hpp"

#include <humm/analyst/version.hpp>

#include <boost/test/unit_test.hpp>

namespace d = humm::analyst::detail;
namespace ha = humm::analyst;

namespace {
d::endpoint parse(std::string_view url, bool allow_insecure_http = false) {
  d::endpoint e;
  d::argument_problem problem;
  BOOST_REQUIRE_MESSAGE(d::parse_base_url(url, allow_insecure_http, e, problem), problem.message());
  return e;
}
std::string rejection(std::string_view url, bool allow_insecure_http = false) {
  d::endpoint e;
  d::argument_problem problem;
  BOOST_TEST(!d::parse_base_url(url, allow_insecure_http, e, problem));
  return problem.message();
}
const ha::uuid id = *ha::parse_uuid("3C90C3CC-0D44-4B50-8888-8DD25736052A");
}  // namespace

BOOST_AUTO_TEST_SUITE(requests)

BOOST_AUTO_TEST_CASE(base_urls) {
  const auto prod = parse("https://analyst.heyhumm.ai");
  BOOST_TEST(prod.tls);
  BOOST_TEST(prod.host == "analyst.heyhumm.ai");
  BOOST_TEST(prod.port == "443");
  BOOST_TEST(prod.path_prefix == "");
  const auto local = parse("http://127.0.0.1:8080/api/");
  BOOST_TEST(!local.tls);
  BOOST_TEST(local.port == "8080");
  BOOST_TEST(local.path_prefix == "/api");
  BOOST_TEST(local.host_header == "127.0.0.1:8080");
  BOOST_TEST(parse("https://[::1]:9443").host == "::1");
  BOOST_TEST(rejection("ftp://example.com") == "base_url: scheme must be https or http, not \"ftp\"");
  BOOST_TEST(rejection("analyst.heyhumm.ai").find("base_url: not an absolute URL") == 0u);
  BOOST_TEST(rejection("https://user:pw@example.com").find("base_url: must not hold credentials") == 0u);
}

BOOST_AUTO_TEST_CASE(a_host_with_a_nul_or_control_character_once_decoded_is_rejected) {
  // The resolver and SNI would stop at the NUL (localhost) while the certificate check was
  // asked about the whole name, and refused it silently.
  const std::string why = rejection("https://localhost%00.elsewhere.example:8443");
  BOOST_TEST(why == "base_url: the host holds a control character or space once percent-decoded: "
                    "\"localhost\\x00.elsewhere.example\"");
  rejection("https://example.com%0d%0aX-Injected:1");
  rejection("https://exa%20mple.com");
  rejection("https://exa%7fmple.com");
  BOOST_TEST(parse("https://ex%61mple.com").host == "example.com");
}

BOOST_AUTO_TEST_CASE(plain_http_is_refused_beyond_loopback_unless_allowed) {
  for (const char* local : {"http://127.0.0.1:8080", "http://127.9.9.9", "http://localhost:1", "http://[::1]:80",
                            "http://[::ffff:127.0.0.1]"})
    BOOST_TEST(!parse(local).tls, local);
  const std::string why = rejection("http://analyst.example.com");
  BOOST_TEST(why.find("base_url: plain http:// would send the token unencrypted to analyst.example.com") == 0u, why);
  BOOST_TEST(why.find("allow_insecure_http") != std::string::npos);
  rejection("http://10.0.0.1:8080");
  rejection("http://[::2]");
  rejection("http://localhost.example.com");
  BOOST_TEST(parse("http://analyst.example.com", true).host == "analyst.example.com");
  BOOST_TEST(parse("https://analyst.example.com").tls);
}

BOOST_AUTO_TEST_CASE(history_targets_encode_every_parameter) {
  const auto e = parse("https://analyst.heyhumm.ai/v1");
  BOOST_TEST(d::history_target(e, id, "org-1", 20, 0) ==
             "/v1/reports/schedules/3c90c3cc-0d44-4b50-8888-8dd25736052a/runs?organization_id=org-1&limit=20&offset=0");
  const std::string tricky = d::history_target(e, id, "a b&c=d+e/é#", 100, 40);
  BOOST_TEST(tricky.find("organization_id=a%20b%26c%3Dd%2Be%2F%C3%A9%23&limit=100&offset=40") != std::string::npos);
  BOOST_TEST(d::run_target(e, id, "o") == "/v1/reports/runs/3c90c3cc-0d44-4b50-8888-8dd25736052a?organization_id=o");
}

BOOST_AUTO_TEST_CASE(get_requests_carry_the_headers_of_every_call) {
  const std::string target = "/v1/reports/runs/x?organization_id=o";
  const std::string plain = d::get_request(parse("http://127.0.0.1:8080/v1"), target, "tok", "agent/1", false);
  BOOST_TEST(plain == "GET /v1/reports/runs/x?organization_id=o HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"
                     "Authorization: Bearer tok\r\nAccept: application/json\r\nUser-Agent: agent/1\r\n\r\n");
  const std::string zipped = d::get_request(parse("https://analyst.heyhumm.ai"), target, "tok", "agent/1", true);
  BOOST_TEST(zipped.find("\r\nHost: analyst.heyhumm.ai\r\n") != std::string::npos);
  BOOST_TEST(zipped.ends_with("\r\nAccept-Encoding: gzip\r\n\r\n"));
}

BOOST_AUTO_TEST_CASE(header_values_with_control_characters_are_rejected) {
  d::argument_problem p;
  BOOST_TEST(d::check_header_value("user_agent", "humm-analyst-cpp/1.0 (batch)", p));
  BOOST_TEST(!d::check_header_value("user_agent", "x\r\nX-Injected: 1", p));
  BOOST_TEST(p.message() == "user_agent: contains a control character (CR, LF, ...)");
}

BOOST_AUTO_TEST_CASE(extra_header_fields_are_tokens_with_clean_values_and_never_the_clients_own) {
  d::argument_problem p;
  BOOST_TEST(d::check_extra_header("X-Tenant", "acme\tblue", p));
  BOOST_TEST(d::check_extra_header("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", p));
  for (const char* own : {"Authorization", "AUTHORIZATION", "host", "User-Agent", "Accept-Encoding", "Content-Length",
                          "Transfer-Encoding", "Connection", "Proxy-Authorization"}) {
    BOOST_TEST(!d::check_extra_header(own, "x", p), own);
    BOOST_TEST(p.message().find(" cannot be set here: ") != std::string::npos, p.message());
  }
  BOOST_TEST(!d::check_extra_header("X-Evil", "a\r\nAuthorization: Bearer other", p));
  BOOST_TEST(p.message() == "headers: X-Evil: the value contains a control character (CR, LF, NUL, ...)");
  BOOST_TEST(!d::check_extra_header("X-Nul", std::string_view("a\0b", 3), p));
  for (const char* name : {"", "X Tenant", "X-Tenant:", "X\r\nInjected", "Ünicode"}) BOOST_TEST(!d::check_extra_header(name, "v", p));
  // A whole line given as a name is not quoted back: it may hold a secret.
  BOOST_TEST(!d::check_extra_header("Authorization: Bearer hk_secret_123", "", p));
  BOOST_TEST(p.message().find("hk_secret") == std::string::npos, p.message());
  BOOST_TEST(p.message().find("at position 14") != std::string::npos, p.message());
  BOOST_TEST(!d::check_extra_header("Range", "bytes=0-10", p));
}

BOOST_AUTO_TEST_CASE(a_calls_header_fields_follow_the_defaults_and_replace_them_by_name) {
  const d::header_list defaults{{"X-Tenant", "acme"}, {"X-Team", "data"}};
  BOOST_TEST(d::header_lines(defaults, {}) == "X-Tenant: acme\r\nX-Team: data\r\n");
  BOOST_TEST(d::header_lines(defaults, {{"x-tenant", "beta"}, {"X-Trace", "1"}}) ==
             "X-Team: data\r\nx-tenant: beta\r\nX-Trace: 1\r\n");
  const std::string request = d::get_request(parse("https://a.example"), "/x", "tok", "ua", false, "X-Tenant: acme\r\n");
  BOOST_TEST(request.ends_with("\r\nUser-Agent: ua\r\nX-Tenant: acme\r\n\r\n"));
  BOOST_TEST(d::user_agent_for("") == std::string("humm-analyst-cpp/") + ha::version);
  BOOST_TEST(d::user_agent_for("svc/2") == std::string("humm-analyst-cpp/") + ha::version + " svc/2");
  BOOST_TEST(d::user_agent_for(" svc/2 ") == std::string("humm-analyst-cpp/") + ha::version + " svc/2");
  BOOST_TEST(d::user_agent_for("humm-analyst-cpp/0.9 svc/2") == "humm-analyst-cpp/0.9 svc/2");  // built the old way
}

BOOST_AUTO_TEST_CASE(arguments_are_checked_by_name) {
  d::argument_problem p;
  BOOST_TEST(d::check_history_arguments("org", 1, 0, p));
  BOOST_TEST(d::check_history_arguments("org", 100, 1'000'000, p));
  BOOST_TEST(!d::check_history_arguments("", 20, 0, p));
  BOOST_TEST(p.parameter == "organization_id");
  BOOST_TEST(!d::check_history_arguments("org", 0, 0, p));
  BOOST_TEST(p.message() == "limit: must be between 1 and 100, got 0");
  BOOST_TEST(!d::check_history_arguments("org", 101, 0, p));
  BOOST_TEST(p.parameter == "limit");
  BOOST_TEST(!d::check_history_arguments("org", 20, -1, p));
  BOOST_TEST(p.message() == "offset: must be 0 or more, got -1");
  ha::uuid out;
  BOOST_TEST(!d::check_uuid_argument("schedule_id", "nope", out, p));
  BOOST_TEST(p.message() == "schedule_id: expected a UUID (8-4-4-4-12 hex digits), got \"nope\"");
}

BOOST_AUTO_TEST_CASE(tokens_with_control_characters_are_rejected_without_being_shown) {
  d::argument_problem p;
  BOOST_TEST(d::check_token("hk_live_abc", p));
  BOOST_TEST(!d::check_token("hk_live_secret\r\nX-Evil: 1", p));
  BOOST_TEST(p.parameter == "token");
  BOOST_TEST(p.message().find("secret") == std::string::npos);
  BOOST_TEST(!d::check_token("", p));
  BOOST_TEST(p.message().find("HUMM_API_TOKEN") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
