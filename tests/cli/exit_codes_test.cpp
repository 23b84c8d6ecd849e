// The exit codes a job runner acts on, for every command that calls the API: 1 for a failure
// worth retrying, 2 for bad input (nothing sent), 3 for a failure a retry only repeats; and a
// batch's worst failure, whatever the order of its schedules.

#include "cli_fixture.hpp"

#include <boost/test/unit_test.hpp>

namespace ha = humm::analyst;
namespace hat = humm::analyst::testing;
using namespace humm_test;
using namespace std::chrono_literals;

namespace {

hat::fake_server_options secret_token() {
  hat::fake_server_options options;
  options.token = "hp_s3cret-Token-4242";
  return options;
}

struct exit_codes_fixture {
  cli_server api{secret_token()};
  hat::schedule_data data = api.server.add_schedule(30, 61);
  temp_file ids{id_of(data) + "\n"};

  // One request each (30 runs fit on a page), without retries: one fault decides the outcome.
  std::vector<std::vector<std::string>> every_network_command(const std::string& org) const {
    const std::vector<std::string> quick{"--retries", "0"};
    std::vector<std::vector<std::string>> commands{
        {"fetch", "--schedule", id_of(data), "--org", org},
        {"walk", "--schedule", id_of(data), "--org", org},
        {"batch", "--org", org, "--schedules-file", ids.path},
        {"run", "--run", ha::format_uuid(data.runs[3].id), "--org", org}};
    for (auto& command : commands) command.insert(command.end(), quick.begin(), quick.end());
    return commands;
  }
  std::vector<std::vector<std::string>> every_network_command() const { return every_network_command(api.org); }

  // Runs each command with `f` as its one request's answer; each must exit `expected`.
  void expect(const hat::fault& f, int expected, const std::string& kind, std::vector<std::string> extra = {}) {
    for (auto command : every_network_command()) {
      api.server.push_fault(f);
      command.insert(command.end(), extra.begin(), extra.end());
      const auto r = api.run(command);
      BOOST_TEST(r.exit_code == expected, kind << ", " << command[0] << ": " << r.err);
      BOOST_TEST(!r.err.empty(), kind << ", " << command[0] << ": a failure says why");
    }
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(exit_codes)

BOOST_FIXTURE_TEST_CASE(server_errors_and_too_many_requests_exit_1_worth_retrying, exit_codes_fixture) {
  for (const unsigned status : {500u, 502u, 503u, 504u, 429u, 408u})
    expect({.status = status}, 1, "HTTP " + std::to_string(status));
}

BOOST_FIXTURE_TEST_CASE(network_failures_timeouts_and_deadlines_exit_1_worth_retrying, exit_codes_fixture) {
  expect({.close_before_response = true}, 1, "a connection closed before the answer");
  expect({.close_mid_body = true}, 1, "a connection closed in the body");
  expect({.delay = 5s}, 1, "a timeout", {"--timeout", "0.3"});
  expect({.delay = 5s}, 1, "a deadline", {"--deadline", "0.3"});
  // Nobody listens where the API should be.
  cli_server gone;
  const std::string closed_url = gone.server.base_url();
  gone.server.stop();
  for (auto command : every_network_command()) {
    command.insert(command.end(), {"--base-url", closed_url, "--ca-file", api.ca_file});
    const auto r = run_process(exe, command, api.env());
    BOOST_TEST(r.exit_code == 1, command[0] << ": " << r.err);
  }
}

BOOST_FIXTURE_TEST_CASE(refusals_of_the_api_exit_3_as_a_retry_would_only_repeat_them, exit_codes_fixture) {
  for (const unsigned status : {400u, 403u, 404u, 410u, 422u})
    expect({.status = status}, 3, "HTTP " + std::to_string(status));
  // A wrong token: 401, and the token is in no line.
  for (const auto& command : every_network_command()) {
    const auto r = api.run(command, clean_env("hp_wrong-Token-987"));
    BOOST_TEST(r.exit_code == 3, command[0] << ": " << r.err);
    BOOST_TEST(r.err.find("HTTP 401: Not authenticated") != std::string::npos, command[0] << ": " << r.err);
    BOOST_TEST(r.err.find("hp_wrong-Token-987") == std::string::npos, command[0] << ": the token was printed");
  }
  // A 401 whose detail echoes the right token: shown redacted, by `run` too.
  const std::string token = api.server.options().token;
  for (const auto& command : every_network_command()) {
    api.server.push_fault({.status = 401, .body = R"({"detail":"invalid credentials: Bearer )" + token + R"("})"});
    const auto r = api.run(command);
    BOOST_TEST(r.exit_code == 3, command[0] << ": " << r.err);
    BOOST_TEST(r.err.find("Bearer [redacted]") != std::string::npos, command[0] << ": " << r.err);
    BOOST_TEST(r.err.find("s3cret") == std::string::npos, command[0] << ": the token was printed");
  }
}

BOOST_FIXTURE_TEST_CASE(answers_that_cannot_be_read_or_trusted_exit_3, exit_codes_fixture) {
  expect({.malformed_json = true}, 3, "a body that is not JSON");
  // A certificate nobody trusts: without --ca-file, the system's store does not know the server.
  for (const auto& command : every_network_command()) {
    auto untrusted = command;
    untrusted.insert(untrusted.end(), {"--base-url", api.server.base_url()});
    const auto r = run_process(exe, untrusted, api.env());
    BOOST_TEST(r.exit_code == 3, command[0] << ": " << r.err);
    BOOST_TEST(r.err.find("certificate") != std::string::npos, command[0] << ": " << r.err);
  }
}

BOOST_FIXTURE_TEST_CASE(arguments_the_client_refuses_exit_2_before_any_request, exit_codes_fixture) {
  for (const auto& command : every_network_command("")) {
    const auto r = api.run(command);
    BOOST_TEST(r.exit_code == 2, command[0] << ": " << r.err);
    BOOST_TEST(r.err.find("organization_id: is required and must not be empty") != std::string::npos, r.err);
  }
  BOOST_TEST(api.server.counters().requests == 0u);
}

BOOST_FIXTURE_TEST_CASE(a_batch_exits_with_its_worst_failure_whatever_the_order_of_its_schedules, exit_codes_fixture) {
  const std::string unknown = "00000000-0000-4000-8000-000000000404";  // 404: permanent
  const auto batch = [&](const std::string& list) {
    const temp_file file(list);
    return api.run({"batch", "--org", api.org, "--schedules-file", file.path, "--concurrency", "1", "--retries", "0"});
  };
  // Walked one at a time, in list order: the first request is the first schedule's.
  api.server.push_fault({.status = 503});
  const auto transient_then_permanent = batch(id_of(data) + "\n" + unknown + "\n");
  BOOST_TEST(transient_then_permanent.exit_code == 3, transient_then_permanent.err);
  BOOST_TEST(transient_then_permanent.err.find("HTTP 503") != std::string::npos, transient_then_permanent.err);

  api.server.push_fault({});  // the first request as usual
  api.server.push_fault({.status = 503});
  const auto permanent_then_transient = batch(unknown + "\n" + id_of(data) + "\n");
  BOOST_TEST(permanent_then_transient.exit_code == 3, permanent_then_transient.err);
  BOOST_TEST(permanent_then_transient.err.find("HTTP 503") != std::string::npos, permanent_then_transient.err);
  BOOST_TEST(permanent_then_transient.err.find("humm-history: 2 of 2 schedules failed") != std::string::npos);

  api.server.push_fault({.status = 503});
  const auto transient_only = batch(id_of(data) + "\n" + id_of(api.server.add_schedule(5, 62)) + "\n");
  BOOST_TEST(transient_only.exit_code == 1, transient_only.err);
  BOOST_TEST(transient_only.err.find("humm-history: 1 of 2 schedules failed") != std::string::npos, transient_only.err);
}

BOOST_FIXTURE_TEST_CASE(a_batch_with_a_journal_exits_with_its_worst_failure_too, exit_codes_fixture) {
  const std::string unknown = "00000000-0000-4000-8000-000000000404";  // 404: permanent
  const temp_file list(id_of(data) + "\n" + unknown + "\n");
  const temp_file output(""), state("");
  std::remove(state.path.c_str());  // a journal begins where none is
  api.server.push_fault({.status = 503});
  const auto r = api.run({"batch", "--org", api.org, "--schedules-file", list.path, "--concurrency", "1", "--retries",
                          "0", "--output", output.path, "--state", state.path});
  BOOST_TEST(r.exit_code == 3, r.err);
  BOOST_TEST(r.err.find("HTTP 503") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_SUITE_END()
