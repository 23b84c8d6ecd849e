// What every network command shares: the token and where it comes from, the base URL, TLS
// trust, retries and timeouts, --help and --version.

#include "cli_fixture.hpp"

#include <humm/analyst/printable.hpp>

#include <boost/test/unit_test.hpp>

#include <cctype>

namespace hat = humm::analyst::testing;
using namespace humm_test;

namespace {

hat::fake_server_options secret_token() {
  hat::fake_server_options options;
  options.token = "hp_s3cret-Token-0123456789";
  return options;
}

// The request targets of the -v lines: what follows "GET " up to the next space or colon.
// Error lines name the path alone, without a query, and are left out.
std::vector<std::string> logged_targets(const std::string& err) {
  std::vector<std::string> targets;
  for (const std::string& line : lines_of(err)) {
    const auto start = line.find("GET ");
    if (start == std::string::npos) continue;
    const auto end = line.find_first_of(" :", start + 4);
    std::string target = line.substr(start + 4, end == std::string::npos ? end : end - start - 4);
    if (target.find('?') != std::string::npos) targets.push_back(std::move(target));
  }
  return targets;
}

struct common_fixture {
  cli_server api{secret_token()};
  hat::schedule_data data = api.server.add_schedule(30, 21);
  std::vector<std::string> fetch() const { return {"fetch", "--schedule", id_of(data), "--org", api.org}; }
  std::vector<std::vector<std::string>> every_network_command(const std::string& ids_file) const {
    return {fetch(),
            {"walk", "--schedule", id_of(data), "--org", api.org},
            {"batch", "--org", api.org, "--schedules-file", ids_file}};
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(common_options)

BOOST_FIXTURE_TEST_CASE(a_missing_token_exits_2_naming_the_variable_without_a_request, common_fixture) {
  const temp_file ids(id_of(data) + "\n");
  for (const auto& command : every_network_command(ids.path)) {
    const auto r = api.run(command, clean_env());
    BOOST_TEST(r.exit_code == 2, command[0]);
    BOOST_TEST(r.out == "");
    BOOST_TEST(r.err == "humm-history: no API token: set HUMM_API_TOKEN (or HUMM_PAT) to your personal access "
                        "token, or use --token-file FILE\n");
  }
  const auto empty = api.run(fetch(), clean_env(""));  // set but empty counts as missing
  BOOST_TEST(empty.exit_code == 2);
  BOOST_TEST(api.server.counters().connections_accepted == 0u);
  BOOST_TEST(api.server.counters().requests == 0u);
}

BOOST_FIXTURE_TEST_CASE(the_token_comes_from_humm_pat_or_a_file, common_fixture) {
  process_options pat = clean_env();
  pat.env.emplace_back("HUMM_PAT", api.server.options().token);
  BOOST_TEST(api.run(fetch(), pat).exit_code == 0);

  const temp_file token_file(api.server.options().token + "\n");
  auto with_file = fetch();
  with_file.insert(with_file.end(), {"--token-file", token_file.path});
  const auto r = api.run(with_file, clean_env("wrong-token"));  // the file wins over the environment
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(ndjson_values(r.out).size() == 20u);

  const temp_file blank("\n\n");
  auto with_blank = fetch();
  with_blank.insert(with_blank.end(), {"--token-file", blank.path});
  const auto no_token = api.run(with_blank, clean_env());
  BOOST_TEST(no_token.exit_code == 2);
  BOOST_TEST(no_token.err == "humm-history: --token-file: '" + blank.path + "' holds no token\n");

  auto with_missing = fetch();
  with_missing.insert(with_missing.end(), {"--token-file", "/nonexistent/token"});
  const auto unreadable = api.run(with_missing, clean_env());
  BOOST_TEST(unreadable.exit_code == 2);
  BOOST_TEST(unreadable.err == "humm-history: cannot read '/nonexistent/token': No such file or directory\n");
}

BOOST_FIXTURE_TEST_CASE(a_token_argument_is_refused_and_not_repeated, common_fixture) {
  auto command = fetch();
  command.insert(command.end(), {"--token", api.server.options().token});
  const auto r = api.run(command);
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(r.err.find("--token is not accepted") != std::string::npos, r.err);
  BOOST_TEST(r.err.find("HUMM_API_TOKEN") != std::string::npos);
  BOOST_TEST(r.err.find(api.server.options().token) == std::string::npos);
  BOOST_TEST(api.server.counters().requests == 0u);
}

BOOST_FIXTURE_TEST_CASE(a_wrong_token_exits_3_and_is_never_shown, common_fixture) {
  auto command = fetch();
  command.push_back("-v");
  const auto r = api.run(command, clean_env("hp_wrong-Token-987"));
  BOOST_TEST(r.exit_code == 3);  // a 401: a retry would only repeat it
  BOOST_TEST(r.err.find("HTTP 401: Not authenticated") != std::string::npos, r.err);
  BOOST_TEST(r.err.find("hp_wrong-Token-987") == std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(verbose_never_shows_the_token, common_fixture) {
  const temp_file ids(id_of(data) + "\n");
  for (auto command : every_network_command(ids.path)) {
    command.insert(command.end(), {"-v", "--stats"});
    if (command[0] != "fetch") command.push_back("--progress");
    const auto r = api.run(command);
    BOOST_TEST(r.exit_code == 0, command[0] << ": " << r.err);
    BOOST_TEST(r.err.find("GET /reports/schedules/" + id_of(data) + "/runs?") != std::string::npos, r.err);
    BOOST_TEST(r.err.find(api.server.options().token) == std::string::npos);
    BOOST_TEST(r.err.find("s3cret") == std::string::npos);
  }
}

BOOST_FIXTURE_TEST_CASE(a_token_the_server_echoes_is_never_printed_by_any_command, common_fixture) {
  const std::string token = api.server.options().token;
  const temp_file ids(id_of(data) + "\n");
  for (auto command : every_network_command(ids.path)) {
    api.server.push_fault({.status = 401, .body = R"({"detail":"invalid credentials: Authorization: Bearer )" + token +
                                                   R"("})", .times = 3});
    command.insert(command.end(), {"-v", "--retries", "0"});
    const auto r = api.run(command);
    BOOST_TEST(r.exit_code == 3, command[0] << ": " << r.err);
    BOOST_TEST(r.err.find("Bearer [redacted]") != std::string::npos, command[0] << ": " << r.err);
    BOOST_TEST(r.err.find("s3cret") == std::string::npos, command[0] << ": the token was printed");
  }
}

BOOST_FIXTURE_TEST_CASE(every_line_on_stderr_is_the_tools_own_and_sends_no_escape_sequence, common_fixture) {
  // A server detail that would clear the screen, retitle the terminal and forge a line, and
  // an organization id with a line break of its own.
  api.server.push_fault(
      {.status = 404, .body = R"({"detail":"gone\u001b]0;owned\u0007\u001b[2J\nhumm-history: done, 0 errors"})"});
  const auto r = api.run({"fetch", "--schedule", id_of(data), "--org", api.org + "\n\x1b[31mforged", "-v", "--retries", "0"});
  BOOST_TEST(r.exit_code == 3, r.err);
  for (const std::string& line : lines_of(r.err)) {
    BOOST_TEST(line.rfind("humm-history: ", 0) == 0u, humm::analyst::printable(line));
    for (const char c : line) BOOST_TEST(static_cast<unsigned char>(c) != 0x1b, humm::analyst::printable(line));
  }
  BOOST_TEST(r.err.find("gone\\x1b]0;owned\\x07\\x1b[2J\\nhumm-history: done, 0 errors") != std::string::npos,
             humm::analyst::printable(r.err));
}

BOOST_FIXTURE_TEST_CASE(a_token_in_the_environment_is_trimmed_like_a_token_file, common_fixture) {
  // `export HUMM_API_TOKEN="$(cat token)"` keeps no newline, but `$(<token)` pasted with a space does.
  for (const std::string& padded : {api.server.options().token + "\n", " " + api.server.options().token + " \t"}) {
    const auto r = api.run(fetch(), clean_env(padded));
    BOOST_TEST(r.exit_code == 0, humm::analyst::printable(r.err));
  }
}

BOOST_FIXTURE_TEST_CASE(plain_http_beyond_loopback_needs_allow_insecure_http, common_fixture) {
  const auto r = run_process(exe, {"fetch", "--schedule", id_of(data), "--org", api.org, "--base-url",
                                    "http://analyst.example.com"},
                              api.env());
  BOOST_TEST(r.exit_code == 2, r.err);
  BOOST_TEST(r.err.find("would send the token unencrypted to analyst.example.com") != std::string::npos, r.err);
  BOOST_TEST(r.err.find("--allow-insecure-http") != std::string::npos, r.err);
}

BOOST_FIXTURE_TEST_CASE(header_fields_reach_the_server_and_authorization_is_refused, common_fixture) {
  auto tagged = fetch();
  tagged.insert(tagged.end(), {"--header", "X-Tenant:  acme ", "--header", "X-Job: nightly"});
  const auto r = api.run(tagged);
  BOOST_TEST(r.exit_code == 0, r.err);
  auto seen = api.server.counters().last_request_headers;
  BOOST_TEST(seen["x-tenant"] == "acme");
  BOOST_TEST(seen["x-job"] == "nightly");
  BOOST_TEST(seen["user-agent"].find("humm-analyst-cpp/") == 0u, seen["user-agent"]);
  BOOST_TEST(seen["user-agent"].find(" humm-history/") != std::string::npos, seen["user-agent"]);
  const auto requests = api.server.counters().requests;
  for (const char* bad : {"Authorization: Bearer other", "authorization:x", "no colon here", "X-A: a\rb",
                          "Authorization Bearer hk_typo_secret"}) {
    auto command = fetch();
    command.insert(command.end(), {"--header", bad});
    const auto refused = api.run(command);
    BOOST_TEST(refused.exit_code == 2, bad << ": " << refused.err);
    BOOST_TEST(refused.err.find("hk_typo_secret") == std::string::npos, "a mistyped --header was repeated");
  }
  BOOST_TEST(api.server.counters().requests == requests);  // nothing sent
}

BOOST_FIXTURE_TEST_CASE(deadline_and_rate_are_taken_by_every_network_command, common_fixture) {
  const temp_file ids(id_of(data) + "\n");
  for (auto command : every_network_command(ids.path)) {
    command.insert(command.end(), {"--deadline", "30", "--rate", "50"});
    const auto r = api.run(command);
    BOOST_TEST(r.exit_code == 0, command[0] << ": " << r.err);
    auto zero = command;
    zero.back() = "0";  // --rate 0
    BOOST_TEST(api.run(zero).exit_code == 2, command[0]);
  }
  // A fetch cut by its deadline says so.
  api.server.push_fault({.delay = std::chrono::seconds{5}});
  auto slow = fetch();
  slow.insert(slow.end(), {"--deadline", "0.5"});
  const auto r = api.run(slow);
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(r.err.find("the deadline passed after 1 attempt") != std::string::npos, r.err);
}

BOOST_FIXTURE_TEST_CASE(verbose_lines_show_each_target_exactly_as_sent, common_fixture) {
  // An upper-case schedule id is sent in lower case, and an organization id with a space,
  // '&' or '/' is sent percent-encoded: -v must show the bytes sent, not the arguments as
  // typed. The odd organization owns nothing (404), but batch still logs its request.
  std::string upper_case_id = id_of(data);
  for (char& c : upper_case_id) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const temp_file ids(upper_case_id + "\n");
  const std::vector<std::vector<std::string>> commands{
      {"fetch", "--schedule", upper_case_id, "--org", api.org, "--limit", "7", "--offset", "3"},
      {"walk", "--schedule", upper_case_id, "--org", api.org, "--page-size", "10"},
      {"batch", "--org", "acme & co/x", "--schedules-file", ids.path}};
  std::string batch_log;
  for (auto command : commands) {
    api.server.reset_counters();
    command.push_back("-v");
    const auto r = api.run(command);
    const auto sent = api.server.counters().by_target;
    const auto logged = logged_targets(r.err);
    BOOST_TEST(!logged.empty(), command[0] << ": " << r.err);
    for (const std::string& target : logged)
      BOOST_TEST(sent.count(target) == 1u, command[0] << ": " << target << " was not sent");
    batch_log = r.err;
  }
  BOOST_TEST(batch_log.find("?organization_id=acme%20%26%20co%2Fx&limit=100&offset=0 and on") != std::string::npos,
             batch_log);
}

BOOST_FIXTURE_TEST_CASE(verbose_tells_each_attempt_with_its_status_request_id_and_timings_in_ms, common_fixture) {
  api.server.push_fault({.status = 503});
  auto command = fetch();
  command.push_back("-v");
  const auto r = api.run(command);
  BOOST_TEST(r.exit_code == 0, r.err);
  const auto lines = lines_of(r.err);
  const auto with = [&](std::string_view part) {
    return std::count_if(lines.begin(), lines.end(), [&](const std::string& l) { return l.find(part) != std::string::npos; });
  };
  BOOST_TEST(with(" attempt 1: 503, req-id req-") == 1, r.err);
  BOOST_TEST(with("; retrying in ") == 1, r.err);
  BOOST_TEST(with(" attempt 2: 200, req-id req-") == 1, r.err);
  // Each attempt's timings in ms ("rate limit …" leads them when it held the attempt back).
  BOOST_TEST(with("pool ") == 2, r.err);
  BOOST_TEST(with(", first byte ") == 2, r.err);
  BOOST_TEST(with(": 200 after 2 attempts in ") == 1, r.err);
  BOOST_TEST(with("connection to 127.0.0.1:") >= 1, r.err);
}

BOOST_FIXTURE_TEST_CASE(the_base_url_comes_from_humm_base_url_when_not_given, common_fixture) {
  process_options env = api.env();
  env.env.emplace_back("HUMM_BASE_URL", api.server.base_url());
  auto command = fetch();
  command.insert(command.end(), {"--ca-file", api.ca_file});
  BOOST_TEST(run_process(exe, command, env).exit_code == 0);

  const auto bad = run_process(exe, {"fetch", "--schedule", id_of(data), "--org", api.org, "--base-url", "ftp://x"},
                               api.env());
  BOOST_TEST(bad.exit_code == 2);
  BOOST_TEST(bad.err == "humm-history: base_url: scheme must be https or http, not \"ftp\"\n");
}

BOOST_FIXTURE_TEST_CASE(tls_trusts_the_ca_file_only, common_fixture) {
  // Without --ca-file the system store is used, which does not know the fake server.
  const auto untrusted = run_process(
      exe, {"fetch", "--schedule", id_of(data), "--org", api.org, "--base-url", api.server.base_url(), "--retries", "0"},
      api.env());
  BOOST_TEST(untrusted.exit_code == 3);  // a certificate nobody trusts stays so
  BOOST_TEST(lines_of(untrusted.err).size() == 1u, untrusted.err);
  BOOST_TEST(untrusted.err.find("certificate") != std::string::npos, untrusted.err);

  auto missing = fetch();
  missing.insert(missing.end(), {"--base-url", api.server.base_url(), "--ca-file", "/nonexistent/ca.pem"});
  const auto r = run_process(exe, missing, api.env());
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(r.err.find("/nonexistent/ca.pem") != std::string::npos, r.err);
}

BOOST_FIXTURE_TEST_CASE(retries_and_timeouts_follow_the_options, common_fixture) {
  api.server.push_fault({.status = 503});
  auto retried = fetch();
  retried.push_back("--stats");
  const auto r = api.run(retried);
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(stats_of(r).at("retries") == 1);
  BOOST_TEST(stats_of(r).at("requests") == 2);

  api.server.push_fault({.status = 503});
  auto no_retries = fetch();
  no_retries.insert(no_retries.end(), {"--retries", "0"});
  const auto failed = api.run(no_retries);
  BOOST_TEST(failed.exit_code == 1);
  BOOST_TEST(failed.err.find("HTTP 503") != std::string::npos, failed.err);

  api.server.push_fault({.delay = std::chrono::milliseconds(5000)});
  auto short_timeout = fetch();
  short_timeout.insert(short_timeout.end(), {"--timeout", "0.3", "--retries", "0"});
  const auto timed_out = api.run(short_timeout);
  BOOST_TEST(timed_out.exit_code == 1);
  BOOST_TEST(lines_of(timed_out.err).size() == 1u, timed_out.err);
  BOOST_TEST(timed_out.elapsed < std::chrono::seconds(4));
}

BOOST_FIXTURE_TEST_CASE(page_size_reads_the_same_in_every_command_that_walks, common_fixture) {
  const temp_file ids(id_of(data) + "\n");
  const std::vector<std::vector<std::string>> commands{
      {"walk", "--schedule", id_of(data), "--org", api.org},
      {"batch", "--org", api.org, "--schedules-file", ids.path},
      {"demo"}};
  for (const auto& command : commands) {
    const auto help = run_process(exe, {command[0], "--help"});
    BOOST_TEST(help.out.find("Runs per request; 100, the API's maximum, needs the fewest requests") !=
                   std::string::npos,
               help.out);
    for (const std::string bad : {"0", "101"}) {
      auto with_page_size = command;
      with_page_size.insert(with_page_size.end(), {"--page-size", bad});
      const auto r = command[0] == "demo" ? run_process(exe, with_page_size, clean_env()) : api.run(with_page_size);
      BOOST_TEST(r.exit_code == 2, command[0] << " --page-size " << bad);
      BOOST_TEST(r.err.find("--page-size") != std::string::npos, r.err);
    }
  }
  BOOST_TEST(api.server.counters().requests == 0u);
}

BOOST_AUTO_TEST_CASE(help_on_every_command_and_version) {
  const auto top = run_process(exe, {"--help"});
  BOOST_TEST(top.exit_code == 0);
  for (const std::string command : {"fetch", "walk", "batch", "decode", "demo"}) {
    BOOST_TEST(top.out.find(command) != std::string::npos, command);
    const auto r = run_process(exe, {command, "--help"});
    BOOST_TEST(r.exit_code == 0, command);
    BOOST_TEST(r.out.find("Usage:") != std::string::npos, command);
  }
  BOOST_TEST(run_process(exe, {"batch", "--help"}).out.find("FNV-1a") != std::string::npos);
  BOOST_TEST(run_process(exe, {"walk", "--help"}).out.find("HUMM_API_TOKEN") != std::string::npos);
  BOOST_TEST(run_process(exe, {"walk", "--help"}).out.find("--token ") == std::string::npos);  // hidden
  const auto version = run_process(exe, {"--version"});
  BOOST_TEST(version.exit_code == 0);
  BOOST_TEST(version.out.find("humm-history 0.") == 0u);
  const auto unknown = run_process(exe, {"export"});
  BOOST_TEST(unknown.exit_code == 2);
  BOOST_TEST(unknown.err.find("humm-history: ") == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
