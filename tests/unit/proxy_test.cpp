// Going through a proxy, decided without sockets (sansio/proxy): proxy URLs as curl reads
// them, the proxy a base URL uses (options, then the environment), NO_PROXY in every form,
// the CONNECT request, the judgement of the proxy's answer, and which refusals are retried.

#include "sansio/proxy.hpp"

#include "sansio/retry.hpp"

#include <humm/analyst/error.hpp>

#include <boost/test/unit_test.hpp>

#include <map>

namespace d = humm::analyst::detail;
namespace ha = humm::analyst;

namespace {

const std::string password = "s3cr3t-proxy-pass";

d::proxy_endpoint parse(std::string_view url) {
  d::proxy_endpoint p;
  d::argument_problem problem;
  BOOST_REQUIRE_MESSAGE(d::parse_proxy_url(url, "proxy", p, problem), problem.message());
  return p;
}

std::string rejection(std::string_view url, std::string_view source = "proxy") {
  d::proxy_endpoint p;
  d::argument_problem problem;
  BOOST_TEST(!d::parse_proxy_url(url, source, p, problem), url);
  return problem.message();
}

d::endpoint origin(std::string_view base_url) {
  d::endpoint e;
  d::argument_problem problem;
  BOOST_REQUIRE(d::parse_base_url(base_url, true, e, problem));
  return e;
}

// A fake environment: the variables of `vars`, nothing else.
d::environment_lookup environment(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
}

// The authority of the proxy chosen, or "direct".
// The proxy chosen for `base_url`; a plain http one as if allow_insecure_http were set,
// unless `clear_text_allowed` says otherwise.
std::string chosen(std::string_view base_url, std::map<std::string, std::string> vars,
                   std::optional<std::string> proxy = std::nullopt, std::optional<std::string> no_proxy = std::nullopt,
                   bool clear_text_allowed = true) {
  std::optional<d::proxy_endpoint> out;
  d::argument_problem problem;
  BOOST_REQUIRE_MESSAGE(d::choose_proxy(origin(base_url), clear_text_allowed, proxy, no_proxy,
                                        environment(std::move(vars)), out, problem),
                        problem.message());
  return out ? out->authority : "direct";
}

d::proxy_route route(std::string_view proxy_url, std::string_view base_url = "https://api.example") {
  return d::route_through(parse(proxy_url), origin(base_url), "humm-analyst-cpp/1.0");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(proxy)

BOOST_AUTO_TEST_CASE(a_proxy_url_is_read_as_curl_reads_it) {
  const auto full = parse("http://proxy.corp:3128");
  BOOST_TEST(full.host == "proxy.corp");
  BOOST_TEST(full.port == "3128");
  BOOST_TEST(full.authority == "proxy.corp:3128");
  BOOST_TEST(!full.user.has_value());
  BOOST_TEST(parse("proxy.corp:3128").authority == "proxy.corp:3128");  // no scheme: http://
  BOOST_TEST(parse("proxy.corp").authority == "proxy.corp:1080");       // curl's default port
  BOOST_TEST(parse("http://proxy.corp").authority == "proxy.corp:1080");
  BOOST_TEST(parse("http://proxy.corp:/").authority == "proxy.corp:1080");
  BOOST_TEST(parse("http://proxy.corp:3128/").authority == "proxy.corp:3128");
  BOOST_TEST(parse("HTTP://Proxy.Corp:8080").host == "Proxy.Corp");
  BOOST_TEST(parse("  http://10.0.0.1:8080 \n").authority == "10.0.0.1:8080");
}

BOOST_AUTO_TEST_CASE(ipv6_proxies_are_written_in_brackets) {
  const auto literal = parse("[::1]:3128");
  BOOST_TEST(literal.host == "::1");
  BOOST_TEST(literal.port == "3128");
  BOOST_TEST(literal.authority == "[::1]:3128");
  BOOST_TEST(parse("http://[fd00::1]").authority == "[fd00::1]:1080");
  BOOST_TEST(parse("http://u:p@[::1]:8080/").authority == "[::1]:8080");
}

BOOST_AUTO_TEST_CASE(credentials_are_percent_decoded) {
  const auto reserved = parse("http://us%40er:p%40ss%3Aw%2Frd%25%20x@proxy.corp:3128");
  BOOST_TEST(reserved.user.value_or("none") == "us@er");
  BOOST_TEST(reserved.password == "p@ss:w/rd% x");
  BOOST_TEST(reserved.authority == "proxy.corp:3128");
  const auto user_only = parse("http://token@proxy.corp:3128");
  BOOST_TEST(user_only.user.value_or("none") == "token");
  BOOST_TEST(user_only.password == "");
  BOOST_TEST(parse("user:" + password + "@proxy.corp:3128").password == password);  // no scheme
}

BOOST_AUTO_TEST_CASE(other_schemes_and_forms_are_refused_naming_the_setting_not_the_credentials) {
  const std::string credentials = "proxy-user:" + password + "@";
  const std::map<std::string, std::string> refused{
      {"https://" + credentials + "proxy.corp:3128", "proxy: https:// proxies (TLS to the proxy) are not supported"},
      {"socks5://" + credentials + "proxy.corp:1080", "proxy: SOCKS proxies are not supported"},
      {"socks5h://proxy.corp", "proxy: SOCKS proxies are not supported"},
      {"socks4://proxy.corp", "proxy: SOCKS proxies are not supported"},
      {"ftp://" + credentials + "proxy.corp", "proxy: the scheme must be http:// (the value is not shown"},
      {"proxy-user:pa://ss@proxy.corp", "proxy: the scheme must be http:// (the value is not shown"},
      {"http://" + credentials + "proxy.corp:3128/path", "proxy: must not have a path, query or fragment"},
      {"http://proxy.corp:3128?x=1", "proxy: must not have a path, query or fragment"},
      {"http://" + credentials + "proxy.corp:99999", "proxy: the port must be a number from 1 to 65535"},
      {"http://proxy.corp:0", "proxy: the port must be a number from 1 to 65535"},
      {"http://" + credentials + ":3128", "proxy: has no host"},
      {"http://" + credentials + "proxy corp:3128", "proxy: not a proxy URL"},
      {"http://proxy%00.corp:3128", "proxy: the host holds a control character"},
  };
  for (const auto& [url, start] : refused) {
    const std::string message = rejection(url);
    BOOST_TEST_INFO("refusal: " << message);
    BOOST_TEST(message.starts_with(start));
    BOOST_TEST(message.find(password) == std::string::npos);
    BOOST_TEST(message.find("proxy-user") == std::string::npos);
  }
  BOOST_TEST(rejection("socks5://p:1", "HTTPS_PROXY").starts_with("HTTPS_PROXY: SOCKS proxies"));
}

BOOST_AUTO_TEST_CASE(no_proxy_star_matches_every_host) {
  BOOST_TEST(d::bypasses_proxy("api.example", "*"));
  BOOST_TEST(d::bypasses_proxy("10.1.2.3", "*"));
  BOOST_TEST(d::bypasses_proxy("::1", "other.example, *"));
  BOOST_TEST(!d::bypasses_proxy("api.example", "*.example"));  // not a wildcard pattern: a name that never matches
}

BOOST_AUTO_TEST_CASE(a_no_proxy_name_matches_itself_and_its_subdomains_in_any_case) {
  for (const std::string entry : {"example.com", ".example.com", "EXAMPLE.com", "example.com."}) {
    BOOST_TEST_INFO("entry " << entry);
    BOOST_TEST(d::bypasses_proxy("example.com", entry));
    BOOST_TEST(d::bypasses_proxy("api.example.com", entry));
    BOOST_TEST(d::bypasses_proxy("a.b.Example.Com", entry));
    BOOST_TEST(d::bypasses_proxy("example.com.", entry));
    BOOST_TEST(!d::bypasses_proxy("notexample.com", entry));
    BOOST_TEST(!d::bypasses_proxy("example.com.evil", entry));
    BOOST_TEST(!d::bypasses_proxy("com", entry));
  }
  BOOST_TEST(d::bypasses_proxy("localhost", "localhost"));
  BOOST_TEST(!d::bypasses_proxy("127.0.0.1", "localhost"));  // names are not resolved
}

BOOST_AUTO_TEST_CASE(a_no_proxy_address_matches_that_address_in_any_spelling) {
  BOOST_TEST(d::bypasses_proxy("127.0.0.1", "127.0.0.1"));
  BOOST_TEST(!d::bypasses_proxy("127.0.0.2", "127.0.0.1"));
  BOOST_TEST(!d::bypasses_proxy("localhost", "127.0.0.1"));
  BOOST_TEST(d::bypasses_proxy("::1", "::1"));
  BOOST_TEST(d::bypasses_proxy("::1", "0:0:0:0:0:0:0:1"));
  BOOST_TEST(d::bypasses_proxy("::1", "[::1]"));
  BOOST_TEST(d::bypasses_proxy("[::1]", "::1"));
  BOOST_TEST(!d::bypasses_proxy("::2", "::1"));
  BOOST_TEST(!d::bypasses_proxy("127.0.0.1", "::1"));
}

BOOST_AUTO_TEST_CASE(a_no_proxy_cidr_block_matches_addresses_within_it) {
  BOOST_TEST(d::bypasses_proxy("10.1.2.3", "10.0.0.0/8"));
  BOOST_TEST(!d::bypasses_proxy("11.0.0.1", "10.0.0.0/8"));
  BOOST_TEST(d::bypasses_proxy("192.168.1.77", "192.168.1.64/26"));
  BOOST_TEST(!d::bypasses_proxy("192.168.1.128", "192.168.1.64/26"));
  BOOST_TEST(d::bypasses_proxy("203.0.113.9", "0.0.0.0/0"));
  BOOST_TEST(d::bypasses_proxy("127.0.0.1", "127.0.0.1/32"));
  BOOST_TEST(d::bypasses_proxy("fd12:3456::1", "fd00::/8"));
  BOOST_TEST(!d::bypasses_proxy("fe80::1", "fd00::/8"));
  BOOST_TEST(d::bypasses_proxy("::1", "::1/128"));
  BOOST_TEST(d::bypasses_proxy("2001:db8:0:1::5", "2001:db8::/47"));
  BOOST_TEST(!d::bypasses_proxy("2001:db8:2::5", "2001:db8::/47"));
  BOOST_TEST(!d::bypasses_proxy("10.1.2.3", "fd00::/8"));         // another family
  BOOST_TEST(!d::bypasses_proxy("10.example", "10.0.0.0/8"));      // a name is no address
  // A block that does not parse matches nothing, not even its own address.
  for (const std::string bad : {"10.1.2.3/33", "10.1.2.3/", "10.1.2.3/x", "10.1.2.3/-1", "10.1.2/8", "::1/129"}) {
    BOOST_TEST_INFO("block " << bad);
    BOOST_TEST(!d::bypasses_proxy("10.1.2.3", bad));
    BOOST_TEST(!d::bypasses_proxy("::1", bad));
  }
}

BOOST_AUTO_TEST_CASE(no_proxy_entries_are_separated_by_commas_or_spaces) {
  const std::string list = " a.example b.example,c.example ,, \td.example,10.0.0.0/8 ";
  for (const std::string host : {"a.example", "b.example", "c.example", "d.example", "10.9.9.9"}) {
    BOOST_TEST_INFO("host " << host);
    BOOST_TEST(d::bypasses_proxy(host, list));
  }
  BOOST_TEST(!d::bypasses_proxy("e.example", list));
}

BOOST_AUTO_TEST_CASE(loopback_is_not_bypassed_unless_listed) {
  for (const std::string host : {"localhost", "127.0.0.1", "::1"}) {
    BOOST_TEST_INFO("host " << host);
    BOOST_TEST(!d::bypasses_proxy(host, ""));
    BOOST_TEST(!d::bypasses_proxy(host, "example.com"));
  }
}

BOOST_AUTO_TEST_CASE(an_https_base_url_takes_https_proxy_then_all_proxy_lower_case_first) {
  const std::string https = "https://api.example";
  std::map<std::string, std::string> env{{"https_proxy", "lower:1"},
                                         {"HTTPS_PROXY", "upper:2"},
                                         {"all_proxy", "all-lower:3"},
                                         {"ALL_PROXY", "all-upper:4"},
                                         {"http_proxy", "http-only:5"}};
  BOOST_TEST(chosen(https, env) == "lower:1");
  env.erase("https_proxy");
  BOOST_TEST(chosen(https, env) == "upper:2");
  env.erase("HTTPS_PROXY");
  BOOST_TEST(chosen(https, env) == "all-lower:3");
  env.erase("all_proxy");
  BOOST_TEST(chosen(https, env) == "all-upper:4");
  env.erase("ALL_PROXY");
  BOOST_TEST(chosen(https, env) == "direct");  // http_proxy is for plain http only
  BOOST_TEST(chosen(https, {{"https_proxy", " \t"}, {"HTTPS_PROXY", "upper:2"}}) == "upper:2");  // blank: unset
}

BOOST_AUTO_TEST_CASE(a_plain_http_origin_goes_through_no_proxy_unless_clear_text_is_allowed) {
  // The proxy would read the token: the environment's proxy is passed by, a named one refused.
  const std::string http = "http://127.0.0.1:8080";
  BOOST_TEST(chosen(http, {{"http_proxy", "lower:1"}, {"ALL_PROXY", "all:2"}}, std::nullopt, std::nullopt, false) ==
             "direct");
  BOOST_TEST(chosen(http, {}, std::string(""), std::nullopt, false) == "direct");
  std::optional<d::proxy_endpoint> out;
  d::argument_problem problem;
  BOOST_TEST(!d::choose_proxy(origin(http), false, std::string("http://corp:3128"), std::nullopt, environment({}), out,
                              problem));
  BOOST_TEST(problem.message().find("the proxy would read the token") != std::string::npos, problem.message());
  BOOST_TEST(chosen("https://api.example", {{"ALL_PROXY", "all:2"}}, std::nullopt, std::nullopt, false) == "all:2");
}

BOOST_AUTO_TEST_CASE(a_plain_http_base_url_takes_http_proxy_in_lower_case_only) {
  const std::string http = "http://127.0.0.1:8080";
  BOOST_TEST(chosen(http, {{"http_proxy", "lower:1"}, {"ALL_PROXY", "all:2"}}) == "lower:1");
  BOOST_TEST(chosen(http, {{"HTTP_PROXY", "upper:1"}}) == "direct");  // httpoxy: never HTTP_PROXY
  BOOST_TEST(chosen(http, {{"HTTP_PROXY", "upper:1"}, {"ALL_PROXY", "all:2"}}) == "all:2");
  BOOST_TEST(chosen(http, {{"HTTPS_PROXY", "secure:1"}}) == "direct");
}

BOOST_AUTO_TEST_CASE(the_options_win_over_the_environment) {
  const std::string https = "https://api.example";
  const std::map<std::string, std::string> env{{"HTTPS_PROXY", "env:1"}, {"NO_PROXY", "api.example"}};
  BOOST_TEST(chosen(https, {{"HTTPS_PROXY", "env:1"}}, "option:2") == "option:2");
  BOOST_TEST(chosen(https, {{"HTTPS_PROXY", "env:1"}}, "") == "direct");  // "": no proxy at all
  BOOST_TEST(chosen(https, {{"HTTPS_PROXY", "env:1"}}, " ") == "direct");
  BOOST_TEST(chosen(https, env) == "direct");                     // NO_PROXY from the environment
  BOOST_TEST(chosen(https, env, "option:2") == "direct");         // applies to the option's proxy too, as in curl
  BOOST_TEST(chosen(https, env, std::nullopt, "") == "env:1");    // no_proxy "" lists nothing
  BOOST_TEST(chosen(https, env, std::nullopt, "other.example") == "env:1");
  BOOST_TEST(chosen(https, {{"HTTPS_PROXY", "env:1"}}, std::nullopt, ".example") == "direct");
  BOOST_TEST(chosen(https, {{"HTTPS_PROXY", "env:1"}, {"no_proxy", "other.example"}, {"NO_PROXY", "api.example"}}) ==
             "env:1");  // no_proxy before NO_PROXY
}

BOOST_AUTO_TEST_CASE(a_bad_proxy_in_the_environment_is_refused_naming_the_variable) {
  std::optional<d::proxy_endpoint> out;
  d::argument_problem problem;
  const auto env = environment({{"ALL_PROXY", "socks5://proxy-user:" + password + "@proxy.corp:1080"}});
  BOOST_TEST(!d::choose_proxy(origin("https://api.example"), false, std::nullopt, std::nullopt, env, out, problem));
  BOOST_TEST(problem.message().starts_with("ALL_PROXY: SOCKS proxies are not supported"));
  BOOST_TEST(problem.message().find(password) == std::string::npos);
  BOOST_TEST(!out.has_value());
}

BOOST_AUTO_TEST_CASE(the_connect_request_names_the_origin_and_carries_basic_credentials) {
  BOOST_TEST(route("http://proxy.corp:3128").connect_request ==
             "CONNECT api.example:443 HTTP/1.1\r\nHost: api.example:443\r\nUser-Agent: humm-analyst-cpp/1.0\r\n\r\n");
  // RFC 7617's example: Aladdin, open sesame.
  const auto with_credentials = route("http://Aladdin:open%20sesame@proxy.corp:3128", "https://api.example:8443/v1");
  BOOST_TEST(with_credentials.origin == "api.example:8443");
  BOOST_TEST(with_credentials.connect_request ==
             "CONNECT api.example:8443 HTTP/1.1\r\nHost: api.example:8443\r\n"
             "Proxy-Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\nUser-Agent: humm-analyst-cpp/1.0\r\n\r\n");
  // Reserved characters decoded before encoding: "us@er:p@ss:w/rd%".
  BOOST_TEST(route("http://us%40er:p%40ss%3Aw%2Frd%25@p:1").connect_request.find(
                 "Proxy-Authorization: Basic dXNAZXI6cEBzczp3L3JkJQ==\r\n") != std::string::npos);
  // Base64 with one '=', none and two.
  BOOST_TEST(route("http://a:@p:1").connect_request.find("Basic YTo=\r\n") != std::string::npos);
  BOOST_TEST(route("http://a:b@p:1").connect_request.find("Basic YTpi\r\n") != std::string::npos);
  BOOST_TEST(route("http://ab:c@p:1").connect_request.find("Basic YWI6Yw==\r\n") != std::string::npos);
  BOOST_TEST(route("http://p:1", "https://[::1]:8443").origin == "[::1]:8443");
  BOOST_TEST(route("http://p:1", "http://127.0.0.1").connect_request.starts_with("CONNECT 127.0.0.1:80 HTTP/1.1\r\n"));
}

BOOST_AUTO_TEST_CASE(any_2xx_opens_the_tunnel) {
  const auto r = route("http://proxy.corp:3128");
  for (unsigned status : {200u, 201u, 204u, 299u}) BOOST_TEST(!d::judge_connect_answer(r, status, "OK").has_value());
  for (unsigned status : {100u, 101u, 199u, 300u, 302u, 400u, 403u, 407u, 500u, 502u, 503u, 504u, 999u}) {
    BOOST_TEST_INFO("status " << status);
    const auto refused = d::judge_connect_answer(r, status, "No");
    BOOST_TEST_REQUIRE(refused.has_value());
    BOOST_TEST(refused->code == ha::errc::proxy);
    BOOST_TEST(refused->proxy_status == status);
  }
}

BOOST_AUTO_TEST_CASE(a_refusal_names_the_proxy_and_its_status_without_the_credentials) {
  const auto r = route("http://proxy-user:" + password + "@127.0.0.1:3128", "https://api.example");
  const auto refused = d::judge_connect_answer(r, 407, "Proxy Authentication Required");
  BOOST_TEST_REQUIRE(refused.has_value());
  BOOST_TEST(refused->message ==
             "proxy 127.0.0.1:3128 refused the tunnel to api.example:443: HTTP 407 Proxy Authentication Required");
  BOOST_TEST(d::judge_connect_answer(r, 403, "")->message == "proxy 127.0.0.1:3128 refused the tunnel to api.example:443: HTTP 403");
}

BOOST_AUTO_TEST_CASE(the_proxys_reason_phrase_is_made_printable_bounded_and_redacted) {
  const auto r = route("http://proxy-user:" + password + "@127.0.0.1:3128");
  const auto shown = [&](std::string_view reason) { return d::judge_connect_answer(r, 403, reason)->message; };
  BOOST_TEST(shown("Denied\x1b[2J\r\nX-Forged: 1").ends_with("HTTP 403 Denied\\x1b[2J\\r\\nX-Forged: 1"));
  const std::string endless(100'000, 'A');
  BOOST_TEST(shown(endless).size() < 200u);
  // A proxy that echoes the credentials, in clear or as sent.
  for (const std::string& echoed : {password, "proxy-user:" + password, std::string("cHJveHktdXNlcjpzM2NyM3QtcHJveHktcGFzcw==")}) {
    const std::string message = shown("Bad credentials " + echoed + " here");
    BOOST_TEST_INFO("message: " << message.substr(0, 40));
    BOOST_TEST(message.find(password) == std::string::npos);
    BOOST_TEST(message.find("cHJveHktdXNlcjpzM2NyM3Qt") == std::string::npos);
    BOOST_TEST(message.find("[redacted]") != std::string::npos);
  }
  const auto token_as_user = route("http://tok-0123456789@127.0.0.1:3128");  // the user name is the secret
  BOOST_TEST(d::judge_connect_answer(token_as_user, 407, "no tok-0123456789")->message.find("tok-0123456789") ==
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(tunnel_faults_name_the_proxy_and_keep_their_codes) {
  const auto r = route("http://proxy-user:" + password + "@127.0.0.1:3128");
  const std::map<d::tunnel_fault, ha::errc> codes{
      {d::tunnel_fault::closed, ha::errc::connection},     {d::tunnel_fault::unreadable, ha::errc::proxy},
      {d::tunnel_fault::too_long, ha::errc::proxy},        {d::tunnel_fault::bytes_after_2xx, ha::errc::proxy},
      {d::tunnel_fault::send_failed, ha::errc::connection}, {d::tunnel_fault::timed_out, ha::errc::timeout}};
  for (const auto& [fault, code] : codes) {
    const auto failure = d::describe_tunnel_fault(r, fault, "End of file");
    BOOST_TEST_INFO("message: " << failure.message);
    BOOST_TEST(failure.code == code);
    BOOST_TEST(failure.message.find("proxy 127.0.0.1:3128") != std::string::npos);
    BOOST_TEST(failure.message.find("api.example:443") != std::string::npos);
    BOOST_TEST(failure.message.find(password) == std::string::npos);
    BOOST_TEST(failure.proxy_status == 0u);
  }
}

BOOST_AUTO_TEST_CASE(a_proxy_refusal_is_retried_only_for_502_503_and_504) {
  const ha::retry_policy policy;
  for (unsigned status = 0; status < 1000; ++status) {
    const bool expected = status == 502 || status == 503 || status == 504;
    BOOST_TEST_INFO("proxy status " << status);
    BOOST_TEST(d::is_retryable_error(make_error_code(ha::errc::proxy), status) == expected);
    d::attempt_outcome refused{make_error_code(ha::errc::proxy), 0, {}, {}, status};
    BOOST_TEST(d::decide_retry(policy, 0, refused, 0.5).retry == expected);
  }
  BOOST_TEST(d::is_retryable_error(make_error_code(ha::errc::connection), 407));  // the status only counts for errc::proxy
}

BOOST_AUTO_TEST_SUITE_END()
