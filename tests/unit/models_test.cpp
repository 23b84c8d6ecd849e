// The wire models and their JSON mappings (models.hpp, decode.hpp): the API reference's
// example, tolerant decoding, path-precise failures and round trips.

#include "../seed_response.hpp"

#include <humm/analyst/decode.hpp>
#include <humm/analyst/testing/dataset.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <functional>

namespace ha = humm::analyst;
namespace json = boost::json;
using namespace std::chrono;

namespace {

// The example response of the API reference page.
json::object seed() { return json::parse(humm_test::seed_response_text()).as_object(); }

json::object& first_run(json::object& response) { return response["runs"].as_array()[0].as_object(); }

// Every case is decoded twice: from the parsed value (value_to's path) and from its text
// (the client's path, straight from the parser's events). Both must agree.

// The failure message of decoding `response`, which must fail.
std::string failure(const json::value& response) {
  auto from_value = ha::try_decode<ha::schedule_history>(response);
  auto from_text = ha::try_decode<ha::schedule_history>(std::string_view(json::serialize(response)));
  BOOST_REQUIRE_MESSAGE(!from_value && !from_text, "decoding should have failed: " << json::serialize(response));
  BOOST_TEST(from_text.error().message() == from_value.error().message());
  return from_value.error().message();
}

ha::schedule_history decoded(const json::value& response) {
  auto from_value = ha::try_decode<ha::schedule_history>(response);
  BOOST_REQUIRE_MESSAGE(from_value, "decode failed: " << from_value.error().message());
  auto from_text = ha::try_decode<ha::schedule_history>(std::string_view(json::serialize(response)));
  BOOST_REQUIRE_MESSAGE(from_text, "decode of the text failed: " << from_text.error().message());
  BOOST_TEST((*from_text == *from_value));
  return *std::move(from_value);
}

// Text decoding takes one of two paths: the fast reader, or Boost.JSON's parser when the fast
// reader gives up. A number with an exponent, in an unknown member at the front, makes it
// give up, so each text-only case is decoded both ways: the two must agree.
std::string through_fallback(std::string text) {
  BOOST_REQUIRE(text.front() == '{');
  return text.insert(1, R"("force_fallback": 1e0, )");
}

// The failure message of decoding `text`, which must fail the same way on both paths.
std::string text_failure(const std::string& text) {
  auto fast = ha::try_decode<ha::schedule_history>(std::string_view(text));
  auto fallback = ha::try_decode<ha::schedule_history>(std::string_view(through_fallback(text)));
  BOOST_REQUIRE_MESSAGE(!fast && !fallback, "decoding should have failed: " << text.substr(0, 300));
  BOOST_TEST(fast.error().message() == fallback.error().message());
  return fast.error().message();
}

// The page decoded from `text`, the same on both paths.
ha::schedule_history text_decoded(const std::string& text) {
  auto fast = ha::try_decode<ha::schedule_history>(std::string_view(text));
  BOOST_REQUIRE_MESSAGE(fast, "decode failed: " << fast.error().message());
  auto fallback = ha::try_decode<ha::schedule_history>(std::string_view(through_fallback(text)));
  BOOST_REQUIRE_MESSAGE(fallback, "decode through the fallback failed: " << fallback.error().message());
  BOOST_TEST((*fast == *fallback));
  return *std::move(fast);
}

// `text` with `insertion` put right after the first occurrence of `after`.
std::string inserted(std::string text, std::string_view after, std::string_view insertion) {
  const std::size_t at = text.find(after);
  BOOST_REQUIRE(at != std::string::npos);
  return text.insert(at + after.size(), insertion);
}

// `depth` arrays nested in one another.
std::string nested_arrays(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

const ha::uuid seed_id = *ha::parse_uuid("3c90c3cc-0d44-4b50-8888-8dd25736052a");
const ha::timestamp seed_time = sys_days{year{2023} / November / 7} + hours{5} + minutes{31} + seconds{56};

}  // namespace

BOOST_AUTO_TEST_SUITE(models)

BOOST_AUTO_TEST_CASE(the_reference_example_decodes) {
  const ha::schedule_history h = decoded(seed());
  BOOST_TEST((h.schedule.command_id == seed_id));
  BOOST_TEST((h.schedule.organization_id == seed_id));
  BOOST_TEST(h.schedule.cron_expression == "<string>");
  BOOST_TEST((h.schedule.next_run_time == seed_time));
  BOOST_TEST((h.schedule.last_run_time == seed_time));
  BOOST_TEST(h.schedule.timezone == "UTC");
  BOOST_TEST(h.schedule.enabled);
  BOOST_TEST((h.schedule.name == "<string>"));
  BOOST_TEST((h.schedule.run_mode == ha::run_mode::per_subscriber));
  BOOST_TEST((h.schedule.created_by_user_id == seed_id));
  BOOST_TEST((h.command_name == "<string>"));
  BOOST_REQUIRE(h.runs.size() == 1u);
  const ha::command_run& run = h.runs[0];
  BOOST_TEST((run.status == ha::run_status::triggered));
  BOOST_TEST((run.user_email == "<string>"));
  BOOST_TEST((run.started_at == seed_time));
  BOOST_TEST((run.is_read == true));
  BOOST_TEST((run.is_source_run == true));
  BOOST_TEST((run.source_run_id == seed_id));
  BOOST_TEST(h.pagination.fields().empty());
}

BOOST_AUTO_TEST_CASE(value_to_and_value_from_round_trip_the_example) {
  const json::value original = seed();
  const auto h = json::value_to<ha::schedule_history>(original);
  BOOST_TEST(json::value_from(h) == original);
}

BOOST_AUTO_TEST_CASE(optional_run_fields_may_be_null_or_missing) {
  const char* optional_fields[] = {"user_email", "status",  "started_at", "completed_at", "error_message",
                                   "thread_id",  "summary", "is_read",    "read_at",      "created_at",
                                   "is_source_run", "source_run_id"};
  for (const char* field : optional_fields) {
    for (bool as_null : {true, false}) {
      BOOST_TEST_CONTEXT("run field " << field << (as_null ? " null" : " missing")) {
        json::object response = seed();
        if (as_null)
          first_run(response)[field] = nullptr;
        else
          first_run(response).erase(field);
        const ha::schedule_history h = decoded(response);
        const json::value encoded = json::value_from(h.runs[0]);
        BOOST_TEST(encoded.at(field).is_null());  // absent, and re-encoded as null
        BOOST_TEST(encoded.as_object().size() == 15u);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(optional_schedule_fields_may_be_null_or_missing) {
  for (const char* field : {"last_run_time", "name", "created_by_user_id"}) {
    for (bool as_null : {true, false}) {
      BOOST_TEST_CONTEXT("schedule field " << field << (as_null ? " null" : " missing")) {
        json::object response = seed();
        if (as_null)
          response["schedule"].as_object()[field] = nullptr;
        else
          response["schedule"].as_object().erase(field);
        BOOST_TEST(json::value_from(decoded(response).schedule).at(field).is_null());
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(documented_defaults_apply_when_missing_or_null) {
  for (bool as_null : {true, false}) {
    json::object response = seed();
    json::object& schedule = response["schedule"].as_object();
    schedule["timezone"] = "Europe/Berlin";
    schedule["enabled"] = false;
    schedule["run_mode"] = "once_and_distribute";
    BOOST_TEST(decoded(response).schedule.timezone == "Europe/Berlin");
    for (const char* field : {"timezone", "enabled", "run_mode"}) {
      if (as_null)
        schedule[field] = nullptr;
      else
        schedule.erase(field);
    }
    const ha::schedule_history h = decoded(response);
    BOOST_TEST(h.schedule.timezone == "UTC");
    BOOST_TEST(h.schedule.enabled);
    BOOST_TEST((h.schedule.run_mode == ha::run_mode::per_subscriber));
  }
}

BOOST_AUTO_TEST_CASE(command_name_and_pagination_may_be_missing_or_null) {
  for (bool as_null : {true, false}) {
    json::object response = seed();
    if (as_null) {
      response["command_name"] = nullptr;
      response["pagination"] = nullptr;
    } else {
      response.erase("command_name");
      response.erase("pagination");
    }
    const ha::schedule_history h = decoded(response);
    BOOST_TEST(!h.command_name.has_value());
    BOOST_TEST(h.pagination.fields().empty());
    BOOST_TEST(json::serialize(json::value_from(h)).find(R"("pagination":{})") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(every_required_field_missing_in_turn_is_named) {
  for (const char* field : {"schedule", "runs"}) {
    json::object response = seed();
    response.erase(field);
    BOOST_TEST(failure(response) == std::string(field) + ": required field is missing");
  }
  for (const char* field : {"command_id", "organization_id", "cron_expression", "id", "next_run_time",
                            "created_at", "updated_at"}) {
    json::object response = seed();
    response["schedule"].as_object().erase(field);
    BOOST_TEST(failure(response) == "schedule." + std::string(field) + ": required field is missing");
  }
  for (const char* field : {"schedule_id", "user_id", "id"}) {
    json::object response = seed();
    first_run(response).erase(field);
    BOOST_TEST(failure(response) == "runs[0]." + std::string(field) + ": required field is missing");
  }
}

// Keys are compared in words: a key one byte away from a member's, at its start, middle or
// end, must not be taken for it.
BOOST_AUTO_TEST_CASE(a_key_one_byte_away_from_a_member_is_not_that_member) {
  auto near_misses = [](const std::string& key) {
    std::vector<std::string> out;
    for (std::size_t pos : {std::size_t{0}, key.size() / 2, key.size() - 1}) {
      std::string changed = key;
      changed[pos] = changed[pos] == 'x' ? 'y' : 'x';
      out.push_back(changed);
    }
    return out;
  };
  for (const std::string field : {"command_id", "organization_id", "cron_expression", "id", "next_run_time"}) {
    for (const std::string& other : near_misses(field)) {
      json::object response = seed();
      json::object& schedule = response["schedule"].as_object();
      schedule[other] = schedule[field];
      schedule.erase(field);
      BOOST_TEST_INFO("key: " << other);
      BOOST_TEST(failure(response) == "schedule." + field + ": required field is missing");
    }
  }
  for (const std::string field : {"schedule_id", "user_id", "id"}) {
    for (const std::string& other : near_misses(field)) {
      json::object response = seed();
      json::object& run = first_run(response);
      run[other] = run[field];
      run.erase(field);
      BOOST_TEST_INFO("key: " << other);
      BOOST_TEST(failure(response) == "runs[0]." + field + ": required field is missing");
    }
  }
}

BOOST_AUTO_TEST_CASE(a_required_field_may_not_be_null) {
  json::object response = seed();
  response["schedule"].as_object()["next_run_time"] = nullptr;
  BOOST_TEST(failure(response) == "schedule.next_run_time: expected an RFC 3339 date-time, got null");
}

BOOST_AUTO_TEST_CASE(unknown_keys_are_ignored_at_every_level) {
  json::object response = seed();
  response["served_by"] = "eu-west-1";
  response["schedule"].as_object()["owner"] = json::object{{"nested", json::array{1, 2}}};
  first_run(response)["tokens_used"] = 1234;
  response["pagination"].as_object()["cursor"] = "abc";
  const json::value links = {{"next", json::array{1, "x", nullptr, json::object{{"deep", true}}}}, {"pages", 2.5}};
  response["pagination"].as_object()["links"] = links;
  const ha::schedule_history h = decoded(response);
  BOOST_TEST(h.runs.size() == 1u);
  BOOST_TEST(h.pagination.fields().at("cursor") == "abc");  // kept: pagination is free-form
  BOOST_TEST(h.pagination.fields().at("links") == links);   // nested values too
  const json::value encoded = json::value_from(h);
  BOOST_TEST(!encoded.as_object().contains("served_by"));
  BOOST_TEST(encoded.at("pagination").at("cursor") == "abc");
}

BOOST_AUTO_TEST_CASE(unknown_enum_strings_are_kept_verbatim) {
  json::object response = seed();
  first_run(response)["status"] = "queued_for_retry";
  response["schedule"].as_object()["run_mode"] = "weekly_rollup";
  const ha::schedule_history h = decoded(response);
  BOOST_TEST(!h.runs[0].status->is_known());
  BOOST_TEST((h.runs[0].status == ha::run_status::unknown));
  BOOST_TEST(h.runs[0].status->str() == "queued_for_retry");
  BOOST_TEST(h.schedule.run_mode.str() == "weekly_rollup");
  const json::value encoded = json::value_from(h);
  BOOST_TEST(encoded.at("runs").at(0).at("status") == "queued_for_retry");
  BOOST_TEST(encoded.at("schedule").at("run_mode") == "weekly_rollup");
  // Even an empty string, or the word "unknown", comes back as it was.
  first_run(response)["status"] = "";
  BOOST_TEST(json::value_from(decoded(response)).at("runs").at(0).at("status") == "");
}

BOOST_AUTO_TEST_CASE(every_known_status_maps_to_its_enumerator) {
  const std::pair<const char*, ha::run_status> known[] = {{"triggered", ha::run_status::triggered},
                                                          {"running", ha::run_status::running},
                                                          {"in_progress", ha::run_status::in_progress},
                                                          {"completed", ha::run_status::completed},
                                                          {"failed", ha::run_status::failed}};
  for (const auto& [text, value] : known) {
    json::object response = seed();
    first_run(response)["status"] = text;
    BOOST_TEST((decoded(response).runs[0].status == value));
  }
}

BOOST_AUTO_TEST_CASE(date_times_in_any_offset_decode_and_re_encode_as_utc) {
  json::object response = seed();
  first_run(response)["started_at"] = "2023-11-07T00:01:56.5-05:30";
  first_run(response)["completed_at"] = "2023-11-07T05:31:56";
  first_run(response)["read_at"] = "2023-11-07T07:31:56.123456789+02:00";
  const json::value encoded = json::value_from(decoded(response));
  BOOST_TEST(encoded.at("runs").at(0).at("started_at") == "2023-11-07T05:31:56.500000Z");
  BOOST_TEST(encoded.at("runs").at(0).at("completed_at") == "2023-11-07T05:31:56Z");
  BOOST_TEST(encoded.at("runs").at(0).at("read_at") == "2023-11-07T05:31:56.123456Z");
}

BOOST_AUTO_TEST_CASE(invalid_date_times_name_path_value_and_reason) {
  json::object response = seed();
  first_run(response)["started_at"] = "yesterday";
  BOOST_TEST(failure(response) ==
             R"(runs[0].started_at: expected an RFC 3339 date-time, got "yesterday" (expected YYYY-MM-DD))");
  first_run(response)["started_at"] = "2023-02-30T00:00:00Z";
  BOOST_TEST(failure(response) == R"(runs[0].started_at: expected an RFC 3339 date-time, got )"
                                  R"("2023-02-30T00:00:00Z" (day out of range for the month))");
  first_run(response)["started_at"] = 1699335116;
  BOOST_TEST(failure(response) ==
             "runs[0].started_at: expected an RFC 3339 date-time, got the number or boolean 1699335116");
}

BOOST_AUTO_TEST_CASE(uuids_decode_in_either_case_and_re_encode_lowercase) {
  json::object response = seed();
  first_run(response)["id"] = "3C90C3CC-0D44-4B50-8888-8DD25736052A";
  const ha::schedule_history h = decoded(response);
  BOOST_TEST((h.runs[0].id == seed_id));
  BOOST_TEST(json::value_from(h).at("runs").at(0).at("id") == "3c90c3cc-0d44-4b50-8888-8dd25736052a");
  first_run(response)["thread_id"] = "not-a-uuid";
  BOOST_TEST(failure(response) == R"(runs[0].thread_id: expected a UUID, got "not-a-uuid")");
}

BOOST_AUTO_TEST_CASE(wrong_json_types_are_named) {
  struct case_t {
    std::function<void(json::object&)> change;
    std::string message;
  } cases[] = {
      {[](json::object& r) { r["schedule"].as_object()["enabled"] = "yes"; },
       R"(schedule.enabled: expected true or false, got "yes")"},
      {[](json::object& r) { r["runs"] = json::object{}; }, "runs: expected an array, got an object"},
      {[](json::object& r) { r["runs"].as_array().push_back("x"); }, R"(runs[1]: expected an object, got "x")"},
      {[](json::object& r) { first_run(r)["is_read"] = 1; },
       "runs[0].is_read: expected true or false, got the number or boolean 1"},
      {[](json::object& r) { first_run(r)["summary"] = json::array{}; },
       "runs[0].summary: expected a string, got an array"},
      {[](json::object& r) { first_run(r)["status"] = 3; },
       "runs[0].status: expected a string, got the number or boolean 3"},
      {[](json::object& r) { r["schedule"] = json::array{}; }, "schedule: expected an object, got an array"},
      {[](json::object& r) { r["command_name"] = false; },
       "command_name: expected a string, got the number or boolean false"},
      {[](json::object& r) { r["pagination"] = "none"; }, R"(pagination: expected an object, got "none")"},
  };
  for (auto& c : cases) {
    json::object response = seed();
    c.change(response);
    BOOST_TEST(failure(response) == c.message);
  }
  BOOST_TEST(failure(json::array{}) == "expected an object, got an array");
}

BOOST_AUTO_TEST_CASE(escapes_in_keys_and_long_values_decode_from_text) {
  // Escaped text reaches the reader in parts when it outgrows the parser's buffer.
  std::string summary;
  for (int i = 0; i < 400; ++i) summary += "line " + std::to_string(i) + R"( \u00e9t\u00e9 \ud83d\ude00\n)";
  std::string text = json::serialize(seed());
  const std::string run_key = R"("runs":[{)";
  text.insert(text.find(run_key) + run_key.size(), R"("sum\u006dary":")" + summary + R"(","n\u00f8te":"x\ty",)");
  text.erase(text.find(R"("summary":"<string>",)"), std::string_view(R"("summary":"<string>",)").size());
  const auto page = ha::try_decode<ha::schedule_history>(std::string_view(text));
  BOOST_REQUIRE_MESSAGE(page, page.error().message());
  const std::string expected = json::value_to<std::string>(json::parse('"' + summary + '"'));
  BOOST_TEST(page->runs[0].summary.value_or("") == expected);
  BOOST_TEST(expected.size() > 6000u);
  BOOST_TEST(expected.find("\xc3\xa9t\xc3\xa9 \xf0\x9f\x98\x80\n") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(text_that_is_not_json_wins_over_a_mapping_failure) {
  // The reader stops mapping at the first failure, but the parser still reads to the end.
  std::string text = json::serialize(seed());
  text.replace(text.find(R"("enabled":true)"), 14, R"("enabled":"yes")");
  BOOST_TEST(ha::try_decode<ha::schedule_history>(std::string_view(text)).error().message() ==
             R"(schedule.enabled: expected true or false, got "yes")");
  text.pop_back();
  BOOST_TEST(ha::try_decode<ha::schedule_history>(std::string_view(text)).error().message().find("invalid JSON") ==
             0u);
}

BOOST_AUTO_TEST_CASE(long_strings_are_shortened_in_messages) {
  json::object response = seed();
  first_run(response)["id"] = std::string(500, 'x');
  const std::string message = failure(response);
  BOOST_TEST(message.size() < 150u);
  BOOST_TEST(message.find("...") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_throwing_forms_carry_path_and_reason) {
  json::object response = seed();
  response["runs"].as_array().push_back(response["runs"].as_array()[0]);
  response["runs"].as_array().push_back(response["runs"].as_array()[0]);
  response["runs"].as_array().push_back(response["runs"].as_array()[0]);
  response["runs"].as_array()[3].as_object()["started_at"] = "yesterday";
  try {
    (void)json::value_to<ha::schedule_history>(json::value(response));
    BOOST_FAIL("value_to should have thrown");
  } catch (const ha::decode_error& e) {
    BOOST_TEST(e.failure().path == "runs[3].started_at");
    BOOST_TEST(e.code() == ha::errc::decode);
    BOOST_TEST(std::string(e.what()).find("runs[3].started_at: expected an RFC 3339 date-time") == 0u);
    BOOST_TEST(std::string(e.what()) == e.failure().message());  // nothing appended
  }
  BOOST_CHECK_THROW(ha::decode<ha::schedule_history>(std::string_view("{")), ha::decode_error);
}

BOOST_AUTO_TEST_CASE(text_that_is_not_json_is_located_by_line_and_column) {
  auto result = ha::try_decode<ha::schedule_history>(std::string_view("{\n  \"runs\": [1,\n  }"));
  BOOST_REQUIRE(!result);
  BOOST_TEST(result.error().path.empty());
  BOOST_TEST(result.error().reason.find("invalid JSON at line 3, column 3") == 0u);
  auto trailing = ha::try_decode<ha::schedule_history>(std::string_view("{} x"));
  BOOST_REQUIRE(!trailing);
  BOOST_TEST(trailing.error().reason.find("invalid JSON at line 1, column 4") == 0u);
  auto empty = ha::try_decode<ha::schedule_history>(std::string_view(""));
  BOOST_REQUIRE(!empty);
  BOOST_TEST(empty.error().reason.find("invalid JSON at line 1, column 1") == 0u);
}

BOOST_AUTO_TEST_CASE(a_page_of_100_runs_round_trips) {
  const auto data = ha::testing::make_schedule_data(42, 250, ha::testing::make_uuid(7));
  const ha::schedule_history page = ha::testing::make_page(data, 100, 100);
  BOOST_REQUIRE(page.runs.size() == 100u);
  const std::string text = json::serialize(json::value_from(page));
  const auto back = ha::try_decode<ha::schedule_history>(std::string_view(text));
  BOOST_REQUIRE_MESSAGE(back, (back ? "" : back.error().message()));
  BOOST_TEST((*back == page));
  BOOST_TEST(back->runs[99].id == data.runs[199].id);
  // And decoding then encoding gives back the same (already normalized) text.
  BOOST_TEST(json::serialize(json::value_from(*back)) == text);
}

BOOST_AUTO_TEST_CASE(every_model_round_trips_on_its_own) {
  const auto data = ha::testing::make_schedule_data(5, 300, ha::testing::make_uuid(1));
  BOOST_TEST((json::value_to<ha::command_schedule>(json::value_from(data.schedule)) == data.schedule));
  for (const ha::command_run& run : data.runs) {
    BOOST_TEST((json::value_to<ha::command_run>(json::value_from(run)) == run));
  }
}

// A DOM cannot hold a key twice, and parsers disagree on which of two they keep (Boost.JSON
// keeps the last, a streaming reader would merge or keep the first): a repeated key a model
// reads is rejected, so that no two readers of one page can see different pages.
BOOST_AUTO_TEST_CASE(a_repeated_known_key_is_a_failure_naming_its_path) {
  const std::string text = json::serialize(seed());
  struct case_ {
    std::string text, message;
  };
  const case_ cases[] = {
      {inserted(text, R"("pagination":{})", R"(,"runs":5)"), "runs: repeated key"},
      {inserted(text, "{", R"("runs":5,)"), "runs: expected an array, got the number or boolean 5"},
      {inserted(text, R"("pagination":{)", R"("total":3,"total":4)"), "pagination.total: repeated key"},
      {inserted(text, R"("status":"triggered")", R"(,"status":"failed")"), "runs[0].status: repeated key"},
      {inserted(text, R"("command_name":"<string>")", R"(,"schedule":{"enabled":false})"), "schedule: repeated key"},
      {inserted(text, R"("pagination":{})", R"(,"pagination":null)"), "pagination: repeated key"},
      {inserted(text, R"("schedule":{)", R"("enabled":false,)"), "schedule.enabled: repeated key"},
      {inserted(text, R"("is_read":true)", R"(,"is_read":null)"), "runs[0].is_read: repeated key"},
  };
  for (const case_& c : cases) BOOST_TEST(text_failure(c.text) == c.message);
}

BOOST_AUTO_TEST_CASE(a_repeated_key_inside_pagination_is_named_by_its_path) {
  const std::string text = json::serialize(seed());
  const std::string nested = inserted(text, R"("pagination":{)", R"("links":[1,{"next":"a","next":"b"}])");
  BOOST_TEST(text_failure(nested) == "pagination.links[1].next: repeated key");
  // The same key in sibling objects is not repeated.
  const std::string siblings = inserted(text, R"("pagination":{)", R"("a":{"next":1},"b":{"next":2},"next":[{"next":3}])");
  BOOST_TEST(text_decoded(siblings).pagination.fields().size() == 3u);
}

BOOST_AUTO_TEST_CASE(repeated_unknown_keys_are_skipped_like_any_unknown_key) {
  std::string text = json::serialize(seed());
  text = inserted(text, "{", R"("served_by":"a","served_by":{"x":1,"x":2},)");
  text = inserted(text, R"("runs":[{)", R"("tokens":1,"tokens":[2],)");
  text = inserted(text, R"("schedule":{)", R"("owner":{"id":1,"id":2},"owner":null,)");
  const ha::schedule_history h = text_decoded(text);
  BOOST_TEST((h == decoded(seed())));
}

// Unknown members are skipped however deep they nest, up to a cap on the whole document's
// nesting that keeps a hostile page from costing unbounded stack or time.
BOOST_AUTO_TEST_CASE(unknown_subtrees_nest_up_to_the_cap_and_no_deeper) {
  const std::size_t cap = 1000;
  const std::string text = json::serialize(seed());
  // The root object, the runs array and a run are three levels: the unknown value adds the rest.
  for (std::size_t depth : {std::size_t{29}, std::size_t{30}, std::size_t{40}, std::size_t{500}, cap - 3}) {
    const std::string deep = inserted(text, R"("runs":[{)", R"("trace":)" + nested_arrays(depth) + ",");
    BOOST_TEST(text_decoded(deep).runs.size() == 1u, "depth " << depth);
  }
  for (std::size_t depth : {cap - 2, cap + 5, std::size_t{100000}}) {
    const std::string deep = inserted(text, R"("runs":[{)", R"("trace":)" + nested_arrays(depth) + ",");
    BOOST_TEST(text_failure(deep) == "runs[0].trace: nested deeper than 1000 levels", "depth " << depth);
  }
  // Inside pagination, which keeps what it holds, and at the root of an unknown key.
  const std::string in_pagination = inserted(text, R"("pagination":{)", R"("deep":)" + nested_arrays(cap - 1));
  BOOST_TEST(text_failure(in_pagination) == "pagination.deep: nested deeper than 1000 levels");
  const std::string kept = inserted(text, R"("pagination":{)", R"("deep":)" + nested_arrays(cap - 2));
  BOOST_TEST(text_decoded(kept).pagination.fields().contains("deep"));
  // A parsed value is held to the same cap.
  json::value dom = seed();
  json::value* innermost = &first_run(dom.as_object())["trace"];
  for (std::size_t i = 0; i < cap - 2; ++i) innermost = &innermost->emplace_array().emplace_back(nullptr);
  BOOST_TEST(failure(dom) == "runs[0].trace: nested deeper than 1000 levels");
}

BOOST_AUTO_TEST_SUITE_END()
