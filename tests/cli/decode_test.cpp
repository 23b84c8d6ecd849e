// humm-history decode: a saved response printed normalized, from a file or standard
// input; model errors with their JSON path, text that is not JSON, unreadable files.

#include "../seed_response.hpp"
#include "run_process.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>


namespace json = boost::json;
using humm_test::run_process;

namespace {

const std::string exe = HUMM_HISTORY_EXE;
const std::string& seed_path = humm_test::seed_response_path;
using humm_test::seed_response_text;

}  // namespace

BOOST_AUTO_TEST_SUITE(decode_command)

BOOST_AUTO_TEST_CASE(prints_the_normalized_response_and_exits_0) {
  const auto r = run_process(exe, {"decode", seed_path});
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(r.err.empty());
  BOOST_TEST(json::parse(r.out) == json::parse(seed_response_text()));
  BOOST_TEST(r.out.back() == '\n');
}

BOOST_AUTO_TEST_CASE(reads_standard_input_and_normalizes) {
  std::string text = seed_response_text();
  const std::string upper = "3C90C3CC-0D44-4B50-8888-8DD25736052A";
  text.replace(text.find("3c90c3cc-0d44-4b50-8888-8dd25736052a"), upper.size(), upper);
  text.replace(text.find("2023-11-07T05:31:56Z"), 20, "2023-11-07T07:31:56+02:00");
  for (const std::vector<std::string>& args : {std::vector<std::string>{"decode"}, {"decode", "-"}}) {
    const auto r = run_process(exe, args, text);
    BOOST_TEST(r.exit_code == 0);
    BOOST_TEST(json::parse(r.out) == json::parse(seed_response_text()));
  }
}

BOOST_AUTO_TEST_CASE(a_model_error_exits_2_with_path_and_reason) {
  std::string text = seed_response_text();
  text.replace(text.find("\"status\": \"triggered\""), 21, "\"status\": 7");
  const auto r = run_process(exe, {"decode"}, text);
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(r.out.empty());
  BOOST_TEST(r.err == "humm-history: <stdin>: runs[0].status: expected a string, got the number or boolean 7\n");
}

BOOST_AUTO_TEST_CASE(text_that_is_not_json_exits_2_with_line_and_column) {
  const auto r = run_process(exe, {"decode"}, "{\n  \"schedule\": tru\n}");
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(r.err.find("humm-history: <stdin>: invalid JSON at line 2, column ") == 0u);
  BOOST_TEST(std::count(r.err.begin(), r.err.end(), '\n') == 1);
}

BOOST_AUTO_TEST_CASE(an_unreadable_file_exits_2_with_its_name_and_reason) {
  const auto r = run_process(exe, {"decode", "/nonexistent/response.json"});
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(r.err == "humm-history: cannot read '/nonexistent/response.json': No such file or directory\n");
  const auto dir = run_process(exe, {"decode", HUMM_TEST_DATA_DIR});
  BOOST_TEST(dir.exit_code == 2);
  BOOST_TEST(dir.err.find("cannot read '" HUMM_TEST_DATA_DIR "'") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(help_explains_it) {
  const auto r = run_process(exe, {"decode", "--help"});
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(r.out.find("normalized") != std::string::npos);
  BOOST_TEST(r.out.find("Usage:") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(bad_usage_exits_2) {
  const auto none = run_process(exe, {});
  BOOST_TEST(none.exit_code == 2);
  const auto extra = run_process(exe, {"decode", "a.json", "b.json"});
  BOOST_TEST(extra.exit_code == 2);
  BOOST_TEST(extra.err.find("humm-history: ") == 0u);
  const auto version = run_process(exe, {"--version"});
  BOOST_TEST(version.exit_code == 0);
  BOOST_TEST(version.out.find("humm-history 0.") == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
