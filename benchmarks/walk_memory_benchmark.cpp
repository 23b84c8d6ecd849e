// Peak memory of a long walk against a short one, in one process: a walk's memory must be
// bounded by the pages ahead of the consumer, never by the length of the history.
// Usage: walk_memory_benchmark [pages, default 1000]

#include <humm/analyst/client.hpp>
#include <humm/analyst/testing/fake_server.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace asio = boost::asio;
namespace ha = humm::analyst;

namespace {

long peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t pages = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 1000;
  constexpr std::int64_t page_size = 100;
  ha::testing::fake_server server({.gzip = false});
  const auto data = server.add_schedule(pages * page_size, 1);

  asio::io_context io;
  ha::client_options options;
  options.base_url = server.base_url();
  options.token = server.options().token;
  options.proxy = "";  // a local server, reached directly whatever HTTPS_PROXY says
  options.tls.ca_pem = server.certificate_pem();
  ha::client client(io.get_executor(), options);

  long peak_after_10 = 0;
  std::size_t seen_pages = 0, seen_runs = 0;
  const auto start = std::chrono::steady_clock::now();
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    ha::walk_options walk{.organization_id = ha::format_uuid(server.options().organization), .page_size = page_size};
    walk.prefetch = 2;
    auto stream = client.history_pages(ha::format_uuid(data.schedule.id), walk);
    while (auto page = co_await stream.next()) {
      seen_runs += page->history.runs.size();
      if (++seen_pages == 10) peak_after_10 = peak_rss_kib();
    }
  }, asio::detached);
  io.run();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const long peak_end = peak_rss_kib();
  std::printf("pages %zu, runs %zu, %.1f pages/s\n", seen_pages, seen_runs, static_cast<double>(seen_pages) / seconds);
  std::printf("peak RSS after 10 pages: %ld KiB; after %zu pages: %ld KiB; ratio %.3f (target: at most 1.2)\n",
              peak_after_10, seen_pages, peak_end, static_cast<double>(peak_end) / static_cast<double>(peak_after_10));
  return seen_runs == data.runs.size() ? 0 : 1;
}
