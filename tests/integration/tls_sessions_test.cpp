// TLS as the client sets it up, seen from the fake server: new connections resume the TLS
// session (net/tls_session_cache) unless told not to, and TLS 1.3 prefers AES-128-GCM.

#include "client_fixture.hpp"

#include <map>
#include <string>

using namespace humm_test;

BOOST_AUTO_TEST_SUITE(tls_sessions)

BOOST_AUTO_TEST_CASE(new_connections_resume_the_tls_session) {
  client_fixture f({.close_after_requests = 1});  // every request needs a new connection
  auto c = f.make_client();
  auto full = f.make_client([](ha::client_options& o) { o.tls.resume_sessions = false; });
  f.run([&]() -> asio::awaitable<void> {
    for (int i = 0; i < 5; ++i) {
      co_await c.get_schedule_history(f.schedule_id(), f.query(1));
      co_await full.get_schedule_history(f.schedule_id(), f.query(1));
    }
  }());
  BOOST_TEST(c.stats().tls_handshakes == 5u);
  BOOST_TEST(c.stats().tls_resumptions == 4u);  // all but the first
  BOOST_TEST(full.stats().tls_handshakes == 5u);
  BOOST_TEST(full.stats().tls_resumptions == 0u);
}

BOOST_AUTO_TEST_CASE(tls_1_3_prefers_aes_128_gcm) {
  client_fixture f;
  auto c = f.make_client();
  f.run([&]() -> asio::awaitable<void> { co_await c.get_schedule_history(f.schedule_id(), f.query(1)); }());
  const std::map<std::string, std::size_t> expected{{"TLS_AES_128_GCM_SHA256", 1}};
  BOOST_TEST((f.server.counters().cipher_suites == expected));
}

BOOST_AUTO_TEST_SUITE_END()
