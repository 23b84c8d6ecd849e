// libcurl multi as a throughput_report peer: the same pages as humm_peer's fetch mode, over
// CONNECTIONS keep-alive TLS connections (one easy handle per connection), each body parsed
// with boost::json::parse and mapped with the same value_to into the SDK's models, so that
// the two differ in transport and pipeline, not in decoding.
//
// Two loops, both single-threaded:
//   example  the loop of libcurl's examples (10-at-a-time.c): perform, handle each finished
//            transfer (decode it, give its handle the next URL), then wait in
//            curl_multi_poll; the new requests leave only once some socket wakes the poll
//   tuned    finished handles get their next URL and are sent at once, before any page is
//            decoded, and the loop waits only when nothing has finished
//
// Usage: curl_multi_peer example|tuned BASE_URL CA_FILE DATA_DIR PAGE_SIZE CONNECTIONS [PAGES]
// The clock starts once every connection is open, as in humm_peer: each first answers one
// page (the list's first pages, not counted).
// Prints one JSON line: pages, runs, seconds, p50_ms, p99_ms.

#include "peer_common.hpp"

#include <humm/analyst/models.hpp>

#include <curl/curl.h>

#include <cstdlib>
#include <iostream>
#include <memory>

namespace ha = humm::analyst;

namespace {

struct transfer {
  CURL* easy = nullptr;
  std::string body;
  peer::clock_type::time_point start;
};

std::size_t append_body(char* data, std::size_t size, std::size_t count, void* user) {
  static_cast<transfer*>(user)->body.append(data, size * count);
  return size * count;
}

void check(CURLcode code, const char* what) {
  if (code != CURLE_OK) throw std::runtime_error(std::string(what) + ": " + curl_easy_strerror(code));
}

}  // namespace

int main(int argc, char** argv) try {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (argc < 7 || (mode != "example" && mode != "tuned")) {
    std::cerr << "usage: curl_multi_peer example|tuned BASE_URL CA_FILE DATA_DIR PAGE_SIZE CONNECTIONS [PAGES]\n";
    return 2;
  }
  const bool tuned = mode == "tuned";
  const std::string base_url = argv[2], ca_file = argv[3], data_dir = argv[4];
  const std::int64_t page_size = std::atoll(argv[5]);
  const long connections = std::atol(argv[6]);
  const auto list = peer::read_pages(data_dir, page_size);
  const std::size_t pages = argc > 7 ? std::strtoul(argv[7], nullptr, 10) : list.size();
  const std::string organization(peer::read_meta(data_dir).at("organization_id").as_string());

  curl_global_init(CURL_GLOBAL_DEFAULT);
  CURLM* multi = curl_multi_init();
  curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, connections);
  curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, connections);
  curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, connections);

  // The headers the SDK sends, so that both peers ask for the same bytes.
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Authorization: Bearer benchmark-token");
  headers = curl_slist_append(headers, "Accept: application/json");
  headers = curl_slist_append(headers, "User-Agent: curl-multi-peer");

  std::vector<transfer> transfers(static_cast<std::size_t>(connections));
  std::size_t next = 0;
  peer::latencies latency(pages);
  std::uint64_t done_pages = 0, done_runs = 0;

  auto start_next = [&](transfer& t) {
    if (next >= pages) return;
    const peer::page_ref& ref = list[next++ % list.size()];
    const std::string url = base_url + "/reports/schedules/" + ref.schedule_id + "/runs?organization_id=" +
                            organization + "&limit=" + std::to_string(page_size) +
                            "&offset=" + std::to_string(ref.offset);
    check(curl_easy_setopt(t.easy, CURLOPT_URL, url.c_str()), "CURLOPT_URL");  // curl copies the string
    t.body.clear();
    t.start = peer::clock_type::now();
    curl_multi_add_handle(multi, t.easy);
  };

  for (transfer& t : transfers) {
    t.easy = curl_easy_init();
    curl_easy_setopt(t.easy, CURLOPT_WRITEFUNCTION, append_body);
    curl_easy_setopt(t.easy, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(t.easy, CURLOPT_PRIVATE, &t);
    curl_easy_setopt(t.easy, CURLOPT_CAINFO, ca_file.c_str());
    curl_easy_setopt(t.easy, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(t.easy, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(t.easy, CURLOPT_NOSIGNAL, 1L);  // no SIGPIPE juggling around every call
    curl_easy_setopt(t.easy, CURLOPT_PROXY, "");  // nginx on 127.0.0.1, directly: as the SDK's peer does
    t.body.reserve(1 << 16);
  }

  // Every connection opened, outside the clock: one page per handle, all at once.
  for (transfer& t : transfers) start_next(t);
  for (long open = 0; open < connections;) {
    int running = 0, queued = 0;
    curl_multi_perform(multi, &running);
    while (CURLMsg* message = curl_multi_info_read(multi, &queued)) {
      if (message->msg != CURLMSG_DONE) continue;
      check(message->data.result, "transfer");
      curl_multi_remove_handle(multi, message->easy_handle);
      ++open;
    }
    if (open < connections) curl_multi_poll(multi, nullptr, 0, 1000, nullptr);
  }
  next = 0;

  const auto started = peer::clock_type::now();
  for (transfer& t : transfers) start_next(t);

  // Bodies of finished transfers, decoded after each round of curl_multi_perform; their
  // buffers are recycled.
  struct finished_page {
    transfer* from;
    std::string body;
  };
  std::vector<finished_page> finished;
  std::vector<std::string> spare_buffers;
  while (done_pages < pages) {
    int running = 0;
    curl_multi_perform(multi, &running);
    int queued = 0;
    while (CURLMsg* message = curl_multi_info_read(multi, &queued)) {
      if (message->msg != CURLMSG_DONE) continue;
      transfer* t = nullptr;
      curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &t);
      check(message->data.result, "transfer");
      long status = 0;
      curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
      if (status != 200) throw std::runtime_error("HTTP status " + std::to_string(status));
      curl_multi_remove_handle(multi, t->easy);
      finished.push_back({t, std::move(t->body)});
      if (!spare_buffers.empty()) {
        t->body = std::move(spare_buffers.back());
        spare_buffers.pop_back();
      }
      if (tuned) start_next(*t);
    }
    if (tuned && !finished.empty()) curl_multi_perform(multi, &running);  // sends them now
    for (finished_page& f : finished) {
      const auto page = boost::json::value_to<ha::schedule_history>(boost::json::parse(f.body));
      latency.add(f.from->start);
      ++done_pages;
      done_runs += page.runs.size();
      spare_buffers.push_back(std::move(f.body));
      if (!tuned) start_next(*f.from);
    }
    if (!tuned || finished.empty()) curl_multi_poll(multi, nullptr, 0, 1000, nullptr);
    finished.clear();
  }
  const double seconds = std::chrono::duration<double>(peer::clock_type::now() - started).count();

  for (transfer& t : transfers) curl_easy_cleanup(t.easy);
  curl_slist_free_all(headers);
  curl_multi_cleanup(multi);
  curl_global_cleanup();
  if (done_pages != pages) throw std::runtime_error("fetched " + std::to_string(done_pages) + " pages, not " +
                                                    std::to_string(pages));
  peer::print_result({{"pages", done_pages},
                      {"runs", done_runs},
                      {"seconds", seconds},
                      {"p50_ms", latency.percentile(50)},
                      {"p99_ms", latency.percentile(99)}});
  return 0;
} catch (const std::exception& e) {
  std::cerr << "curl_multi_peer: " << e.what() << '\n';
  return 1;
}
