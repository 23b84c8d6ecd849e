// The DOM-free writer (encode.hpp): its JSON must be byte for byte what
// boost::json::serialize(boost::json::value_from(model)) gives, on the fake server's data and
// on odd values, and its CSV what humm-history wrote before it (tests/data/odd_runs.*, written
// by the tool's own writers at commit a52ae01, before they used this one).

#include <humm/analyst/encode.hpp>
#include <humm/analyst/testing/dataset.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>
#include <boost/uuid/uuid_io.hpp>

#include <algorithm>
#include <fstream>
#include <limits>
#include <sstream>

namespace ha = humm::analyst;
namespace hat = humm::analyst::testing;
namespace json = boost::json;

namespace {

// Runs with odd values (tests/data/odd_runs.* hold what the tool wrote for them): every member absent, text that must be quoted or escaped, unicode,
// control characters, invalid UTF-8, unknown statuses, times at the edges of the range.
std::vector<ha::command_run> odd_runs() {
  auto at = [](std::string_view text) { return ha::parse_timestamp(text).value(); };
  auto id = [](std::string_view text) { return ha::parse_uuid(text).value(); };
  auto status = [](std::string_view text) { return ha::open_enum<ha::run_status>::from_string(text); };
  std::string controls;
  for (int c = 0; c < 0x20; ++c) controls += static_cast<char>(c);
  controls += "\x7f \\ / \" end";
  ha::command_run full{.schedule_id = id("3C90C3CC-0D44-4B50-8888-8DD25736052A"),
                       .user_id = id("00000000-0000-0000-0000-000000000001"),
                       .id = id("ffffffff-ffff-ffff-ffff-ffffffffffff"),
                       .user_email = "a,b@example.com",
                       .status = status("needs \"review\", soon"),
                       .started_at = at("2023-11-07T05:31:56.5+05:30"),
                       .completed_at = at("2023-11-07T05:31:56.123456789Z"),
                       .error_message = "quote \" and comma ,",
                       .thread_id = id("0d440d44-0d44-4b50-8888-8dd25736052a"),
                       .summary = "line one\r\nline two",
                       .is_read = false,
                       .read_at = at("2023-11-07 05:31:56"),
                       .created_at = at("2023-11-07T05:31:56-05:30"),
                       .is_source_run = true,
                       .source_run_id = id("12345678-9abc-def0-1234-56789abcdef0")};
  ha::command_run unicode = full;
  unicode.status = ha::run_status::failed;
  unicode.summary = "売上は前週比で12%増加 📈 Résumé Ключевые";
  unicode.user_email = "müller@müller.example";
  unicode.error_message = "";
  unicode.is_read = true;
  ha::command_run control = full;
  control.status = status("");
  control.summary = controls;
  control.error_message = std::string("nul \0 inside", 12);
  control.user_email = "\t\b\f\n\r";
  ha::command_run invalid_utf8 = full;
  invalid_utf8.summary = "\xff\xfe \xc0\xaf \xed\xa0\x80 lone \x80 cut \xe5\xa3";
  invalid_utf8.status = status("\xff,");
  ha::command_run edges = full;
  edges.created_at = at("0000-01-01T00:00:00Z");
  edges.completed_at = at("9999-12-31T23:59:59.999999Z");
  edges.started_at = ha::timestamp{};
  edges.read_at = ha::timestamp{std::chrono::microseconds{1}};
  edges.is_read = std::nullopt;
  // Before year 0, which no decoded time reaches: the formatter's digits turn into other characters (a comma at year -4).
  ha::command_run before_year_zero = full;
  before_year_zero.created_at = ha::timestamp{std::chrono::sys_days{std::chrono::year{-4} / 1 / 1}};
  before_year_zero.started_at = ha::timestamp{std::chrono::sys_days{std::chrono::year{-1} / 1 / 1}};
  return {ha::command_run{}, full, unicode, control, invalid_utf8, edges, before_year_zero};
}

template <class Model>
std::string through_dom(const Model& model) {
  return json::serialize(json::value_from(model));
}

template <class Model>
std::string written(const Model& model) {
  std::string out;
  ha::append_json(out, model);
  return out;
}

// Where two long texts part, rather than both texts whole (they may hold any byte).
void check_same_text(const std::string& expected, const std::string& actual, const char* what) {
  if (actual == expected) return;
  const auto at = std::mismatch(expected.begin(), expected.end(), actual.begin(), actual.end()).first;
  const auto offset = static_cast<std::size_t>(at - expected.begin());
  BOOST_ERROR(what << " differ at byte " << offset << " of " << expected.size() << ": expected ..."
                   << json::serialize(json::string(expected.substr(offset, 60))) << ", got ..."
                   << json::serialize(json::string(actual.substr(offset, 60))));
}

template <class Model>
void check_same_json(const Model& model) {
  check_same_text(through_dom(model), written(model), "serialize(value_from(model)) and append_json");
}

std::string data_file(const std::string& name) {
  const std::string path = HUMM_TEST_DATA_DIR "/" + name;
  std::ifstream file(path, std::ios::binary);
  BOOST_REQUIRE_MESSAGE(file, "cannot open " << path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

ha::command_run with_texts(std::string text) {
  ha::command_run run = hat::make_run(1, hat::make_schedule_data(1, 1, hat::make_uuid(1)).schedule, {});
  run.user_email = run.summary = run.error_message = text;
  run.status = ha::open_enum<ha::run_status>::from_string(text);
  return run;
}

ha::schedule_history page_with_pagination(json::object fields) {
  ha::schedule_history page;
  page.pagination = ha::pagination(std::move(fields));
  return page;
}

// Each run rendered one field at a time, as humm-history did before the writer: the oracle
// for the data set's CSV (tests/data/odd_runs.csv holds the old tool's own bytes for odd runs).
std::string quoted_if_needed(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (const char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}
std::string csv_of(const ha::command_run& run) {
  auto time = [](const std::optional<ha::timestamp>& t) { return t ? ha::format_timestamp(*t) : ""; };
  auto id = [](const std::optional<ha::uuid>& u) { return u ? ha::format_uuid(*u) : ""; };
  auto flag = [](const std::optional<bool>& b) { return b ? std::string(*b ? "true" : "false") : ""; };
  const std::string fields[] = {ha::format_uuid(run.schedule_id), ha::format_uuid(run.id),
                                run.status ? std::string(run.status->str()) : "", time(run.created_at),
                                time(run.started_at), time(run.completed_at), ha::format_uuid(run.user_id),
                                run.user_email.value_or(""), id(run.thread_id), flag(run.is_read), time(run.read_at),
                                flag(run.is_source_run), id(run.source_run_id), run.summary.value_or(""),
                                run.error_message.value_or("")};
  std::string row;
  for (std::size_t i = 0; i < std::size(fields); ++i) row += (i > 0 ? "," : "") + quoted_if_needed(fields[i]);
  return row + "\r\n";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(model_writer)

BOOST_AUTO_TEST_CASE(every_run_page_and_schedule_of_the_fake_servers_data_is_written_as_serialize_writes_it) {
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    const auto data = hat::make_schedule_data(seed, 240, hat::make_uuid(seed));
    check_same_json(data.schedule);
    for (const ha::command_run& run : data.runs) {
      check_same_json(run);
      check_same_json(ha::run_details{.run = run, .schedule = data.schedule, .command_name = data.command_name});
    }
    for (const std::size_t limit : {20u, 100u})
      for (std::size_t offset = 0; offset <= data.runs.size(); offset += limit)
        check_same_json(hat::make_page(data, offset, limit));
  }
}

BOOST_AUTO_TEST_CASE(odd_runs_are_written_as_serialize_writes_them_and_as_the_tool_wrote_them) {
  std::string ndjson;
  for (const ha::command_run& run : odd_runs()) {
    check_same_json(run);
    ha::append_json(ndjson, run);
    ndjson += '\n';
  }
  check_same_text(data_file("odd_runs.ndjson"), ndjson, "the old tool's NDJSON and append_json's");
}

BOOST_AUTO_TEST_CASE(every_byte_alone_and_among_text_is_escaped_as_serialize_escapes_it) {
  for (int byte = 0; byte < 256; ++byte) {
    const std::string alone(1, static_cast<char>(byte));
    BOOST_TEST_CONTEXT("byte " << byte) {
      check_same_json(with_texts(alone));
      check_same_json(with_texts("before" + alone + "after" + alone + alone));
    }
  }
  // The escapes themselves, spelled out: short ones where JSON has them, \u00XX (lowercase) for the other controls.
  ha::schedule_history page;
  page.command_name = "\"\\/\b\f\n\r\t\x01\x1f\x7f";
  BOOST_TEST(written(page).find(
                 R"("command_name":"\"\\/\b\f\n\r\t\u0001\u001f)" "\x7f\"") != std::string::npos);
}

// Long texts are measured before they are written, short ones are not: both paths.
BOOST_AUTO_TEST_CASE(long_texts_full_of_escapes_are_written_as_serialize_writes_them) {
  std::string every_byte;
  for (int i = 0; i < 10'000; ++i) every_byte += static_cast<char>(i % 256);
  for (const std::size_t size : {4095u, 4096u, 4097u, 10'000u}) {
    check_same_json(with_texts(every_byte.substr(0, size)));
    check_same_json(with_texts(std::string(size, '\x01')));
    check_same_json(with_texts(std::string(size, 'a')));
  }
}

BOOST_AUTO_TEST_CASE(unicode_and_invalid_utf8_pass_through_unchanged) {
  for (const std::string text : {"売上 📈 Résumé Ключевые", "\xff\xfe", "\xc0\xaf", "\xed\xa0\x80", "cut \xe5\xa3",
                                 "\xf4\x90\x80\x80", "\x80 lone continuation"}) {
    check_same_json(with_texts(text));
    BOOST_TEST(written(with_texts(text)).find("\"summary\":\"" + text + "\"") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(absent_members_empty_texts_and_empty_lists_are_written_as_serialize_writes_them) {
  check_same_json(ha::command_run{});
  check_same_json(ha::command_schedule{});
  check_same_json(ha::schedule_history{});
  check_same_json(ha::run_details{});
  check_same_json(with_texts(""));
  ha::command_schedule named;
  named.name = "";
  named.timezone = "";
  named.cron_expression = "";
  named.created_by_user_id = ha::uuid{};
  check_same_json(named);
  BOOST_TEST(written(ha::schedule_history{}).find(R"("command_name":null,"runs":[],"pagination":{})") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(unknown_open_enum_strings_are_written_verbatim) {
  for (const char* text : {"queued", "", "COMPLETED", "needs \"review\"\n", "per_subscriber ", "unknown"}) {
    ha::command_schedule schedule;
    schedule.run_mode = ha::open_enum<ha::run_mode>::from_string(text);
    check_same_json(schedule);
    check_same_json(with_texts(text));
  }
  ha::command_schedule distributed;
  distributed.run_mode = ha::run_mode::once_and_distribute;
  check_same_json(distributed);
}

BOOST_AUTO_TEST_CASE(times_with_and_without_fractions_and_offsets_are_written_as_serialize_writes_them) {
  ha::command_run run;
  for (const char* text : {"2023-11-07T05:31:56Z", "2023-11-07T05:31:56.000001Z", "2023-11-07T05:31:56.1+05:30",
                           "2023-11-07T05:31:56.123456789-0530", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999Z",
                           "1970-01-01 00:00:00", "2024-02-29t23:59:59.5"}) {
    run.created_at = run.read_at = ha::parse_timestamp(text).value();
    check_same_json(run);
  }
  for (const int year : {-4, -1, -9999, 10000, 12345}) {
    run.started_at = ha::timestamp{std::chrono::sys_days{std::chrono::year{year} / 6 / 15}};
    check_same_json(run);
  }
}

BOOST_AUTO_TEST_CASE(pagination_values_of_every_kind_are_written_as_serialize_writes_them) {
  const std::int64_t min = std::numeric_limits<std::int64_t>::min(), max = std::numeric_limits<std::int64_t>::max();
  check_same_json(page_with_pagination({{"total", max}, {"offset", min}, {"limit", std::uint64_t(-1)}, {"zero", 0}}));
  for (const double d : {0.1, -0.0, 1.0, 1e300, 5e-324, -2.5e-7, 123456789.125, std::numeric_limits<double>::max(),
                         std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN()})
    check_same_json(page_with_pagination({{"ratio", d}}));
  check_same_json(page_with_pagination(json::parse(R"({"has_more":true,"next":null,"cursor":"a\"b\u0001é",
      "nested":{"list":[1,-2,3.5,[],{}],"\n key":"\t"}})").as_object()));
}

BOOST_AUTO_TEST_CASE(the_writer_appends_to_what_the_buffer_holds) {
  const auto data = hat::make_schedule_data(3, 5, hat::make_uuid(3));
  std::string out = "kept\n";
  for (const ha::command_run& run : data.runs) ha::append_json(out, run);
  std::string expected = "kept\n";
  for (const ha::command_run& run : data.runs) expected += through_dom(run);
  BOOST_TEST(out == expected);
}

BOOST_AUTO_TEST_CASE(uuids_are_written_lowercase_as_boost_uuid_writes_them) {
  for (std::uint64_t seed = 0; seed < 2000; ++seed) {
    const ha::uuid id = hat::make_uuid(seed);
    BOOST_TEST(ha::format_uuid(id) == boost::uuids::to_string(id));
  }
}

BOOST_AUTO_TEST_CASE(csv_of_odd_runs_is_byte_for_byte_what_the_tool_wrote_before) {
  std::string csv;
  ha::append_csv_header(csv);
  for (const ha::command_run& run : odd_runs()) ha::append_csv_row(csv, run);
  check_same_text(data_file("odd_runs.csv"), csv, "the old tool's CSV and append_csv_row's");
}

BOOST_AUTO_TEST_CASE(csv_of_the_fake_servers_data_equals_a_field_by_field_rendering) {
  for (std::uint64_t seed = 1; seed <= 6; ++seed)
    for (const ha::command_run& run : hat::make_schedule_data(seed, 300, hat::make_uuid(seed)).runs) {
      std::string row;
      ha::append_csv_row(row, run);
      BOOST_TEST(row == csv_of(run));
    }
}

BOOST_AUTO_TEST_CASE(csv_of_texts_full_of_quotes_and_every_byte_equals_a_field_by_field_rendering) {
  std::string every_byte;
  for (int i = 0; i < 1000; ++i) every_byte += static_cast<char>(i % 256);
  for (const std::string& text : {every_byte, std::string(500, '"'), std::string("\"")}) {
    std::string row;
    ha::append_csv_row(row, with_texts(text));
    BOOST_TEST(row == csv_of(with_texts(text)));
  }
}

BOOST_AUTO_TEST_CASE(csv_fields_are_quoted_only_when_they_must_be) {
  auto field = [](std::string_view text) {
    std::string out = "x";
    ha::append_csv_field(out, text);
    return out.substr(1);
  };
  BOOST_TEST(field("plain, text") == "\"plain, text\"");
  BOOST_TEST(field("plain text; \t tabs and 'quotes'") == "plain text; \t tabs and 'quotes'");
  BOOST_TEST(field("\"") == "\"\"\"\"");
  BOOST_TEST(field("say \"hi\" \"twice\"") == "\"say \"\"hi\"\" \"\"twice\"\"\"");
  BOOST_TEST(field("cr\r") == "\"cr\r\"");
  BOOST_TEST(field("lf\n") == "\"lf\n\"");
  BOOST_TEST(field("") == "");
  BOOST_TEST(field(std::string_view()) == "");
}

BOOST_AUTO_TEST_SUITE_END()
