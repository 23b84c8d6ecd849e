// Peak memory while sixteen responses with endless chunked bodies are read at once: each
// body stops at max_response_bytes, and all of them together at max_buffered_bytes.
// Usage: endless_body_memory_benchmark [max_buffered_bytes in MiB, default the client's; 0: no budget]
// Prints the peak RSS (getrusage ru_maxrss) and how the sixteen calls ended.

#include <humm/analyst/client.hpp>
#include <humm/analyst/testing/fake_server.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace ha = humm::analyst;

int main(int argc, char** argv) {
  constexpr int bodies = 16;
  ha::testing::fake_server server({.tls = false});  // plain TCP: the figure is about buffers, not TLS
  const auto data = server.add_schedule(10, 1);
  server.push_fault({.times = bodies, .endless_body = true});

  asio::io_context io;
  ha::client_options options;
  options.base_url = server.base_url();
  options.token = server.options().token;
  options.proxy = "";  // a local server, reached directly whatever HTTPS_PROXY says
  options.retry.max_retries = 0;
  options.max_connections = bodies;
  if (argc > 1) {
    const std::size_t mib = std::strtoul(argv[1], nullptr, 10);
    options.max_buffered_bytes = mib == 0 ? std::numeric_limits<std::size_t>::max() : mib << 20;
  }
  ha::client client(io.get_executor(), options);

  std::map<std::string, int> endings;  // error message (or "ok") -> calls
  std::vector<ha::error_details> details(bodies);
  const ha::history_query query{.organization_id = ha::format_uuid(server.options().organization)};
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < bodies; ++i)
    client.async_get_schedule_history(ha::format_uuid(data.schedule.id), query, &details[i],
                                      [&, i](boost::system::error_code ec, const ha::schedule_history&) {
                                        ++endings[ec ? details[i].message.substr(details[i].message.find(": ") + 2)
                                                     : std::string("ok")];
                                      });
  io.run();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("%d endless bodies at once, max_response_bytes %zu MiB, max_buffered_bytes %s: peak RSS %.0f MB, %.1f s\n",
              bodies, options.max_response_bytes >> 20,
              options.max_buffered_bytes == std::numeric_limits<std::size_t>::max()
                  ? "unlimited"
                  : (std::to_string(options.max_buffered_bytes >> 20) + " MiB").c_str(),
              static_cast<double>(usage.ru_maxrss) / 1000.0 * 1.024, seconds);
  for (const auto& [ending, calls] : endings) std::printf("  %2d x %s\n", calls, ending.c_str());
  return 0;
}
