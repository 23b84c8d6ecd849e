// libcurl multi as a throughput_report peer: the same pages as humm_peer's fetch mode, over
// CONNECTIONS keep-alive TLS connections (one easy handle per connection), each body parsed
// with boost::json::parse and mapped with the same value_to into the SDK's models, so that
// the two differ in transport and pipeline, not in decoding.
//
// Usage: curl_multi_peer BASE_URL CA_FILE DATA_DIR PAGE_SIZE CONNECTIONS [PAGES]
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
  if (argc < 6) {
    std::cerr << "usage: curl_multi_peer BASE_URL CA_FILE DATA_DIR PAGE_SIZE CONNECTIONS [PAGES]\n";
    return 2;
  }
  const std::string base_url = argv[1], ca_file = argv[2], data_dir = argv[3];
  const std::int64_t page_size = std::atoll(argv[4]);
  const long connections = std::atol(argv[5]);
  const auto list = peer::read_pages(data_dir, page_size);
  const std::size_t pages = argc > 6 ? std::strtoul(argv[6], nullptr, 10) : list.size();
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

  const auto started = peer::clock_type::now();
  for (transfer& t : transfers) {
    t.easy = curl_easy_init();
    curl_easy_setopt(t.easy, CURLOPT_WRITEFUNCTION, append_body);
    curl_easy_setopt(t.easy, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(t.easy, CURLOPT_PRIVATE, &t);
    curl_easy_setopt(t.easy, CURLOPT_CAINFO, ca_file.c_str());
    curl_easy_setopt(t.easy, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(t.easy, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(t.easy, CURLOPT_NOSIGNAL, 1L);  // no SIGPIPE juggling around every call
    t.body.reserve(1 << 16);
    start_next(t);
  }

  int running = 1;
  while (running > 0) {
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

      const auto page = boost::json::value_to<ha::schedule_history>(boost::json::parse(t->body));
      latency.add(t->start);
      ++done_pages;
      done_runs += page.runs.size();
      start_next(*t);
      running = 1;  // a handle was just added: perform again before deciding we are done
    }
    if (running > 0) curl_multi_poll(multi, nullptr, 0, 1000, nullptr);
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
