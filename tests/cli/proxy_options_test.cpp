// --proxy and --no-proxy, and the proxy variables of the environment, for every network
// command, through a tinyproxy the test starts: the -v line names the proxy (never its
// credentials), a bad proxy is exit 2 before any request, a refusal is exit 3.

#include "cli_fixture.hpp"

#include "../tinyproxy.hpp"

#include <boost/test/unit_test.hpp>

using namespace humm_test;

namespace {

const std::string proxy_password = "s3cr3t-proxy-pass";

struct proxy_fixture {
  cli_server api;
  humm::analyst::testing::schedule_data data = api.server.add_schedule(30, 21);
  std::vector<std::string> fetch(std::vector<std::string> more = {}) const {
    std::vector<std::string> command{"fetch", "--schedule", id_of(data), "--org", api.org};
    command.insert(command.end(), more.begin(), more.end());
    return command;
  }
  process_options env_with(std::vector<std::pair<std::string, std::string>> vars) const {
    process_options options = api.env();
    for (auto& [name, value] : vars) options.env.emplace_back(std::move(name), std::move(value));
    return options;
  }
};

// The -v line about the client: the first line of stderr.
std::string first_line(const process_result& r) { return lines_of(r.err).empty() ? "" : lines_of(r.err).front(); }

}  // namespace

BOOST_AUTO_TEST_SUITE(proxy_options)

BOOST_FIXTURE_TEST_CASE(every_network_command_goes_through_the_proxy_given_and_says_so_with_v, proxy_fixture) {
  tinyproxy proxy;
  const temp_file ids(id_of(data) + "\n");
  const std::vector<std::vector<std::string>> commands{
      fetch(), {"walk", "--schedule", id_of(data), "--org", api.org}, {"batch", "--org", api.org, "--schedules-file", ids.path}};
  std::size_t tunnels = 0;
  for (auto command : commands) {
    command.insert(command.end(), {"--proxy", proxy.url(), "-v"});
    const auto r = api.run(command);
    BOOST_TEST(r.exit_code == 0, command[0] << ": " << r.err);
    BOOST_TEST(first_line(r).ends_with(", via proxy " + proxy.authority()), first_line(r));
    BOOST_TEST(proxy.tunnels_requested() > tunnels, command[0]);
    tunnels = proxy.tunnels_requested();
  }
}

BOOST_FIXTURE_TEST_CASE(https_proxy_from_the_environment_is_followed, proxy_fixture) {
  tinyproxy proxy;
  const auto r = api.run(fetch({"-v"}), env_with({{"HTTPS_PROXY", proxy.url()}}));
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(ndjson_values(r.out).size() == 20u);
  BOOST_TEST(first_line(r).ends_with(", via proxy " + proxy.authority()), first_line(r));
  BOOST_TEST(proxy.tunnels_requested() == 1u);
}

BOOST_FIXTURE_TEST_CASE(no_proxy_goes_direct_whatever_the_environment_says, proxy_fixture) {
  tinyproxy proxy;
  const auto flag = api.run(fetch({"--no-proxy", "-v"}), env_with({{"HTTPS_PROXY", proxy.url()}}));
  BOOST_TEST(flag.exit_code == 0, flag.err);
  BOOST_TEST(flag.err.find("via proxy") == std::string::npos, flag.err);
  const auto listed = api.run(fetch({"-v"}), env_with({{"HTTPS_PROXY", proxy.url()}, {"NO_PROXY", "127.0.0.1"}}));
  BOOST_TEST(listed.exit_code == 0, listed.err);
  BOOST_TEST(listed.err.find("via proxy") == std::string::npos, listed.err);
  BOOST_TEST(proxy.connections_seen() == 0u);
  BOOST_TEST(api.server.counters().requests == 2u);

  const auto both = api.run(fetch({"--no-proxy", "--proxy", proxy.url()}));
  BOOST_TEST(both.exit_code == 2);
  BOOST_TEST(both.err.find("excludes") != std::string::npos, both.err);
}

BOOST_FIXTURE_TEST_CASE(a_proxy_that_cannot_be_used_exits_2_before_any_request, proxy_fixture) {
  const std::string credentials = "proxy-user:" + proxy_password + "@";
  const std::vector<std::pair<std::string, std::string>> refused{
      {"https://" + credentials + "127.0.0.1:3128", "humm-history: --proxy: https:// proxies (TLS to the proxy) are not supported"},
      {"socks5://" + credentials + "127.0.0.1:1080", "humm-history: --proxy: SOCKS proxies are not supported"},
      {"http://" + credentials + "127.0.0.1:99999", "humm-history: --proxy: the port must be a number from 1 to 65535"}};
  for (const auto& [url, message] : refused) {
    const auto r = api.run(fetch({"--proxy", url}));
    BOOST_TEST(r.exit_code == 2);
    BOOST_TEST(r.err.starts_with(message), message);
    BOOST_TEST(r.err.find(proxy_password) == std::string::npos, "the password was printed");
  }
  const auto from_env = api.run(fetch(), env_with({{"HTTPS_PROXY", "socks5://" + credentials + "127.0.0.1:1080"}}));
  BOOST_TEST(from_env.exit_code == 2);
  BOOST_TEST(from_env.err.starts_with("humm-history: HTTPS_PROXY: SOCKS proxies are not supported"));
  BOOST_TEST(from_env.err.find(proxy_password) == std::string::npos, "the password was printed");
  BOOST_TEST(api.server.counters().connections_accepted == 0u);
}

BOOST_FIXTURE_TEST_CASE(a_refused_tunnel_exits_3_naming_the_proxy_but_not_its_password, proxy_fixture) {
  tinyproxy proxy({.user = "proxy-user", .password = "the-right-one"});
  const auto r = api.run(fetch({"--proxy", proxy.url_with("proxy-user", proxy_password), "-v", "--retries", "0"}));
  BOOST_TEST(r.exit_code == 3);  // the proxy's 401: wrong credentials stay wrong
  const std::string refusal = "proxy " + proxy.authority() + " refused the tunnel to 127.0.0.1:" +
                              std::to_string(api.server.port()) + ": HTTP 401 Unauthorized";
  BOOST_TEST(r.err.find(refusal) != std::string::npos, "no line names the refusal");
  BOOST_TEST(r.err.find(proxy_password) == std::string::npos, "the password was printed");
  BOOST_TEST(r.out.find(proxy_password) == std::string::npos, "the password was printed");
  BOOST_TEST(api.server.counters().connections_accepted == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
