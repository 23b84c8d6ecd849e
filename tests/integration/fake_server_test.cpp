// The fake server as any HTTP client sees it, driven by the small Beast client of
// fake_server_client.hpp over 127.0.0.1.

#include "fake_server_client.hpp"

#include <humm/analyst/decode.hpp>
#include <humm/analyst/testing/fake_server.hpp>

#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <openssl/ssl.h>
#include <zlib.h>

#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace humm_test;
namespace ha = humm::analyst;
namespace ht = humm::analyst::testing;
namespace json = boost::json;
using clock_type = std::chrono::steady_clock;
using namespace std::chrono_literals;

/// A server with one schedule of 250 runs, and the targets of its endpoints.
struct served_schedule {
  explicit served_schedule(ht::fake_server_options options = {})
      : server(std::move(options)), data(server.add_schedule(250, 7)) {}

  std::string organization() const { return ha::format_uuid(server.options().organization); }

  std::string runs(std::string_view query = "") const {
    return runs_of(ha::format_uuid(data.schedule.id), query);
  }
  std::string runs_of(std::string_view schedule_id, std::string_view query = "") const {
    std::string target = "/reports/schedules/" + std::string(schedule_id) + "/runs?organization_id=" + organization();
    if (!query.empty()) (target += '&') += query;
    return target;
  }
  std::string run_details(std::string_view run_id) const {
    return "/reports/runs/" + std::string(run_id) + "?organization_id=" + organization();
  }

  ht::fake_server server;
  ht::schedule_data data;
};

std::vector<ha::command_run> slice(const std::vector<ha::command_run>& runs, std::size_t begin, std::size_t count) {
  return {runs.begin() + static_cast<std::ptrdiff_t>(begin), runs.begin() + static_cast<std::ptrdiff_t>(begin + count)};
}

ha::schedule_history page_of(const response& res) {
  BOOST_REQUIRE_EQUAL(res.result_int(), 200u);
  return ha::decode<ha::schedule_history>(res.body());
}

json::value body_of(const response& res) { return json::parse(res.body()); }

std::string detail_of(const response& res) { return std::string(body_of(res).at("detail").as_string()); }

std::string gunzip(const std::string& compressed) {
  z_stream stream{};
  BOOST_REQUIRE(inflateInit2(&stream, 15 + 16) == Z_OK);  // gzip framing only
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  stream.avail_in = static_cast<uInt>(compressed.size());
  std::string plain;
  int result = Z_OK;
  while (result == Z_OK) {
    char chunk[16384];
    stream.next_out = reinterpret_cast<Bytef*>(chunk);
    stream.avail_out = sizeof chunk;
    result = inflate(&stream, Z_NO_FLUSH);
    plain.append(chunk, sizeof chunk - stream.avail_out);
  }
  inflateEnd(&stream);
  BOOST_REQUIRE(result == Z_STREAM_END);
  return plain;
}

// A server limited to `requests` per `window`, stating its allowance in `style`.
ht::fake_server_options rate_limited(std::size_t requests, std::chrono::milliseconds window,
                                     ht::rate_limit_style style = ht::rate_limit_style::reset_delta_seconds) {
  ht::fake_server_options options;
  options.rate_limit = {.requests_per_window = requests, .window = window, .style = style};
  return options;
}

// A header field that must hold a whole number.
long long number_in(const response& res, std::string_view field) {
  const auto text = res[field];
  BOOST_TEST_REQUIRE(!text.empty(), field << " is missing");
  std::size_t used = 0;
  const long long value = std::stoll(std::string(text), &used);
  BOOST_TEST_REQUIRE(used == text.size(), field << ": " << text);
  return value;
}

// Waits until the server has read `count` requests, so that a test knows which request took a fault.
void wait_for_requests(const ht::fake_server& server, std::size_t count) {
  const auto deadline = clock_type::now() + io_timeout;
  while (server.counters().requests < count && clock_type::now() < deadline) std::this_thread::sleep_for(5ms);
  BOOST_REQUIRE(server.counters().requests >= count);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fake_server)

// ---- the data endpoint ----

BOOST_FIXTURE_TEST_CASE(a_page_holds_the_slice_of_the_data_set, served_schedule) {
  test_client client(server);
  const auto page = page_of(client.get(runs("limit=100&offset=100")));
  BOOST_TEST((page.schedule == data.schedule));
  BOOST_TEST((page.command_name == data.command_name));
  BOOST_TEST((page.runs == slice(data.runs, 100, 100)));
  BOOST_TEST(page.pagination.total().value_or(-1) == 250);
  BOOST_TEST(page.pagination.limit().value_or(-1) == 100);
  BOOST_TEST(page.pagination.offset().value_or(-1) == 100);

  const auto last = page_of(client.get(runs("limit=100&offset=200")));  // same connection: keep-alive
  BOOST_TEST((last.runs == slice(data.runs, 200, 50)));
  BOOST_TEST(page_of(client.get(runs("offset=400"))).runs.empty());
  BOOST_TEST(server.counters().connections_accepted == 1u);
}

BOOST_FIXTURE_TEST_CASE(limit_and_offset_default_to_20_and_0, served_schedule) {
  test_client client(server);
  const auto page = page_of(client.get(runs()));
  BOOST_TEST((page.runs == slice(data.runs, 0, 20)));
  BOOST_TEST(page.pagination.limit().value_or(-1) == 20);
  BOOST_TEST(page.pagination.offset().value_or(-1) == 0);
}

BOOST_FIXTURE_TEST_CASE(every_pagination_style, served_schedule) {
  test_client client(server);
  BOOST_TEST(page_of(client.get(runs())).pagination.fields().size() == 3u);  // total, limit, offset

  server.set_pagination(ht::pagination_style::empty);
  const auto empty = client.get(runs());
  BOOST_TEST(body_of(empty).at("pagination").as_object().empty());
  BOOST_TEST(page_of(empty).runs.size() == 20u);

  server.set_pagination(ht::pagination_style::has_more);
  const auto first = page_of(client.get(runs("limit=100")));
  BOOST_TEST(first.pagination.fields().size() == 1u);
  BOOST_TEST(first.pagination.has_more().value_or(false));
  BOOST_TEST(page_of(client.get(runs("limit=100&offset=100"))).pagination.has_more().value_or(false));
  BOOST_TEST(!page_of(client.get(runs("limit=100&offset=150"))).pagination.has_more().value_or(true));  // ends at 250
  BOOST_TEST(!page_of(client.get(runs("limit=100&offset=200"))).pagination.has_more().value_or(true));
}

BOOST_AUTO_TEST_CASE(max_page_size_clamps_pages_silently) {
  ht::fake_server_options options;
  options.max_page_size = 10;
  served_schedule echoing(options);
  test_client client(echoing.server);
  const auto page = page_of(client.get(echoing.runs("limit=50&offset=5")));
  BOOST_TEST((page.runs == slice(echoing.data.runs, 5, 10)));
  BOOST_TEST(page.pagination.limit().value_or(-1) == 10);  // the limit actually used

  options.echo_limit = false;
  served_schedule silent(options);
  test_client other(silent.server);
  const auto unechoed = page_of(other.get(silent.runs("limit=50")));
  BOOST_TEST(unechoed.runs.size() == 10u);
  BOOST_TEST(unechoed.pagination.limit().value_or(-1) == 50);  // the limit requested
}

BOOST_FIXTURE_TEST_CASE(runs_inserted_at_the_head_shift_the_offsets, served_schedule) {
  server.insert_runs_at_head(data.schedule.id, 3);
  test_client client(server);
  const auto head = page_of(client.get(runs("limit=10")));
  BOOST_TEST(head.pagination.total().value_or(-1) == 253);
  BOOST_TEST((head.runs[3] == data.runs[0]));
  for (std::size_t i = 0; i < 3; ++i) {
    BOOST_TEST((head.runs[i].schedule_id == data.schedule.id));
    BOOST_TEST((*head.runs[i].created_at > *head.runs[i + 1].created_at));  // newest first
    for (const auto& old : data.runs) BOOST_TEST_REQUIRE((head.runs[i].id != old.id));
  }
  BOOST_TEST((head.schedule.last_run_time == head.runs[0].created_at));
  BOOST_TEST((page_of(client.get(runs("limit=10&offset=10"))).runs == slice(data.runs, 7, 10)));
  BOOST_CHECK_THROW(server.insert_runs_at_head(ht::make_uuid(999), 1), std::invalid_argument);
}

BOOST_FIXTURE_TEST_CASE(the_run_details_endpoint, served_schedule) {
  test_client client(server);
  const auto& run = data.runs[42];
  const auto body = body_of(client.get(run_details(ha::format_uuid(run.id))));
  BOOST_TEST((ha::decode<ha::command_run>(body.at("run")) == run));
  BOOST_TEST((ha::decode<ha::command_schedule>(body.at("schedule")) == data.schedule));
  BOOST_TEST(body.at("command_name").as_string() == data.command_name);

  const auto unknown = client.get(run_details(ha::format_uuid(ht::make_uuid(12345))));
  BOOST_TEST(unknown.result_int() == 404u);
  BOOST_TEST(detail_of(unknown) == "Run not found");
  const auto invalid = client.get(run_details("not-a-run"));
  BOOST_TEST(invalid.result_int() == 422u);
  BOOST_TEST(json::serialize(body_of(invalid).at("detail").at(0).at("loc")) == R"(["path","run_id"])");
}

// ---- errors in FastAPI's shapes ----

BOOST_FIXTURE_TEST_CASE(a_missing_or_wrong_token_gets_401, served_schedule) {
  test_client client(server);
  auto req = client.make_request(runs("limit=0"));  // authentication comes before validation
  req.erase(http::field::authorization);
  const auto missing = client.get(req);
  BOOST_TEST(missing.result_int() == 401u);
  BOOST_TEST(detail_of(missing) == "Not authenticated");
  BOOST_TEST(missing[http::field::www_authenticate] == "Bearer");

  req.set(http::field::authorization, "Bearer not-" + server.options().token);
  BOOST_TEST(client.get(req).result_int() == 401u);
  req.set(http::field::authorization, "Basic " + server.options().token);
  BOOST_TEST(client.get(req).result_int() == 401u);
  req.set(http::field::authorization, "Bearer " + server.options().token);
  BOOST_TEST(client.get(req).result_int() == 422u);
}

BOOST_FIXTURE_TEST_CASE(unknown_schedules_organizations_and_paths_get_404, served_schedule) {
  test_client client(server);
  const auto unknown = client.get(runs_of(ha::format_uuid(ht::make_uuid(777))));
  BOOST_TEST(unknown.result_int() == 404u);
  BOOST_TEST(detail_of(unknown) == "Schedule not found");

  const auto other_org = client.get("/reports/schedules/" + ha::format_uuid(data.schedule.id) +
                                    "/runs?organization_id=" + ha::format_uuid(ht::make_uuid(2)));
  BOOST_TEST(other_org.result_int() == 404u);
  BOOST_TEST(detail_of(other_org) == "Schedule not found");

  for (const char* path : {"/", "/reports/schedules", "/reports/runs/", "/nope?organization_id=x"}) {
    const auto res = client.get(path);
    BOOST_TEST(res.result_int() == 404u, path);
    BOOST_TEST(detail_of(res) == "Not Found", path);
  }
}

BOOST_FIXTURE_TEST_CASE(invalid_parameters_get_422_in_fastapi_shape, served_schedule) {
  struct case_ {
    std::string target;
    std::string loc;
    std::string type;
  };
  const std::vector<case_> cases{
      {runs("limit=0"), R"(["query","limit"])", "greater_than_equal"},
      {runs("limit=101"), R"(["query","limit"])", "less_than_equal"},
      {runs("limit=ten"), R"(["query","limit"])", "int_parsing"},
      {runs("offset=-1"), R"(["query","offset"])", "greater_than_equal"},
      {runs("offset=1.5"), R"(["query","offset"])", "int_parsing"},
      {"/reports/schedules/" + ha::format_uuid(data.schedule.id) + "/runs", R"(["query","organization_id"])",
       "missing"},
      {runs_of("not-a-uuid"), R"(["path","schedule_id"])", "uuid_parsing"},
  };
  test_client client(server);
  for (const auto& c : cases) {
    const auto res = client.get(c.target);
    BOOST_TEST_REQUIRE(res.result_int() == 422u, c.target);
    const json::value body = body_of(res);
    const auto& errors = body.at("detail").as_array();
    BOOST_TEST_REQUIRE(errors.size() == 1u, c.target);
    BOOST_TEST(json::serialize(errors[0].at("loc")) == c.loc, c.target);
    BOOST_TEST(errors[0].at("type").as_string() == c.type, c.target);
    BOOST_TEST(!errors[0].at("msg").as_string().empty(), c.target);
  }
  // FastAPI reports every invalid parameter at once.
  const auto both = client.get(runs("limit=0&offset=-1"));
  BOOST_TEST(body_of(both).at("detail").as_array().size() == 2u);
}

// ---- transport ----

BOOST_FIXTURE_TEST_CASE(bodies_are_gzipped_when_the_client_accepts_it, served_schedule) {
  test_client client(server);
  const auto plain = client.get(runs("limit=100"));
  BOOST_TEST(plain[http::field::content_encoding].empty());

  auto req = client.make_request(runs("limit=100"));
  req.set(http::field::accept_encoding, "deflate, GZIP;q=0.9");
  const auto zipped = client.get(req);
  BOOST_TEST(zipped[http::field::content_encoding] == "gzip");
  BOOST_TEST(zipped.body().size() < plain.body().size());
  BOOST_TEST(gunzip(zipped.body()) == plain.body());
  BOOST_TEST(server.counters().gzip_responses == 1u);

  ht::fake_server_options options;
  options.gzip = false;
  served_schedule unzipped(options);
  test_client other(unzipped.server);
  auto same = other.make_request(unzipped.runs());
  same.set(http::field::accept_encoding, "gzip");
  const auto res = other.get(same);
  BOOST_TEST(res[http::field::content_encoding].empty());
  BOOST_TEST(page_of(res).runs.size() == 20u);
  BOOST_TEST(unzipped.server.counters().gzip_responses == 0u);
}

BOOST_AUTO_TEST_CASE(plain_http_when_tls_is_off) {
  ht::fake_server_options options;
  options.tls = false;
  served_schedule s(options);
  BOOST_TEST(s.server.base_url() == "http://127.0.0.1:" + std::to_string(s.server.port()));
  BOOST_TEST(s.server.certificate_pem().empty());
  test_client client(s.server);
  BOOST_TEST((page_of(client.get(s.runs())).runs == slice(s.data.runs, 0, 20)));
  BOOST_TEST(s.server.counters().handshakes == 0u);
  BOOST_TEST(s.server.counters().connections_accepted == 1u);
}

BOOST_FIXTURE_TEST_CASE(the_certificate_is_for_localhost_and_127_0_0_1_only, served_schedule) {
  BOOST_TEST(server.base_url() == "https://127.0.0.1:" + std::to_string(server.port()));
  BOOST_TEST(server.certificate_pem().starts_with("-----BEGIN CERTIFICATE-----"));

  test_client by_name(server, {.host = "localhost"});
  BOOST_TEST(by_name.get(runs()).result_int() == 200u);

  test_client tls_1_2(server, {.max_version = TLS1_2_VERSION});  // TLS 1.2 is enough, 1.3 not required
  BOOST_TEST(tls_1_2.get(runs()).result_int() == 200u);

  test_client wrong_name(server, {.host = "example.com"});
  BOOST_TEST(wrong_name.connect().failed());

  served_schedule other;  // every server makes its own certificate: trusting another one fails
  BOOST_TEST(other.server.certificate_pem() != server.certificate_pem());
  test_client wrong_ca(server, {.ca_pem = other.server.certificate_pem()});
  BOOST_TEST(wrong_ca.connect().failed());
  BOOST_TEST(server.counters().handshakes == 2u);
}

// ---- faults ----

BOOST_FIXTURE_TEST_CASE(a_delay_waits_without_holding_up_other_connections, served_schedule) {
  server.push_fault({.delay = 1000ms});
  const auto started = clock_type::now();
  auto delayed = std::async(std::launch::async, [&] {
    test_client client(server);
    response res;
    const error_code ec = client.exchange(client.make_request(runs()), res);
    return std::make_tuple(ec, res.result_int(), clock_type::now());
  });
  wait_for_requests(server, 1);  // the delayed request has taken the fault

  test_client other(server);
  BOOST_TEST(other.get(runs()).result_int() == 200u);
  const auto other_done = clock_type::now();

  const auto [ec, status, delayed_done] = delayed.get();
  BOOST_TEST(!ec);
  BOOST_TEST(status == 200u);
  BOOST_TEST((delayed_done - started >= 1000ms));
  BOOST_TEST((other_done < delayed_done));
}

BOOST_FIXTURE_TEST_CASE(a_status_fault_sends_its_headers_and_a_fastapi_body, served_schedule) {
  server.push_fault({.status = 429, .retry_after = "3", .ratelimit_reset = "1700000000"});
  server.push_fault({.status = 503, .body = R"({"detail":"maintenance"})", .times = 2});
  test_client client(server);
  const auto limited = client.get(runs());
  BOOST_TEST(limited.result_int() == 429u);
  BOOST_TEST(limited[http::field::retry_after] == "3");
  BOOST_TEST(limited["X-RateLimit-Reset"] == "1700000000");
  BOOST_TEST(detail_of(limited) == "Too Many Requests");
  for (int i = 0; i < 2; ++i) {
    const auto unavailable = client.get(runs());
    BOOST_TEST(unavailable.result_int() == 503u);
    BOOST_TEST(unavailable.body() == R"({"detail":"maintenance"})");
    BOOST_TEST(unavailable[http::field::retry_after].empty());
  }
  BOOST_TEST(client.get(runs()).result_int() == 200u);  // the queue is empty again
}

BOOST_FIXTURE_TEST_CASE(faults_apply_in_order_and_only_to_the_endpoints, served_schedule) {
  server.push_fault({.status = 500, .times = 2});
  server.push_fault({.status = 502});
  test_client client(server);
  BOOST_TEST(client.get("/elsewhere").result_int() == 404u);  // leaves the faults queued
  BOOST_TEST(client.get(runs()).result_int() == 500u);
  BOOST_TEST(client.get(run_details(ha::format_uuid(data.runs[0].id))).result_int() == 500u);
  BOOST_TEST(client.get(runs()).result_int() == 502u);
  BOOST_TEST(client.get(runs()).result_int() == 200u);
}

BOOST_FIXTURE_TEST_CASE(close_before_response, served_schedule) {
  server.push_fault({.close_before_response = true});
  test_client client(server);
  BOOST_REQUIRE(!client.send(client.make_request(runs())));
  http::response_parser<http::string_body> parser;
  const error_code ec = client.receive(parser);
  BOOST_TEST(ec.failed());
  BOOST_TEST(ec != error_code(beast::error::timeout));
  BOOST_TEST(!parser.got_some());  // not a byte of a response
  BOOST_TEST(server.counters().requests == 1u);  // the request was read

  test_client again(server);
  BOOST_TEST(again.get(runs()).result_int() == 200u);
}

BOOST_FIXTURE_TEST_CASE(close_mid_body, served_schedule) {
  test_client whole(server);
  const std::size_t full_size = whole.get(runs("limit=50")).body().size();

  server.push_fault({.close_mid_body = true});
  test_client client(server);
  BOOST_REQUIRE(!client.send(client.make_request(runs("limit=50"))));
  http::response_parser<http::string_body> parser;
  const error_code ec = client.receive(parser);
  BOOST_TEST(ec.failed());
  BOOST_TEST(ec != error_code(beast::error::timeout));
  BOOST_TEST_REQUIRE(parser.is_header_done());
  BOOST_TEST(parser.get().result_int() == 200u);
  BOOST_TEST(parser.content_length().value_or(0) == full_size);  // the head promised the whole body
  BOOST_TEST(parser.get().body().size() == full_size / 2);
}

BOOST_FIXTURE_TEST_CASE(malformed_chunked, served_schedule) {
  server.push_fault({.malformed_chunked = true});
  test_client client(server);
  BOOST_REQUIRE(!client.send(client.make_request(runs())));
  http::response_parser<http::string_body> parser;
  const error_code ec = client.receive(parser);
  BOOST_TEST(ec == error_code(http::error::bad_chunk));
  BOOST_TEST(parser.get()[http::field::transfer_encoding] == "chunked");
}

BOOST_FIXTURE_TEST_CASE(malformed_json, served_schedule) {
  server.push_fault({.malformed_json = true});
  test_client client(server);
  const auto res = client.get(runs());
  BOOST_TEST(res.result_int() == 200u);
  BOOST_TEST(res[http::field::content_length] == std::to_string(res.body().size()));
  error_code ec;
  json::parse(res.body(), ec);
  BOOST_TEST(ec.failed());
  BOOST_TEST(!ha::try_decode<ha::schedule_history>(std::string_view(res.body())).has_value());
}

// ---- the rate limit ----
// Counting tests use a 60 s window, which no loaded machine outlasts: a window opens with its
// first request, so only the test of the reset itself depends on time passing.

BOOST_AUTO_TEST_CASE(without_a_rate_limit_no_fields_and_a_window_must_be_positive) {
  served_schedule s;
  test_client client(s.server);
  const auto res = client.get(s.runs());
  BOOST_TEST(res["X-RateLimit-Limit"].empty());
  BOOST_TEST(res["RateLimit"].empty());
  BOOST_CHECK_THROW(ht::fake_server{rate_limited(1, 0ms)}, std::invalid_argument);
  BOOST_CHECK_THROW(ht::fake_server{rate_limited(1, -1ms)}, std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(every_request_to_an_endpoint_counts_and_the_reset_is_in_seconds_from_now) {
  served_schedule s(rate_limited(3, 60s));
  test_client client(s.server);
  const auto first = client.get(s.runs());
  BOOST_TEST(first.result_int() == 200u);
  BOOST_TEST(first["X-RateLimit-Limit"] == "3");
  BOOST_TEST(first["X-RateLimit-Remaining"] == "2");
  BOOST_TEST(first["X-RateLimit-Reset"] == "60");  // the first request opens the window
  BOOST_TEST(first["RateLimit"].empty());

  const auto elsewhere = client.get("/elsewhere");  // no endpoint: neither counted nor told
  BOOST_TEST(elsewhere.result_int() == 404u);
  BOOST_TEST(elsewhere["X-RateLimit-Limit"].empty());

  auto anonymous = client.make_request(s.runs());  // counted before authentication
  anonymous.erase(http::field::authorization);
  const auto refused = client.get(anonymous);
  BOOST_TEST(refused.result_int() == 401u);
  BOOST_TEST(refused["X-RateLimit-Remaining"] == "1");
  const long long reset = number_in(refused, "X-RateLimit-Reset");
  BOOST_TEST((reset >= 1 && reset <= 60));

  const auto last = client.get(s.run_details(ha::format_uuid(s.data.runs[0].id)));
  BOOST_TEST(last.result_int() == 200u);
  BOOST_TEST(last["X-RateLimit-Remaining"] == "0");
  BOOST_TEST(number_in(last, "X-RateLimit-Reset") <= reset);
}

BOOST_AUTO_TEST_CASE(the_reset_as_unix_time_names_the_end_of_the_window) {
  using std::chrono::system_clock;
  const auto unix_seconds = [](system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  };
  const long long before = unix_seconds(system_clock::now());
  served_schedule s(rate_limited(5, 60s, ht::rate_limit_style::reset_unix_time));
  test_client client(s.server);
  const auto first = client.get(s.runs());
  const auto second = client.get(s.runs());
  const long long after = unix_seconds(system_clock::now());
  BOOST_TEST(first["X-RateLimit-Limit"] == "5");
  BOOST_TEST(first["X-RateLimit-Remaining"] == "4");
  BOOST_TEST(second["X-RateLimit-Remaining"] == "3");
  const long long reset = number_in(first, "X-RateLimit-Reset");
  BOOST_TEST(number_in(second, "X-RateLimit-Reset") == reset);  // one window, one end
  BOOST_TEST((reset >= before + 60 && reset <= after + 61));    // its start, plus 60 s, rounded up
}

BOOST_AUTO_TEST_CASE(the_ietf_draft_fields_replace_the_x_ratelimit_ones) {
  served_schedule s(rate_limited(2, 60s, ht::rate_limit_style::ietf_draft));
  test_client client(s.server);
  const auto first = client.get(s.runs());
  BOOST_TEST(first["RateLimit"] == "limit=2, remaining=1, reset=60");
  BOOST_TEST(first["RateLimit-Policy"] == "2;w=60");
  BOOST_TEST(first["X-RateLimit-Limit"].empty());
  BOOST_TEST(first["X-RateLimit-Reset"].empty());
  BOOST_TEST(client.get(s.runs())["RateLimit"].starts_with("limit=2, remaining=0, reset="));

  const auto limited = client.get(s.runs());
  BOOST_TEST(limited.result_int() == 429u);
  BOOST_TEST(limited["RateLimit"] == "limit=2, remaining=0, reset=" + std::string(limited[http::field::retry_after]));
  BOOST_TEST(limited["RateLimit-Policy"] == "2;w=60");
}

BOOST_AUTO_TEST_CASE(beyond_the_allowance_429_with_retry_after_and_remaining_0) {
  served_schedule s(rate_limited(2, 60s));
  test_client client(s.server);
  BOOST_TEST(client.get(s.runs()).result_int() == 200u);
  BOOST_TEST(client.get(s.runs()).result_int() == 200u);
  for (int i = 0; i < 2; ++i) {
    const auto limited = client.get(s.runs());
    BOOST_TEST(limited.result_int() == 429u);
    BOOST_TEST(limited.body() == R"({"detail":"Too Many Requests"})");
    const long long retry_after = number_in(limited, "Retry-After");
    BOOST_TEST((retry_after >= 1 && retry_after <= 60));
    BOOST_TEST(number_in(limited, "X-RateLimit-Reset") == retry_after);
    BOOST_TEST(limited["X-RateLimit-Limit"] == "2");
    BOOST_TEST(limited["X-RateLimit-Remaining"] == "0");
    BOOST_TEST(limited.keep_alive());  // a refusal, not a reason to close
  }
  BOOST_TEST(s.server.counters().too_many_requests == 2u);
  BOOST_TEST(s.server.counters().requests == 4u);
}

BOOST_AUTO_TEST_CASE(a_refused_request_takes_no_fault_and_a_faults_429_counts_too) {
  served_schedule s(rate_limited(2, 60s));
  s.server.push_fault({.status = 429, .retry_after = "7", .ratelimit_reset = "1700000000"});
  test_client client(s.server);
  const auto scripted = client.get(s.runs());  // the gateway lets it through, the API refuses
  BOOST_TEST(scripted.result_int() == 429u);
  BOOST_TEST(scripted[http::field::retry_after] == "7");
  BOOST_TEST(scripted["X-RateLimit-Reset"] == "1700000000");  // the fault's own fields win
  BOOST_TEST(scripted["X-RateLimit-Remaining"] == "1");

  BOOST_TEST(client.get(s.runs()).result_int() == 200u);
  s.server.push_fault({.status = 503});
  BOOST_TEST(client.get(s.runs()).result_int() == 429u);  // the gateway's: the fault stays queued
  BOOST_TEST(client.get(s.runs())["X-RateLimit-Remaining"] == "0");
  BOOST_TEST(s.server.counters().too_many_requests == 3u);
}

BOOST_AUTO_TEST_CASE(the_allowance_comes_back_when_the_window_ends) {
  constexpr auto window = 300ms;
  served_schedule s(rate_limited(1, window));
  test_client client(s.server);
  const auto first = client.get(s.runs());
  BOOST_TEST(first.result_int() == 200u);
  BOOST_TEST(first["X-RateLimit-Remaining"] == "0");
  BOOST_TEST(first["X-RateLimit-Reset"] == "1");  // 300 ms, rounded up
  // The window opened when the first request arrived, before this sleep began.
  std::this_thread::sleep_for(window + 100ms);
  const auto next = client.get(s.runs());
  BOOST_TEST(next.result_int() == 200u);
  BOOST_TEST(next["X-RateLimit-Remaining"] == "0");
  BOOST_TEST(s.server.counters().too_many_requests == 0u);
}

BOOST_AUTO_TEST_CASE(every_connection_draws_on_one_allowance) {
  constexpr std::size_t connections = 4;
  constexpr std::size_t requests_each = 5;
  constexpr std::size_t limit = 10;
  served_schedule s(rate_limited(limit, 60s));
  // Statuses only: Boost.Test's assertions are not for other threads.
  std::vector<std::future<std::vector<unsigned>>> clients;
  for (std::size_t c = 0; c < connections; ++c)
    clients.push_back(std::async(std::launch::async, [&] {
      test_client client(s.server);
      std::vector<unsigned> statuses;
      for (std::size_t r = 0; r < requests_each; ++r) {
        response res;
        statuses.push_back(client.exchange(client.make_request(s.runs()), res) ? 0u : res.result_int());
      }
      return statuses;
    }));
  std::size_t ok = 0, limited = 0, other = 0;
  for (auto& client : clients)
    for (const unsigned status : client.get()) ++(status == 200 ? ok : status == 429 ? limited : other);
  BOOST_TEST(other == 0u);
  BOOST_TEST(ok == limit);
  BOOST_TEST(limited == connections * requests_each - limit);
  BOOST_TEST(s.server.counters().too_many_requests == limited);
}

// ---- connections ----

BOOST_AUTO_TEST_CASE(close_after_requests_ends_the_connection_after_k_answers) {
  ht::fake_server_options options;
  options.close_after_requests = 2;
  served_schedule s(options);
  test_client client(s.server);
  BOOST_TEST(client.get(s.runs()).keep_alive());
  const auto second = client.get(s.runs());
  BOOST_TEST(!second.keep_alive());
  BOOST_TEST(second[http::field::connection] == "close");
  response third;
  const error_code ec = client.exchange(client.make_request(s.runs()), third);
  BOOST_TEST(ec.failed());
  BOOST_TEST(ec != error_code(beast::error::timeout));
  BOOST_TEST(s.server.counters().requests == 2u);

  test_client next(s.server);
  BOOST_TEST(next.get(s.runs()).keep_alive());
  BOOST_TEST(s.server.counters().connections_accepted == 2u);
}

BOOST_AUTO_TEST_CASE(idle_close_ends_connections_that_wait_too_long) {
  ht::fake_server_options options;
  options.idle_close = 500ms;
  served_schedule s(options);
  test_client client(s.server);
  BOOST_TEST(client.get(s.runs()).result_int() == 200u);
  std::this_thread::sleep_for(50ms);
  BOOST_TEST(client.get(s.runs()).result_int() == 200u);  // a short wait keeps it open

  // Without sending anything, the read ends when the server closes, long before our deadline.
  const auto waiting = clock_type::now();
  response nothing;
  const error_code ec = client.receive(nothing);
  BOOST_TEST(ec.failed());
  BOOST_TEST(ec != error_code(beast::error::timeout));
  BOOST_TEST((clock_type::now() - waiting >= 400ms));
  BOOST_TEST(s.server.counters().connections_accepted == 1u);
}

BOOST_FIXTURE_TEST_CASE(counters_count_connections_requests_and_concurrency, served_schedule) {
  server.reset_counters();
  for (int connection = 0; connection < 3; ++connection) {
    test_client client(server);
    BOOST_TEST(client.get(runs("limit=5")).result_int() == 200u);
    BOOST_TEST(client.get("/elsewhere").result_int() == 404u);
  }
  auto counts = server.counters();
  BOOST_TEST(counts.connections_accepted == 3u);
  BOOST_TEST(counts.handshakes == 3u);
  BOOST_TEST(counts.requests == 6u);
  BOOST_TEST(counts.max_concurrent_requests == 1u);
  const std::string path = "/reports/schedules/" + ha::format_uuid(data.schedule.id) + "/runs";
  BOOST_TEST(counts.by_path[path] == 3u);
  BOOST_TEST(counts.by_path["/elsewhere"] == 3u);
  BOOST_TEST(counts.by_target[runs("limit=5")] == 3u);

  // Three requests held by a delay are in flight at once.
  server.push_fault({.delay = 1500ms, .times = 3});
  std::vector<std::future<unsigned>> slow;
  for (int i = 0; i < 3; ++i)
    slow.push_back(std::async(std::launch::async, [&] {
      test_client client(server);
      response res;
      return client.exchange(client.make_request(runs()), res) ? 0u : res.result_int();
    }));
  for (auto& status : slow) BOOST_TEST(status.get() == 200u);
  BOOST_TEST(server.counters().max_concurrent_requests == 3u);

  server.reset_counters();
  counts = server.counters();
  BOOST_TEST(counts.requests == 0u);
  BOOST_TEST(counts.connections_accepted == 0u);
  BOOST_TEST(counts.max_concurrent_requests == 0u);
  BOOST_TEST(counts.by_path.empty());
  BOOST_TEST(counts.by_target.empty());
}

BOOST_FIXTURE_TEST_CASE(many_keep_alive_connections_at_once, served_schedule) {
  constexpr int connections = 20;
  constexpr int requests_each = 5;
  std::vector<std::future<int>> clients;
  for (int c = 0; c < connections; ++c)
    clients.push_back(std::async(std::launch::async, [&, c] {
      test_client client(server);
      int answered = 0;
      for (int r = 0; r < requests_each; ++r) {
        response res;
        const auto offset = std::to_string(c * requests_each + r);
        if (!client.exchange(client.make_request(runs("limit=1&offset=" + offset)), res) && res.result_int() == 200)
          ++answered;
      }
      return answered;
    }));
  for (auto& client : clients) BOOST_TEST(client.get() == requests_each);
  const auto counts = server.counters();
  BOOST_TEST(counts.connections_accepted == std::size_t{connections});
  BOOST_TEST(counts.requests == std::size_t{connections * requests_each});
  BOOST_TEST(counts.by_target.size() == std::size_t{connections * requests_each});
}

BOOST_FIXTURE_TEST_CASE(stop_closes_open_connections_promptly, served_schedule) {
  server.push_fault({.delay = 30s});
  auto waiting = std::async(std::launch::async, [&] {
    test_client client(server);
    response res;
    return client.exchange(client.make_request(runs()), res);
  });
  wait_for_requests(server, 1);  // one connection waits on the delay
  test_client idle(server);
  BOOST_TEST(idle.get(runs()).result_int() == 200u);  // one waits for its next request

  const auto stopping = clock_type::now();
  server.stop();
  BOOST_TEST((clock_type::now() - stopping < 2s));
  const error_code delayed = waiting.get();
  BOOST_TEST(delayed.failed());
  BOOST_TEST(delayed != error_code(beast::error::timeout));
  response none;
  const error_code idle_error = idle.receive(none);
  BOOST_TEST(idle_error.failed());
  BOOST_TEST(idle_error != error_code(beast::error::timeout));

  server.stop();  // idempotent
  test_client late(server);
  BOOST_TEST(late.connect().failed());  // no longer listening
}

BOOST_AUTO_TEST_CASE(runs_on_the_callers_executor_even_with_many_threads) {
  asio::io_context io;
  ht::fake_server server(io.get_executor());
  const auto data = server.add_schedule(30, 3);
  std::vector<std::future<void>> threads;
  for (int i = 0; i < 2; ++i) threads.push_back(std::async(std::launch::async, [&] { io.run(); }));

  const auto target = "/reports/schedules/" + ha::format_uuid(data.schedule.id) +
                      "/runs?organization_id=" + ha::format_uuid(server.options().organization);
  test_client first(server);
  test_client second(server);
  for (int i = 0; i < 3; ++i) {
    BOOST_TEST((page_of(first.get(target)).runs == slice(data.runs, 0, 20)));
    BOOST_TEST(second.get(target).result_int() == 200u);
  }

  server.stop();  // closes the open connections too: then the server has no work left
  bool finished = true;
  for (auto& thread : threads) finished = finished && thread.wait_for(5s) == std::future_status::ready;
  if (!finished) io.stop();
  BOOST_TEST(finished);
}

BOOST_AUTO_TEST_SUITE_END()
