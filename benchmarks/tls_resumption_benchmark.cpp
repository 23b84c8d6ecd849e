// New connections with and without TLS session resumption, side by side in one run: the
// server closes every connection after one request, so each fetch pays a handshake.
// Usage: tls_resumption_benchmark [fetches per round, default 200] [rounds, default 5]

#include <humm/analyst/client.hpp>
#include <humm/analyst/testing/fake_server.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace asio = boost::asio;
namespace ha = humm::analyst;

int main(int argc, char** argv) {
  const int fetches = argc > 1 ? std::atoi(argv[1]) : 200;
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 5;
  ha::testing::fake_server server({.close_after_requests = 1});
  const auto data = server.add_schedule(20, 1);
  const std::string schedule = ha::format_uuid(data.schedule.id);
  const std::string organization = ha::format_uuid(server.options().organization);

  // Seconds per fetch, best of the rounds, for a client with or without resumption.
  auto measure = [&](bool resume, ha::client_stats& stats) {
    asio::io_context io;
    ha::client_options options;
    options.base_url = server.base_url();
    options.token = server.options().token;
    options.proxy = "";  // a local server, reached directly whatever HTTPS_PROXY says
    options.tls.ca_pem = server.certificate_pem();
    options.tls.resume_sessions = resume;
    ha::client client(io.get_executor(), options);
    const auto start = std::chrono::steady_clock::now();
    asio::co_spawn(io, [&]() -> asio::awaitable<void> {
      const ha::history_query query{.organization_id = organization, .limit = 20};  // named: see fetch_page.cpp
      for (int i = 0; i < fetches; ++i) co_await client.get_schedule_history(schedule, query);
    }, asio::detached);
    io.run();
    stats = client.stats();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / fetches;
  };

  double best_full = 1e9, best_resumed = 1e9;
  ha::client_stats full{}, resumed{};
  for (int r = 0; r < rounds; ++r) {
    best_full = std::min(best_full, measure(false, full));
    best_resumed = std::min(best_resumed, measure(true, resumed));
  }
  std::printf("%-22s %12s %12s %12s\n", "client", "fetches/s", "handshakes", "resumed");
  std::printf("%-22s %12.0f %12llu %12llu\n", "full handshakes", 1 / best_full,
              static_cast<unsigned long long>(full.tls_handshakes), static_cast<unsigned long long>(full.tls_resumptions));
  std::printf("%-22s %12.0f %12llu %12llu\n", "session resumption", 1 / best_resumed,
              static_cast<unsigned long long>(resumed.tls_handshakes),
              static_cast<unsigned long long>(resumed.tls_resumptions));
  std::printf("speed-up of resumption: %.2fx (one new TLS connection per fetch, loopback)\n", best_full / best_resumed);
  return resumed.tls_resumptions > 0 ? 0 : 1;
}
