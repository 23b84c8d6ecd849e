// The SDK as a throughput_report peer: typed pages over a pool of keep-alive TLS connections.
//
// Usage: humm_peer MODE BASE_URL CA_FILE DATA_DIR PAGE_SIZE CONNECTIONS [PAGES [THREADS]]
//   fetch      PAGES pages of the page list (default: the whole list), two coroutines per
//              connection each awaiting client.get_schedule_history (calls_per_connection)
//   walk       walk_schedules over every schedule, CONNECTIONS at a time: the SDK finds
//              the pages itself, as a user's batch would
//   long-walk  history_pages over the long schedule, stopping after PAGES pages (the
//              peak-memory check: 10 pages against 1,000)
// THREADS (default 1): the io_context-per-thread pattern. Each thread runs an io_context
// of its own with a client of its own (client_options::single_threaded, no strands) and
// its share of the connections and of the work.
// The clock starts once every connection is open: each first answers one page (the list's
// first pages, not counted), so that the TLS handshakes weigh alike in short and long runs.
// Prints one JSON line: pages, runs, seconds, p50_ms, p99_ms, client_handshakes.
// HUMM_PEER_OBSERVER=counting|log measures what an observer costs (see observer_with_cost):
// unset, the client has none, as by default.

#include "peer_common.hpp"

#include <humm/analyst/client.hpp>
#include <humm/analyst/walk_schedules.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <iostream>
#include <list>
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

// A batch starts more calls than there are connections and lets the pool queue them. Then,
// when a page arrives, the call waiting for that connection sends its request before the
// page is decoded, and the server works meanwhile (the tuned curl loop does the same by
// hand). Two per connection suffice: at one connection this is a third more pages/s than
// one call per connection, at 16 it changes nothing.
constexpr std::size_t calls_per_connection = 2;

// What the threads share.
struct shared_work {
  shared_work(const settings& s, std::vector<peer::page_ref> list, std::string organization)
      : s(s), list(std::move(list)), organization(std::move(organization)) {}

  const settings& s;
  std::vector<peer::page_ref> list;
  std::string organization;
  std::atomic<std::size_t> next_page = 0;
  std::atomic<std::uint64_t> pages = 0, runs = 0;
  std::mutex failure_mutex;
  std::exception_ptr failure;

  void fail(std::exception_ptr e) {
    const std::lock_guard lock(failure_mutex);
    if (e && !failure) failure = e;
  }
};

// An observer as a metrics exporter would be (counters per event), or the log observer at
// debug formatting every line into a sink that drops it: the two costs a service may pay.
struct counting_observer final : ha::observer {
  std::atomic<std::uint64_t> attempts{0}, calls{0}, bytes{0};
  void on_attempt(const ha::attempt_event& e) override {
    ++attempts;
    bytes += e.body_bytes;
  }
  void on_call(const ha::call_event&) override { ++calls; }
};

std::shared_ptr<ha::observer> observer_with_cost() {
  const char* kind = std::getenv("HUMM_PEER_OBSERVER");
  if (!kind) return nullptr;
  if (std::string_view(kind) == "counting") return std::make_shared<counting_observer>();
  if (std::string_view(kind) == "log") return ha::make_log_observer(ha::log_level::debug, [](std::string_view) {});
  throw std::invalid_argument("HUMM_PEER_OBSERVER must be counting or log");
}

// One thread's share: an io_context, a client, its connections and its latencies.
struct lane {
  lane(const settings& s, std::size_t connections)
      : connections(connections), latency(s.pages), client(io.get_executor(), options_for(s, connections)) {}

  static ha::client_options options_for(const settings& s, std::size_t connections) {
    ha::client_options options;
    options.base_url = s.base_url;
    options.token = "benchmark-token";
    options.proxy = "";  // a local server, reached directly whatever HTTPS_PROXY says
    options.tls.ca_file = s.ca_file;
    options.max_connections = connections;
    options.single_threaded = true;  // this io_context runs on one thread
    options.observer = observer_with_cost();
    return options;
  }

  std::size_t connections;
  peer::latencies latency;
  asio::io_context io{1};
  ha::client client;
};

// Opens the lane's connections: one page per connection, all at once.
asio::awaitable<void> warm_up_fetch(shared_work& w, lane& l, std::size_t i) {
  const peer::page_ref& ref = w.list[i % w.list.size()];
  const ha::history_query query{.organization_id = w.organization, .limit = w.s.page_size, .offset = ref.offset};
  co_await l.client.get_schedule_history(ref.schedule_id, query);
}

asio::awaitable<void> fetch_worker(shared_work& w, lane& l) {
  for (std::size_t i = w.next_page++; i < w.s.pages; i = w.next_page++) {
    const peer::page_ref& ref = w.list[i % w.list.size()];
    const auto start = peer::clock_type::now();
    const ha::history_query query{.organization_id = w.organization, .limit = w.s.page_size, .offset = ref.offset};
    const ha::schedule_history page = co_await l.client.get_schedule_history(ref.schedule_id, query);
    l.latency.add(start);
    ++w.pages;
    w.runs += page.runs.size();
  }
}

// Walks the schedules whose place in the list is `share` modulo `shares`.
asio::awaitable<void> walk_share(shared_work& w, lane& l, std::size_t share, std::size_t shares) {
  ha::walk_options options{.organization_id = w.organization, .page_size = w.s.page_size};
  const auto all = peer::read_lines(w.s.data_dir + "/schedules.txt");
  std::vector<std::string> ids;
  for (std::size_t i = share; i < all.size(); i += shares) ids.push_back(all[i]);
  const auto results = co_await ha::walk_schedules(l.client, std::move(ids), options, l.connections,
                                                   [&](const std::string&, const ha::command_run&) { ++w.runs; });
  for (const ha::schedule_walk_result& r : results) {
    if (r.error) throw std::runtime_error(r.schedule_id + ": " + r.details.message);
    w.pages += r.stats.pages;
  }
}

asio::awaitable<void> long_walk(shared_work& w, lane& l) {
  const ha::walk_options options{.organization_id = w.organization, .page_size = 20};
  auto pages = l.client.history_pages(peer::read_lines(w.s.data_dir + "/long-walk.txt").front(), options);
  while (w.pages < w.s.pages) {
    auto page = co_await pages.next();
    if (!page) break;
    ++w.pages;
    w.runs += page->history.runs.size();
  }
}

}  // namespace

int main(int argc, char** argv) try {
  if (argc < 7) {
    std::cerr << "usage: humm_peer fetch|walk|long-walk BASE_URL CA_FILE DATA_DIR PAGE_SIZE CONNECTIONS [PAGES [THREADS]]\n";
    return 2;
  }
  settings s{argv[1], argv[2], argv[3], argv[4], std::atoll(argv[5]), std::strtoul(argv[6], nullptr, 10),
             argc > 7 ? std::strtoul(argv[7], nullptr, 10) : 0, argc > 8 ? std::strtoul(argv[8], nullptr, 10) : 1};
  if (s.mode != "fetch" && s.mode != "walk" && s.mode != "long-walk") {
    std::cerr << "humm_peer: unknown mode " << s.mode << '\n';
    return 2;
  }
  shared_work w{s, peer::read_pages(s.data_dir, s.page_size),
                std::string(peer::read_meta(s.data_dir).at("organization_id").as_string())};
  if (s.pages == 0) s.pages = w.list.size();

  // Threads share the connections out; there are never more threads than connections.
  const std::size_t threads = s.mode == "long-walk" ? 1 : std::clamp<std::size_t>(s.threads, 1, s.connections);
  std::list<lane> lanes;  // a lane neither moves nor copies
  for (std::size_t t = 0; t < threads; ++t) lanes.emplace_back(s, s.connections / threads + (t < s.connections % threads));

  // Runs every lane's io_context until its work is done, each on a thread of its own.
  auto run_lanes = [&lanes, &w] {
    std::vector<std::thread> helpers;
    for (auto it = std::next(lanes.begin()); it != lanes.end(); ++it)
      helpers.emplace_back([&io = it->io] {
        io.restart();
        io.run();
      });
    lanes.front().io.restart();
    lanes.front().io.run();
    for (std::thread& t : helpers) t.join();
    if (w.failure) std::rethrow_exception(w.failure);
  };
  auto note = [&w](std::exception_ptr e) { w.fail(e); };

  if (s.mode != "long-walk") {
    for (lane& l : lanes)
      for (std::size_t c = 0; c < l.connections; ++c) asio::co_spawn(l.io, warm_up_fetch(w, l, c), note);
    run_lanes();
  }

  const auto start = peer::clock_type::now();
  std::size_t share = 0;
  for (lane& l : lanes) {
    if (s.mode == "fetch") {
      for (std::size_t c = 0; c < l.connections * calls_per_connection; ++c)
        asio::co_spawn(l.io, fetch_worker(w, l), note);
    } else if (s.mode == "walk") {
      asio::co_spawn(l.io, walk_share(w, l, share++, threads), note);
    } else {
      asio::co_spawn(l.io, long_walk(w, l), note);
    }
  }
  run_lanes();
  const double seconds = std::chrono::duration<double>(peer::clock_type::now() - start).count();

  peer::latencies latency(s.pages);
  std::uint64_t handshakes = 0;
  for (lane& l : lanes) {
    latency.merge(l.latency);
    handshakes += l.client.stats().tls_handshakes;
  }
  peer::print_result({{"pages", w.pages.load()},
                      {"runs", w.runs.load()},
                      {"seconds", seconds},
                      {"p50_ms", latency.percentile(50)},
                      {"p99_ms", latency.percentile(99)},
                      {"client_handshakes", handshakes}});
  return 0;
} catch (const std::exception& e) {
  std::cerr << "humm_peer: " << e.what() << '\n';
  return 1;
}
