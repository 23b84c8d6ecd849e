// The client's calls, arguments, errors and completion tokens, against the fake server.

#include "client_fixture.hpp"

#include <humm/analyst/decode.hpp>
#include <humm/analyst/printable.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/use_awaitable.hpp>

using namespace humm_test;

BOOST_AUTO_TEST_SUITE(client_calls)

BOOST_AUTO_TEST_CASE(a_page_is_the_server_data) {
  client_fixture f;
  auto c = f.make_client();
  const ha::schedule_history page = f.run(c.get_schedule_history(f.schedule_id(), f.query(100, 200)));
  BOOST_TEST((page.schedule == f.schedule.schedule));
  BOOST_REQUIRE(page.runs.size() == 50u);
  BOOST_TEST((page.runs.front() == f.schedule.runs[200]));
  BOOST_TEST((page.runs.back() == f.schedule.runs[249]));
  BOOST_TEST((page.pagination.total() == 250));
  BOOST_TEST(c.stats().tls_handshakes == 1u);
  BOOST_TEST(f.server.counters().handshakes == 1u);
}

BOOST_AUTO_TEST_CASE(defaults_are_limit_20_offset_0) {
  client_fixture f;
  auto c = f.make_client();
  ha::history_query q;
  q.organization_id = f.organization;
  const auto page = f.run(c.get_schedule_history(f.schedule_id(), q));
  BOOST_TEST(page.runs.size() == 20u);
  BOOST_TEST(f.server.counters().by_target.count("/reports/schedules/" + f.schedule_id() + "/runs?organization_id=" +
                                                 f.organization + "&limit=20&offset=0") == 1u);
}

BOOST_AUTO_TEST_CASE(run_details_are_fetched) {
  client_fixture f;
  auto c = f.make_client();
  const auto& run = f.schedule.runs[3];
  const ha::run_details details = f.run(c.get_run_details(ha::format_uuid(run.id), f.organization));
  BOOST_TEST((details.run == run));
  BOOST_TEST((details.schedule == f.schedule.schedule));
}

BOOST_AUTO_TEST_CASE(bad_arguments_name_the_parameter_and_send_nothing) {
  client_fixture f;
  auto c = f.make_client();
  struct case_t {
    std::string id;
    ha::history_query q;
    std::string starts_with;
  } cases[] = {
      {f.schedule_id(), ha::history_query{"", 20, 0, {}}, "organization_id: "},
      {f.schedule_id(), ha::history_query{f.organization, 0, 0, {}}, "limit: "},
      {f.schedule_id(), ha::history_query{f.organization, 101, 0, {}}, "limit: "},
      {f.schedule_id(), ha::history_query{f.organization, 20, -5, {}}, "offset: "},
      {"not-a-uuid", ha::history_query{f.organization, 20, 0, {}}, "schedule_id: "},
  };
  for (auto& k : cases) {
    const ha::api_error e = f.failure_of(c, k.id, k.q);
    BOOST_TEST(e.code() == ha::errc::invalid_argument);
    BOOST_TEST(std::string(e.what()).find(k.starts_with) == 0u, e.what());
    BOOST_TEST(!e.retryable());
  }
  auto bad_token = f.make_client([](ha::client_options& o) { o.token = "hk_secret_value\r\nX-Injected: 1"; });
  const ha::api_error e = f.failure_of(bad_token, f.schedule_id(), f.query());
  BOOST_TEST(e.code() == ha::errc::invalid_argument);
  BOOST_TEST(std::string(e.what()).find("token: ") == 0u);
  BOOST_TEST(std::string(e.what()).find("hk_secret_value") == std::string::npos);
  BOOST_TEST(f.server.counters().requests == 0u);
  BOOST_TEST(f.server.counters().connections_accepted == 0u);
}

BOOST_AUTO_TEST_CASE(bad_options_are_rejected_at_construction) {
  client_fixture f;
  BOOST_CHECK_EXCEPTION(f.make_client([](ha::client_options& o) { o.base_url = "ftp://x"; }), std::invalid_argument,
                        [](const std::exception& e) { return std::string(e.what()).find("base_url") == 0; });
  BOOST_CHECK_EXCEPTION(f.make_client([](ha::client_options& o) { o.tls.ca_file = "/nonexistent.pem"; }),
                        std::invalid_argument,
                        [](const std::exception& e) { return std::string(e.what()).find("tls.ca_file") == 0; });
}

BOOST_AUTO_TEST_CASE(http_errors_carry_status_request_id_and_details) {
  client_fixture f;
  auto c = f.make_client();
  const ha::api_error unknown = f.failure_of(c, ha::format_uuid(ha::testing::make_uuid(999)), f.query());
  BOOST_TEST(unknown.code() == ha::errc::http_status);
  BOOST_TEST(unknown.http_status() == 404u);
  BOOST_TEST(!unknown.details().request_id.empty());
  BOOST_TEST(std::string(unknown.what()).find("HTTP 404") != std::string::npos);
  BOOST_TEST(std::string(unknown.what()) == unknown.details().message);  // one line, nothing appended
  BOOST_TEST(unknown.details().attempts == 1);

  f.server.push_fault({.status = 422,
                       .body = R"({"detail":[{"loc":["query","limit"],"msg":"too big","type":"less_than_equal"}]})"});
  const ha::api_error invalid = f.failure_of(c, f.schedule_id(), f.query());
  BOOST_TEST(invalid.http_status() == 422u);
  BOOST_REQUIRE(invalid.details().validation.size() == 1u);
  BOOST_TEST(invalid.details().validation[0].loc == (std::vector<std::string>{"query", "limit"}));
  BOOST_TEST(invalid.details().validation[0].msg == "too big");
}

BOOST_AUTO_TEST_CASE(the_token_never_appears_in_errors) {
  const std::string token = "hk_live_TOPSECRET_4242";
  client_fixture f({.token = token});
  auto c = f.make_client([&](ha::client_options& o) {
    o.token = token;
    o.request_timeout = std::chrono::milliseconds{200};
    o.retry.max_retries = 0;
  });
  auto wrong = f.make_client([&](ha::client_options& o) { o.token = "hk_live_WRONG_TOPSECRET"; });
  std::vector<ha::api_error> errors;
  errors.push_back(f.failure_of(wrong, f.schedule_id(), f.query()));  // 401
  errors.push_back(f.failure_of(c, ha::format_uuid(ha::testing::make_uuid(5)), f.query()));  // 404
  f.server.push_fault({.status = 500});
  errors.push_back(f.failure_of(c, f.schedule_id(), f.query()));
  f.server.push_fault({.delay = std::chrono::milliseconds{1000}});
  errors.push_back(f.failure_of(c, f.schedule_id(), f.query()));  // timeout
  f.server.push_fault({.malformed_json = true});
  errors.push_back(f.failure_of(c, f.schedule_id(), f.query()));  // decode
  errors.push_back(f.failure_of(c, f.schedule_id(), f.query(0)));  // invalid argument
  BOOST_TEST(errors[0].http_status() == 401u);
  for (const auto& e : errors) {
    const std::string all = std::string(e.what()) + e.details().message + e.details().body_excerpt;
    BOOST_TEST(all.find("TOPSECRET") == std::string::npos, "an error text holds the token");
  }
}

// Every text an error carries: what a program logs or shows.
std::string all_texts(const ha::api_error& e) {
  const ha::error_details& d = e.details();
  std::string all = std::string(e.what()) + "|" + d.message + "|" + d.body_excerpt + "|" + d.request_id;
  for (const auto& issue : d.validation) {
    for (const auto& part : issue.loc) all += "|" + part;
    all += "|" + issue.msg + "|" + issue.type;
  }
  return all;
}

BOOST_AUTO_TEST_CASE(a_token_the_server_echoes_back_is_redacted_from_every_error_text) {
  const std::string token = "hk_live_EchoedBack_0123456789abcdef";
  client_fixture f({.token = token});
  auto c = f.make_client([&](ha::client_options& o) { o.retry.max_retries = 0; });
  std::vector<ha::api_error> errors;
  f.server.push_fault({.status = 401, .body = R"({"detail":"invalid credentials: Authorization: Bearer )" + token + R"("})"});
  errors.push_back(f.failure_of(c, f.schedule_id(), f.query()));
  f.server.push_fault({.status = 422, .body = R"({"detail":[{"loc":["header",")" + token + R"("],"msg":"bad token )" +
                                                  token + R"(","type":")" + token + R"("}]})"});
  errors.push_back(f.failure_of(c, f.schedule_id(), f.query()));
  // A decode error quotes the offending value, shortened: the cut falls inside the token.
  f.server.push_fault({.status = 200, .body = R"({"schedule":"The bearer token sent was )" + token + R"(","runs":[]})"});
  errors.push_back(f.failure_of(c, f.schedule_id(), f.query()));
  f.server.push_fault({.status = 500, .headers = {{"x-request-id", "req-" + token}}});
  errors.push_back(f.failure_of(c, f.schedule_id(), f.query()));
  f.server.push_fault({.status = 302, .headers = {{"Location", "https://login.example/?token=" + token}}});
  errors.push_back(f.failure_of(c, f.schedule_id(), f.query()));
  BOOST_TEST(errors[0].http_status() == 401u);
  BOOST_TEST(errors[1].details().validation.size() == 1u);
  BOOST_TEST(errors[2].code() == ha::errc::decode);
  BOOST_TEST(errors[3].details().request_id == "req-[redacted]");
  BOOST_TEST(errors[4].details().message.find("redirect to https://login.example/?token=[redacted]") != std::string::npos,
             errors[4].details().message);
  for (const auto& e : errors) {
    const std::string all = all_texts(e);
    BOOST_TEST(all.find(token.substr(0, 8)) == std::string::npos, "an error text holds the token: " << e.code());
    BOOST_TEST(all.find("[redacted]") != std::string::npos, "nothing was redacted: " << e.code());
  }
}

BOOST_AUTO_TEST_CASE(server_text_in_errors_is_one_line_that_sends_nothing_to_the_terminal) {
  client_fixture f;
  auto c = f.make_client([&](ha::client_options& o) { o.retry.max_retries = 0; });
  f.server.push_fault({.status = 404,
                       .body = R"({"detail":"gone\u001b]0;owned\u0007\u001b[2J\nhumm-history: all schedules fetched"})"});
  const ha::api_error e = f.failure_of(c, f.schedule_id(), f.query());
  const std::string all = all_texts(e);
  for (const char ch : all) BOOST_TEST((static_cast<unsigned char>(ch) >= 0x20 && ch != 0x7f), "a control byte in: " << ha::printable(all));
  BOOST_TEST(e.details().message.find("gone\\x1b]0;owned\\x07\\x1b[2J\\nhumm-history: all schedules fetched") !=
                 std::string::npos,
             e.details().message);
}

BOOST_AUTO_TEST_CASE(a_host_with_a_nul_is_refused_before_anything_is_sent) {
  // A certificate made only for elsewhere.example: with the NUL kept, the resolver and SNI
  // saw "localhost" and the host-name check was switched off, so the call succeeded.
  client_fixture f({.certificate_hosts = {"elsewhere.example"}});
  const std::string url = "https://localhost%00.elsewhere.example:" + std::to_string(f.server.port());
  BOOST_CHECK_EXCEPTION(f.make_client([&](ha::client_options& o) { o.base_url = url; }), std::invalid_argument,
                        [](const std::exception& e) {
                          return std::string(e.what()).find("base_url: the host holds a control character") == 0;
                        });
  BOOST_TEST(f.server.counters().handshakes == 0u);
}

BOOST_AUTO_TEST_CASE(default_and_per_call_header_fields_reach_the_server_after_the_sdks_user_agent) {
  client_fixture f;
  auto c = f.make_client([](ha::client_options& o) {
    o.user_agent = "billing-sync/3.1";
    o.default_headers = {{"X-Tenant", "acme"}, {"X-Team", "data"}};
  });
  f.run(c.get_schedule_history(f.schedule_id(), f.query(1)));
  auto seen = f.server.counters().last_request_headers;
  BOOST_TEST(seen["user-agent"] == std::string("humm-analyst-cpp/") + ha::version + " billing-sync/3.1");
  BOOST_TEST(seen["x-tenant"] == "acme");
  BOOST_TEST(seen["x-team"] == "data");
  ha::history_query q = f.query(1);
  q.call.headers = {{"X-Tenant", "beta"}, {"traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}};
  f.run(c.get_schedule_history(f.schedule_id(), q));
  seen = f.server.counters().last_request_headers;
  BOOST_TEST(seen["x-tenant"] == "beta");
  BOOST_TEST(seen["x-team"] == "data");
  BOOST_TEST(seen.count("traceparent") == 1u);
  BOOST_TEST(seen["authorization"] == "Bearer " + f.server.options().token);  // still the client's own
}

BOOST_AUTO_TEST_CASE(a_header_field_that_could_send_the_token_elsewhere_or_split_the_request_is_refused) {
  client_fixture f;
  BOOST_CHECK_EXCEPTION(f.make_client([](ha::client_options& o) { o.default_headers = {{"Authorization", "Bearer x"}}; }),
                        std::invalid_argument, [](const std::exception& e) {
                          return std::string(e.what()) ==
                                 "default_headers: Authorization cannot be set here: the token is set by client_options::token";
                        });
  BOOST_CHECK_THROW(f.make_client([](ha::client_options& o) { o.default_headers = {{"X-A", "1\r\nHost: evil"}}; }),
                    std::invalid_argument);
  auto c = f.make_client();
  ha::history_query q = f.query(1);
  q.call.headers = {{"Host", "elsewhere.example"}};
  const ha::api_error e = f.failure_of(c, f.schedule_id(), q);
  BOOST_TEST(e.code() == ha::errc::invalid_argument);
  BOOST_TEST(e.details().message.find("Host cannot be set here") != std::string::npos, e.details().message);
  BOOST_TEST(f.server.counters().requests == 0u);
}

BOOST_AUTO_TEST_CASE(plain_http_beyond_loopback_is_refused_unless_allowed) {
  client_fixture f({.tls = false});
  BOOST_CHECK_EXCEPTION(f.make_client([](ha::client_options& o) { o.base_url = "http://analyst.example.com"; }),
                        std::invalid_argument, [](const std::exception& e) {
                          return std::string(e.what()).find("would send the token unencrypted") != std::string::npos;
                        });
  BOOST_CHECK_NO_THROW(f.make_client([](ha::client_options& o) {
    o.base_url = "http://analyst.example.com";
    o.allow_insecure_http = true;
  }));
}

BOOST_AUTO_TEST_CASE(a_body_that_is_not_the_documented_json_is_a_decode_error) {
  client_fixture f;
  auto c = f.make_client();
  f.server.push_fault({.malformed_json = true});
  const ha::api_error e = f.failure_of(c, f.schedule_id(), f.query());
  BOOST_TEST(e.code() == ha::errc::decode);
  BOOST_TEST(std::string(e.what()).find("invalid JSON at line 1") != std::string::npos, e.what());
  BOOST_TEST(!e.details().body_excerpt.empty());
}

BOOST_AUTO_TEST_CASE(the_body_limit_holds_plain_and_gzip) {
  for (bool gzip : {false, true}) {
    client_fixture f;
    auto c = f.make_client([&](ha::client_options& o) {
      o.max_response_bytes = 4000;
      o.gzip = gzip;
    });
    const ha::api_error e = f.failure_of(c, f.schedule_id(), f.query(100));
    BOOST_TEST(e.code() == ha::errc::body_too_large, "gzip " << gzip << ": " << e.what());
    BOOST_TEST(f.run(c.get_schedule_history(f.schedule_id(), f.query(1))).runs.size() == 1u);
  }
}

BOOST_AUTO_TEST_CASE(gzip_bodies_are_inflated) {
  client_fixture f;
  auto gzip = f.make_client();
  auto plain = f.make_client([](ha::client_options& o) { o.gzip = false; });
  const auto a = f.run(gzip.get_schedule_history(f.schedule_id(), f.query(100)));
  const auto b = f.run(plain.get_schedule_history(f.schedule_id(), f.query(100)));
  BOOST_TEST((a == b));
  BOOST_TEST(a.runs.size() == 100u);
  BOOST_TEST(f.server.counters().gzip_responses == 1u);
}

BOOST_AUTO_TEST_CASE(completion_tokens) {
  client_fixture f;
  auto c = f.make_client();
  // A plain callback.
  std::error_code callback_ec = ha::errc::decode;
  std::size_t callback_runs = 0;
  c.async_get_schedule_history(f.schedule_id(), f.query(5), [&](boost::system::error_code ec, ha::schedule_history h) {
    callback_ec = ec;
    callback_runs = h.runs.size();
  });
  f.io.restart();
  f.io.run();
  BOOST_TEST(!callback_ec);
  BOOST_TEST(callback_runs == 5u);

  // A callback with diagnostics.
  ha::error_details details;
  boost::system::error_code failed;
  c.async_get_schedule_history(ha::format_uuid(ha::testing::make_uuid(1234)), f.query(), &details,
                               [&](boost::system::error_code ec, ha::schedule_history) { failed = ec; });
  f.io.restart();
  f.io.run();
  BOOST_TEST(failed == ha::errc::http_status);
  BOOST_TEST(details.http_status == 404u);

  // use_future, with the io_context run by another thread.
  {
    auto guard = asio::make_work_guard(f.io);
    f.io.restart();
    std::thread runner([&] { f.io.run(); });
    auto future = c.async_get_schedule_history(f.schedule_id(), f.query(7), asio::use_future);
    BOOST_TEST(future.get().runs.size() == 7u);
    guard.reset();
    runner.join();
  }

  // deferred and as_tuple, inside a coroutine.
  const auto sizes = f.run([&]() -> asio::awaitable<std::pair<std::size_t, std::size_t>> {
    auto op = c.async_get_schedule_history(f.schedule_id(), f.query(3), asio::deferred);
    const ha::schedule_history first = co_await std::move(op)(asio::use_awaitable);
    auto [ec, second] = co_await c.async_get_schedule_history(f.schedule_id(), f.query(4),
                                                              asio::as_tuple(asio::use_awaitable));
    BOOST_TEST(!ec);
    co_return std::pair{first.runs.size(), second.runs.size()};
  }());
  BOOST_TEST(sizes.first == 3u);
  BOOST_TEST(sizes.second == 4u);
}

BOOST_AUTO_TEST_CASE(plain_http_base_urls_work) {
  client_fixture f({.tls = false});
  auto c = f.make_client();
  BOOST_TEST(f.server.base_url().rfind("http://", 0) == 0u);
  BOOST_TEST(f.run(c.get_schedule_history(f.schedule_id(), f.query(2))).runs.size() == 2u);
  BOOST_TEST(c.stats().tls_handshakes == 0u);
}

BOOST_AUTO_TEST_CASE(options_from_the_environment) {
  setenv("HUMM_API_TOKEN", " from-env\n", 1);  // as `export HUMM_API_TOKEN="$(cat file)"` leaves it
  setenv("HUMM_PAT", "pat", 1);
  setenv("HUMM_BASE_URL", "http://127.0.0.1:1", 1);
  auto o = ha::client_options::from_env();
  BOOST_TEST(o.token == "from-env");
  BOOST_TEST(o.base_url == "http://127.0.0.1:1");
  unsetenv("HUMM_API_TOKEN");
  BOOST_TEST(ha::client_options::from_env().token == "pat");
  unsetenv("HUMM_PAT");
  unsetenv("HUMM_BASE_URL");
  o = ha::client_options::from_env();
  BOOST_TEST(o.token.empty());
  BOOST_TEST(o.base_url == "https://analyst.heyhumm.ai");
}

BOOST_AUTO_TEST_SUITE_END()
