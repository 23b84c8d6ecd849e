// Calls through a real HTTP proxy (tinyproxy, started by the test) tunnelling to the fake
// server: pooled tunnels, plain http origins, Basic credentials and the 407 without them,
// NO_PROXY, the environment, bad proxy settings and a proxy that cannot be reached. Proxies
// that misbehave: hostile_proxy_test.cpp.

#include "fake_proxy.hpp"
#include "proxy_fixture.hpp"
#include "../tinyproxy.hpp"

#include <cstdlib>
#include <map>

using namespace humm_test;
using namespace std::chrono_literals;

namespace {

// Sets proxy variables for a scope, the others of curl's unset; restores them all after.
using variables = std::map<std::string, std::string>;

class proxy_environment {
 public:
  explicit proxy_environment(const variables& values) {
    for (const char* name : {"https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "http_proxy", "no_proxy", "NO_PROXY"}) {
      const char* old = std::getenv(name);
      saved_.emplace(name, old ? std::optional<std::string>(old) : std::nullopt);
      const auto it = values.find(name);
      if (it != values.end())
        ::setenv(name, it->second.c_str(), 1);
      else
        ::unsetenv(name);
    }
  }
  ~proxy_environment() {
    for (const auto& [name, value] : saved_) value ? ::setenv(name.c_str(), value->c_str(), 1) : ::unsetenv(name.c_str());
  }
  proxy_environment(const proxy_environment&) = delete;
  proxy_environment& operator=(const proxy_environment&) = delete;

 private:
  std::map<std::string, std::optional<std::string>> saved_;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(proxies)

BOOST_AUTO_TEST_CASE(a_call_through_tinyproxy_reaches_the_server_through_a_tunnel) {
  tinyproxy proxy;
  client_fixture f;
  auto c = f.make_client(through(proxy.url()));
  BOOST_TEST(c.proxy().value_or("direct") == proxy.authority());
  const auto page = f.run(c.get_schedule_history(f.schedule_id(), f.query(20)));
  BOOST_TEST(page.runs.size() == 20u);
  BOOST_TEST(f.server.counters().requests == 1u);
  BOOST_TEST(f.server.counters().handshakes == 1u);  // TLS with the server itself, through the tunnel
  BOOST_TEST(f.server.counters().last_request_headers["host"] == origin_of(f));
  BOOST_TEST(proxy.tunnels_requested() == 1u);
  BOOST_TEST(proxy.log().find("CONNECT " + origin_of(f) + " HTTP/1.1") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(two_sequential_calls_through_tinyproxy_share_one_pooled_tunnel) {
  tinyproxy proxy;
  client_fixture f;
  auto c = f.make_client(through(proxy.url()));
  BOOST_TEST(f.run(c.get_schedule_history(f.schedule_id(), f.query(5))).runs.size() == 5u);
  BOOST_TEST(f.run(c.get_schedule_history(f.schedule_id(), f.query(5, 5))).runs.size() == 5u);
  BOOST_TEST(c.stats().connections_opened == 1u);
  BOOST_TEST(c.stats().reused == 1u);
  BOOST_TEST(proxy.tunnels_requested() == 1u);
  BOOST_TEST(f.server.counters().connections_accepted == 1u);
  BOOST_TEST(f.server.counters().requests == 2u);
}

BOOST_AUTO_TEST_CASE(a_plain_http_origin_is_reached_through_the_same_kind_of_tunnel) {
  tinyproxy proxy;
  client_fixture f(ha::testing::fake_server_options{.tls = false});
  auto c = f.make_client([&](ha::client_options& o) {
    through(proxy.url())(o);
    o.allow_insecure_http = true;  // the proxy reads the token: only when allowed
  });
  BOOST_TEST(f.run(c.get_schedule_history(f.schedule_id(), f.query(3))).runs.size() == 3u);
  BOOST_TEST(proxy.tunnels_requested() == 1u);
  BOOST_TEST(f.server.counters().requests == 1u);
}

BOOST_AUTO_TEST_CASE(the_servers_certificate_is_checked_through_the_tunnel) {
  tinyproxy proxy;
  client_fixture f;
  const ha::testing::fake_server other;
  auto c = f.make_client([&](ha::client_options& o) {
    through(proxy.url(), 0)(o);
    o.tls.ca_pem = other.certificate_pem();  // not the CA of f.server's certificate
  });
  const ha::api_error e = f.failure_of(c, f.schedule_id(), f.query());
  BOOST_TEST(e.code() == ha::errc::tls);
  BOOST_TEST(e.details().message.starts_with(call_path(f) + "TLS handshake with " + origin_of(f) + " failed"),
             e.details().message);
  BOOST_TEST(proxy.tunnels_requested() == 1u);
}

BOOST_AUTO_TEST_CASE(basic_credentials_are_accepted_by_a_proxy_that_asks_for_them) {
  tinyproxy proxy({.user = proxy_user, .password = proxy_password});
  client_fixture f;
  auto c = f.make_client(through(proxy.url_with(proxy_user, proxy_password)));
  BOOST_TEST(c.proxy().value_or("direct") == proxy.authority());  // no credentials in it
  BOOST_TEST(f.run(c.get_schedule_history(f.schedule_id(), f.query(2))).runs.size() == 2u);
  BOOST_TEST(f.server.counters().requests == 1u);
}

BOOST_AUTO_TEST_CASE(a_proxy_that_answers_407_is_named_without_its_credentials) {
  tinyproxy proxy({.user = proxy_user, .password = "the-right-one"});
  client_fixture f;
  const std::string refused = call_path(f) + "proxy " + proxy.authority() + " refused the tunnel to " + origin_of(f);
  // tinyproxy asks for credentials with a 407, and turns wrong ones down with a 401.
  const std::map<std::string, std::string> answers{{proxy.url(), ": HTTP 407 Proxy Authentication Required"},
                                                   {proxy.url_with(proxy_user, proxy_password), ": HTTP 401 Unauthorized"}};
  for (const auto& [url, answer] : answers) {
    auto c = f.make_client(through(url));
    const ha::api_error e = f.failure_of(c, f.schedule_id(), f.query());
    BOOST_TEST(e.code() == ha::errc::proxy);
    BOOST_TEST(hiding(e.details().message, proxy_password) == refused + answer);
    BOOST_TEST(e.details().http_status == 0u);  // the server never answered
    BOOST_TEST(!e.details().retryable);
    BOOST_TEST(e.details().attempts == 1);
    check_no_credentials(e);
  }
  BOOST_TEST(proxy.tunnels_requested() == 2u);
  BOOST_TEST(f.server.counters().connections_accepted == 0u);
}

BOOST_AUTO_TEST_CASE(hosts_in_no_proxy_are_reached_directly_and_the_proxy_sees_nothing) {
  tinyproxy proxy;
  client_fixture f;
  for (const std::string no_proxy : {"127.0.0.1", "example.com, 127.0.0.0/8", "*"}) {
    auto c = f.make_client([&](ha::client_options& o) {
      o.proxy = proxy.url();
      o.no_proxy = no_proxy;
    });
    BOOST_TEST(!c.proxy().has_value(), no_proxy);
    BOOST_TEST(f.run(c.get_schedule_history(f.schedule_id(), f.query(1))).runs.size() == 1u);
  }
  BOOST_TEST(f.server.counters().requests == 3u);
  BOOST_TEST(proxy.connections_seen() == 0u);
}

BOOST_AUTO_TEST_CASE(the_proxy_comes_from_the_environment_when_the_options_leave_it_unset) {
  tinyproxy proxy;
  client_fixture f;
  const auto from_environment = [&](ha::client_options& o) {
    o.proxy.reset();
    o.no_proxy.reset();
  };
  {
    const proxy_environment env(variables{{"HTTPS_PROXY", proxy.url()}});
    auto c = f.make_client(from_environment);
    BOOST_TEST(c.proxy().value_or("direct") == proxy.authority());
    BOOST_TEST(f.run(c.get_schedule_history(f.schedule_id(), f.query(1))).runs.size() == 1u);
    BOOST_TEST(proxy.tunnels_requested() == 1u);
  }
  {
    const proxy_environment env(variables{{"HTTPS_PROXY", proxy.url()}, {"NO_PROXY", "localhost,127.0.0.1"}});
    BOOST_TEST(!f.make_client(from_environment).proxy().has_value());
  }
  {
    const proxy_environment env(variables{{"HTTPS_PROXY", "socks5://" + proxy_user + ":" + proxy_password + "@127.0.0.1:1"}});
    BOOST_CHECK_EXCEPTION(f.make_client(from_environment), std::invalid_argument, [](const std::invalid_argument& e) {
      const std::string what = e.what();
      BOOST_TEST(what.find(proxy_password) == std::string::npos);
      return what.starts_with("HTTPS_PROXY: SOCKS proxies are not supported");
    });
  }
  const proxy_environment env(variables{{"HTTPS_PROXY", "socks5://127.0.0.1:1"}});
  BOOST_TEST(!f.make_client().proxy().has_value());  // the fixture's clients ignore the environment
}

BOOST_AUTO_TEST_CASE(a_bad_proxy_option_is_refused_when_the_client_is_made) {
  client_fixture f;
  for (const std::string scheme : {"https", "socks5", "socks4a", "ftp"}) {
    const std::string url = scheme + "://" + proxy_user + ":" + proxy_password + "@127.0.0.1:3128";
    BOOST_CHECK_EXCEPTION(f.make_client(through(url)), std::invalid_argument, [](const std::invalid_argument& e) {
      const std::string what = e.what();
      BOOST_TEST(what.find(proxy_password) == std::string::npos);
      BOOST_TEST(what.find(proxy_user) == std::string::npos);
      return what.starts_with("proxy: ");
    });
  }
}

BOOST_AUTO_TEST_CASE(an_unreachable_proxy_fails_as_a_retryable_connection_error_naming_it) {
  std::string closed;
  {
    const fake_proxy gone(fake_proxy::behaviour::close_at_once);
    closed = gone.authority();
  }  // its port is closed now
  client_fixture f;
  auto c = f.make_client(through("http://" + proxy_user + ":" + proxy_password + "@" + closed));
  const ha::api_error e = f.failure_of(c, f.schedule_id(), f.query());
  BOOST_TEST(e.code() == ha::errc::connection);
  BOOST_TEST(hiding(e.details().message, proxy_password).starts_with(call_path(f) + "cannot connect to proxy " + closed + ": "));
  BOOST_TEST(e.details().retryable);
  BOOST_TEST(e.details().attempts == 3);
  check_no_credentials(e);
}

BOOST_AUTO_TEST_SUITE_END()
