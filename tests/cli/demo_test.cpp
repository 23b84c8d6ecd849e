// humm-history demo: the embedded fake server, walked by the real client, without a token.

#include "cli_fixture.hpp"

#include <boost/test/unit_test.hpp>

using namespace humm_test;

BOOST_AUTO_TEST_SUITE(demo_command)

BOOST_AUTO_TEST_CASE(walks_every_page_and_summarizes_without_a_token) {
  const auto r = run_process(exe, {"demo"}, clean_env());
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(r.err == "");
  BOOST_TEST(r.elapsed < std::chrono::seconds(10));
  const auto lines = lines_of(r.out);
  BOOST_TEST_REQUIRE(lines.size() == 2u + 1 + 1 + 1 + 1 + 120 + 1 + 2);
  BOOST_TEST(lines[0].find("A fake Humm Analyst API runs at https://127.0.0.1:") == 0u);
  BOOST_TEST(lines[3].find("Schedule ") == 0u);
  BOOST_TEST(lines[5].find("CREATED (UTC)") == 0u);
  BOOST_TEST(lines[lines.size() - 2].find("Walked 120 runs in 5 pages of up to 25: 5 requests over 1 connection "
                                          "(1 TLS handshake), 0 retries, ") == 0u,
             lines[lines.size() - 2]);
}

BOOST_AUTO_TEST_CASE(data_formats_keep_the_story_on_stderr) {
  const auto r = run_process(exe, {"demo", "--format", "ndjson", "--page-size", "50", "--stats"}, clean_env());
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(ndjson_values(r.out).size() == 120u);
  BOOST_TEST(r.err.find("Walked 120 runs in 3 pages") != std::string::npos, r.err);
  const auto stats = stats_of(r);
  BOOST_TEST(stats.at("pages") == 3);
  BOOST_TEST(stats.at("runs") == 120);
  BOOST_TEST(stats.at("tls_handshakes") == 1);
}

BOOST_AUTO_TEST_SUITE_END()
