// The client against a server that breaks the rules (the fake server's hostile faults):
// responses out of step, interim responses, odd transfer codings and gzip streams, endless
// bodies, redirects, slow answers, and a process short of file descriptors.

#include "client_fixture.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <fcntl.h>

#include <vector>

using namespace humm_test;
using namespace std::chrono_literals;

namespace {

asio::awaitable<void> pause(std::chrono::milliseconds d) {
  asio::steady_timer timer(co_await asio::this_coro::executor, d);
  co_await timer.async_wait(asio::use_awaitable);
}

std::vector<ha::uuid> ids_of(const ha::schedule_history& page) {
  std::vector<ha::uuid> ids;
  for (const auto& run : page.runs) ids.push_back(run.id);
  return ids;
}

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

// Lowers the soft RLIMIT_NOFILE for a test, and puts it back.
class descriptor_limit {
 public:
  explicit descriptor_limit(rlim_t soft) {
    getrlimit(RLIMIT_NOFILE, &saved_);
    rlimit lowered = saved_;
    lowered.rlim_cur = soft;
    BOOST_REQUIRE(setrlimit(RLIMIT_NOFILE, &lowered) == 0);
  }
  ~descriptor_limit() { setrlimit(RLIMIT_NOFILE, &saved_); }

 private:
  rlimit saved_{};
};

}  // namespace

BOOST_AUTO_TEST_SUITE(hostile_servers)

BOOST_AUTO_TEST_CASE(an_unasked_response_in_the_same_write_is_not_taken_for_the_next_answer) {
  client_fixture f;
  auto c = f.make_client();
  f.server.push_fault({.unasked_response = true});
  f.run([&]() -> asio::awaitable<void> {
    const auto first = co_await c.get_schedule_history(f.schedule_id(), f.query(3, 0));
    const auto second = co_await c.get_schedule_history(f.schedule_id(), f.query(3, 3));
    const auto again = co_await c.get_schedule_history(f.schedule_id(), f.query(3, 3));
    BOOST_TEST(ids_of(second) == ids_of(again));
    BOOST_TEST(ids_of(second) != ids_of(first));
  }());
  BOOST_TEST(c.stats().retries == 0u);
  BOOST_TEST(c.stats().connections_opened == 2u);
}

BOOST_AUTO_TEST_CASE(an_unasked_response_that_arrives_while_idle_is_not_taken_for_the_next_answer) {
  for (const bool tls : {true, false}) {
    client_fixture f({.tls = tls});
    auto c = f.make_client();
    f.server.push_fault({.unasked_response = true, .unasked_response_delay = 20ms});
    f.run([&]() -> asio::awaitable<void> {
      const auto first = co_await c.get_schedule_history(f.schedule_id(), f.query(3, 0));
      co_await pause(200ms);  // the unasked copy arrives meanwhile
      const auto second = co_await c.get_schedule_history(f.schedule_id(), f.query(3, 3));
      const auto again = co_await c.get_schedule_history(f.schedule_id(), f.query(3, 3));
      BOOST_TEST(ids_of(second) == ids_of(again), "tls " << tls);
      BOOST_TEST(ids_of(second) != ids_of(first), "tls " << tls);
    }());
    BOOST_TEST(c.stats().retries == 0u);
    BOOST_TEST(c.stats().idle_discarded == 1u, "tls " << tls);
    BOOST_TEST(c.stats().connections_opened == 2u);
  }
}

BOOST_AUTO_TEST_CASE(a_connection_the_server_closed_while_idle_is_discarded_before_use) {
  client_fixture f({.idle_close = 50ms});
  auto c = f.make_client();
  f.run([&]() -> asio::awaitable<void> {
    co_await c.get_schedule_history(f.schedule_id(), f.query(1));
    co_await pause(200ms);
    co_await c.get_schedule_history(f.schedule_id(), f.query(1));
  }());
  BOOST_TEST(c.stats().idle_discarded == 1u);
  BOOST_TEST(c.stats().stale_resends == 0u);  // the request was never sent on it
  BOOST_TEST(f.server.counters().requests == 2u);
}

BOOST_AUTO_TEST_CASE(interim_responses_before_the_answer_are_skipped) {
  client_fixture f;
  auto c = f.make_client([](ha::client_options& o) { o.retry.max_retries = 0; });
  f.server.push_fault({.interim_statuses = {100, 103, 103}});
  const auto page = f.run(c.get_schedule_history(f.schedule_id(), f.query(3)));
  BOOST_TEST(page.runs.size() == 3u);
}

BOOST_AUTO_TEST_CASE(a_switch_of_protocols_or_endless_interim_responses_fail_the_call) {
  client_fixture f;
  auto c = f.make_client([](ha::client_options& o) { o.retry.max_retries = 0; });
  f.server.push_fault({.interim_statuses = {101}});
  const ha::api_error switched = f.failure_of(c, f.schedule_id(), f.query());
  BOOST_TEST(contains(switched.what(), "101"), switched.what());
  f.server.push_fault({.interim_statuses = std::vector<unsigned>(100, 103)});
  const ha::api_error endless = f.failure_of(c, f.schedule_id(), f.query());
  BOOST_TEST(contains(endless.what(), "interim"), endless.what());
}

BOOST_AUTO_TEST_CASE(a_transfer_coding_other_than_chunked_is_refused) {
  for (const char* coding : {"gzip, chunked", "gzip"}) {
    client_fixture f;
    auto c = f.make_client([](ha::client_options& o) { o.retry.max_retries = 0; });
    f.server.push_fault({.transfer_encoding = coding});
    const ha::api_error e = f.failure_of(c, f.schedule_id(), f.query());
    BOOST_TEST(contains(e.what(), std::string("Transfer-Encoding: ") + coding), e.what());
  }
  client_fixture f;  // chunked alone is fine
  auto c = f.make_client();
  f.server.push_fault({.transfer_encoding = "chunked"});
  BOOST_TEST(f.run(c.get_schedule_history(f.schedule_id(), f.query(3))).runs.size() == 3u);
}

BOOST_AUTO_TEST_CASE(gzip_bodies_of_two_members_are_read_whole_and_trailing_bytes_refused) {
  client_fixture f;
  auto c = f.make_client([](ha::client_options& o) { o.retry.max_retries = 0; });
  f.server.push_fault({.gzip_two_members = true});
  BOOST_TEST(f.run(c.get_schedule_history(f.schedule_id(), f.query(20))).runs.size() == 20u);
  f.server.push_fault({.gzip_trailing_garbage = true});
  const ha::api_error e = f.failure_of(c, f.schedule_id(), f.query());
  BOOST_TEST(contains(e.what(), "after the end of the gzip stream"), e.what());
}

BOOST_AUTO_TEST_CASE(endless_bodies_stop_at_max_buffered_bytes) {
  client_fixture f;
  auto c = f.make_client([](ha::client_options& o) {
    o.retry.max_retries = 0;
    o.max_buffered_bytes = 1 << 20;
  });
  f.server.push_fault({.endless_body = true});
  const ha::api_error e = f.failure_of(c, f.schedule_id(), f.query());
  BOOST_TEST((e.code() == ha::errc::body_too_large));
  BOOST_TEST(contains(e.what(), "max_buffered_bytes (1048576 bytes)"), e.what());
  // The budget was given back: the next call fits in it.
  BOOST_TEST(f.run(c.get_schedule_history(f.schedule_id(), f.query(3))).runs.size() == 3u);
}

BOOST_AUTO_TEST_CASE(a_redirect_names_its_location) {
  client_fixture f;
  auto c = f.make_client();
  f.server.push_fault({.status = 302, .headers = {{"Location", "https://elsewhere.example/runs"}}});
  const ha::api_error e = f.failure_of(c, f.schedule_id(), f.query());
  BOOST_TEST(e.http_status() == 302u);
  BOOST_TEST(contains(e.what(), "HTTP 302 redirect to https://elsewhere.example/runs (redirects are not followed)"),
             e.what());
  f.server.push_fault({.status = 301, .headers = {{"Location", "https://x.example/" + std::string(5000, 'a')}}});
  const ha::api_error long_one = f.failure_of(c, f.schedule_id(), f.query());
  BOOST_TEST(std::string_view(long_one.what()).size() < 600u);
}

BOOST_AUTO_TEST_CASE(extra_headers_replace_the_usual_ones) {
  client_fixture f;
  auto c = f.make_client();
  f.server.push_fault({.status = 404, .headers = {{"x-request-id", "chosen-by-the-test"}}});
  const ha::api_error e = f.failure_of(c, f.schedule_id(), f.query());
  BOOST_TEST(e.details().request_id == "chosen-by-the-test");
}

BOOST_AUTO_TEST_CASE(a_response_that_never_comes_reads_as_a_timeout) {
  client_fixture f;
  auto c = f.make_client([](ha::client_options& o) {
    o.retry.max_retries = 0;
    o.request_timeout = 200ms;
  });
  f.server.push_fault({.delay = 2s});
  const ha::api_error e = f.failure_of(c, f.schedule_id(), f.query());
  BOOST_TEST((e.code() == ha::errc::timeout));
  BOOST_TEST(contains(e.what(), "timed out after 200 ms waiting for the response"), e.what());
}

BOOST_AUTO_TEST_CASE(running_out_of_file_descriptors_says_so) {
  // localhost, not 127.0.0.1: resolving a name reads files, and failed as "Host not found".
  client_fixture f;
  std::string base_url = f.server.base_url();
  base_url.replace(base_url.find("127.0.0.1"), 9, "localhost");
  const auto by_name = [&](ha::client_options& o) {
    o.base_url = base_url;
    o.retry.max_retries = 0;
  };
  // A call first, on another client: Asio opens its reactor and starts the resolver's thread
  // on first use, and fails with an exception when it cannot.
  auto warm_up = f.make_client(by_name);
  BOOST_TEST(f.run(warm_up.get_schedule_history(f.schedule_id(), f.query(1))).runs.size() == 1u);
  auto c = f.make_client(by_name);
  std::string message;
  {
    const descriptor_limit limit(256);
    std::vector<int> filler;  // every descriptor below the limit taken
    for (int fd; (fd = ::open("/dev/null", O_RDONLY)) >= 0;) filler.push_back(fd);
    try {
      f.run(c.get_schedule_history(f.schedule_id(), f.query()));
    } catch (const ha::api_error& e) {
      message = e.what();
    }
    for (const int fd : filler) ::close(fd);
  }
  BOOST_TEST(contains(message, "too many open files: no file descriptor left"), message);
}

BOOST_AUTO_TEST_CASE(max_connections_is_capped_below_the_descriptor_limit) {
  client_fixture f;
  const descriptor_limit limit(256);
  auto c = f.make_client([](ha::client_options& o) {
    o.max_connections = 10'000;
    o.retry.max_retries = 0;
  });
  BOOST_TEST(c.stats().max_connections == (256u - 32u) / 2);
  f.server.push_fault({.delay = 100ms, .times = 150});
  int fetched = 0;
  for (int i = 0; i < 150; ++i)
    asio::co_spawn(f.io, c.get_schedule_history(f.schedule_id(), f.query(1)),
                   [&](std::exception_ptr e, const ha::schedule_history&) {
                     if (!e) ++fetched;
                   });
  f.io.run();
  BOOST_TEST(fetched == 150);
}

BOOST_AUTO_TEST_SUITE_END()
