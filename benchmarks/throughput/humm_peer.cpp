// The SDK as a throughput_report peer: typed pages over a pool of keep-alive TLS connections.
//
// Usage: humm_peer MODE BASE_URL CA_FILE DATA_DIR PAGE_SIZE CONNECTIONS [PAGES [THREADS]]
//   fetch      PAGES pages of the page list (default: the whole list), CONNECTIONS
//              coroutines each awaiting client.get_schedule_history
//   walk       walk_schedules over every schedule, CONNECTIONS at a time: the SDK finds
//              the pages itself, as a user's batch would
//   long-walk  history_pages over the long schedule, stopping after PAGES pages (the
//              peak-memory check: 10 pages against 1,000)
// THREADS (default 1) threads run the io_context; with one, the client is told so
// (client_options::single_threaded).
// Prints one JSON line: pages, runs, seconds, p50_ms, p99_ms, client_handshakes.

#include "peer_common.hpp"

#include <humm/analyst/client.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <thread>

namespace asio = boost::asio;
namespace ha = humm::analyst;

namespace {

struct settings {
  std::string mode, base_url, ca_file, data_dir;
  std::int64_t page_size = 20;
  std::size_t connections = 1;
  std::size_t pages = 0;  // 0: the whole list
  std::size_t threads = 1;
};

struct tally {
  std::atomic<std::uint64_t> pages = 0, runs = 0;
};

asio::awaitable<void> fetch_worker(ha::client& client, const std::vector<peer::page_ref>& list, const settings& s,
                                   const std::string& organization, std::size_t& next, tally& done,
                                   peer::latencies& latency) {
  for (std::size_t i = next++; i < s.pages; i = next++) {
    const peer::page_ref& ref = list[i % list.size()];
    const auto start = peer::clock_type::now();
    const ha::history_query query{.organization_id = organization, .limit = s.page_size, .offset = ref.offset};
    const ha::schedule_history page = co_await client.get_schedule_history(ref.schedule_id, query);
    latency.add(start);
    ++done.pages;
    done.runs += page.runs.size();
  }
}

asio::awaitable<void> walk_all(ha::client& client, const settings& s, const std::string& organization, tally& done) {
  ha::walk_options options{.organization_id = organization, .page_size = s.page_size};
  auto ids = peer::read_lines(s.data_dir + "/schedules.txt");
  const auto results = co_await ha::walk_schedules(client, std::move(ids), options, s.connections,
                                                   [&](const std::string&, const ha::command_run&) { ++done.runs; });
  for (const ha::schedule_walk_result& r : results) {
    if (r.error) throw std::runtime_error(r.schedule_id + ": " + r.details.message);
    done.pages += r.stats.pages;
  }
}

asio::awaitable<void> long_walk(ha::client& client, const settings& s, const std::string& organization,
                                tally& done) {
  const ha::walk_options options{.organization_id = organization, .page_size = 20};
  auto pages = client.history_pages(peer::read_lines(s.data_dir + "/long-walk.txt").front(), options);
  while (done.pages < s.pages) {
    auto page = co_await pages.next();
    if (!page) break;
    ++done.pages;
    done.runs += page->history.runs.size();
  }
}

}  // namespace

int main(int argc, char** argv) try {
  if (argc < 7) {
    std::cerr << "usage: humm_peer fetch|walk|long-walk BASE_URL CA_FILE DATA_DIR PAGE_SIZE CONNECTIONS [PAGES]\n";
    return 2;
  }
  settings s{argv[1], argv[2], argv[3], argv[4], std::atoll(argv[5]), std::strtoul(argv[6], nullptr, 10),
             argc > 7 ? std::strtoul(argv[7], nullptr, 10) : 0, argc > 8 ? std::strtoul(argv[8], nullptr, 10) : 1};
  const auto list = peer::read_pages(s.data_dir, s.page_size);
  if (s.pages == 0) s.pages = list.size();
  const std::string organization(peer::read_meta(s.data_dir).at("organization_id").as_string());

  asio::io_context io(static_cast<int>(s.threads));
  ha::client_options options;
  options.base_url = s.base_url;
  options.token = "benchmark-token";
  options.tls.ca_file = s.ca_file;
  options.max_connections = s.connections;
  options.single_threaded = s.threads == 1;  // as a one-thread program would; more threads need the strands
  ha::client client(io.get_executor(), options);

  tally done;
  peer::latencies latency(s.pages);
  std::size_t next = 0;
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto note_failure = [&](std::exception_ptr e) {
    const std::lock_guard lock(failure_mutex);
    if (e && !failure) failure = e;
  };
  const auto start = peer::clock_type::now();
  if (s.mode == "fetch") {
    // The workers share the page counter and the latencies: one strand for all of them (the
    // client's calls still run on strands of their own).
    const auto workers = asio::make_strand(io);
    for (std::size_t c = 0; c < s.connections; ++c)
      asio::co_spawn(workers, fetch_worker(client, list, s, organization, next, done, latency), note_failure);
  } else if (s.mode == "walk") {
    asio::co_spawn(io, walk_all(client, s, organization, done), note_failure);
  } else if (s.mode == "long-walk") {
    asio::co_spawn(io, long_walk(client, s, organization, done), note_failure);
  } else {
    std::cerr << "humm_peer: unknown mode " << s.mode << '\n';
    return 2;
  }
  std::vector<std::thread> helpers;
  for (std::size_t t = 1; t < s.threads; ++t) helpers.emplace_back([&io] { io.run(); });
  io.run();
  for (std::thread& t : helpers) t.join();
  if (failure) std::rethrow_exception(failure);
  const double seconds = std::chrono::duration<double>(peer::clock_type::now() - start).count();
  peer::print_result({{"pages", done.pages.load()},
                      {"runs", done.runs.load()},
                      {"seconds", seconds},
                      {"p50_ms", latency.percentile(50)},
                      {"p99_ms", latency.percentile(99)},
                      {"client_handshakes", client.stats().tls_handshakes}});
  return 0;
} catch (const std::exception& e) {
  std::cerr << "humm_peer: " << e.what() << '\n';
  return 1;
}
