// The pure parts of `batch --state`, directly: the journal's lines read back, torn and
// corrupt lines, what an invocation walks (resume, retry, a new generation, a refusal), the
// runs a retried walk leaves out, and the --since and --overlap values; and the journal file's
// removal when a batch that created it stops before writing it.

#include "checkpoint_files.hpp"
#include "journal.hpp"
#include "resume_fixture.hpp"
#include "resume_plan.hpp"
#include "time_window.hpp"
#include "walk_record.hpp"

#include <humm/analyst/uuid.hpp>

#include <boost/test/unit_test.hpp>

#include <cerrno>
#include <cstdio>
#include <filesystem>

using namespace humm_history;
namespace ha = humm::analyst;
using namespace std::chrono_literals;

namespace {

const std::string a = "00000000-0000-4000-8000-00000000000a", b = "00000000-0000-4000-8000-00000000000b",
                  c = "00000000-0000-4000-8000-00000000000c";

ha::timestamp at(const char* text) { return *ha::parse_timestamp(text); }

journal_header header_for(std::vector<std::string> ids, bool incremental = false) {
  return {.generation = 1,
          .identity = {.organization = "org",
                       .format = "ndjson",
                       .schedules = schedules_fingerprint(ids),
                       .schedule_count = ids.size(),
                       .output = "/data/runs.ndjson",
                       .since = "",
                       .incremental = incremental,
                       .overlap_s = incremental ? 86400 : 0,
                       .base_url = "https://analyst.example.com"},
          .since_time = std::nullopt};
}

batch_request request_for(std::vector<std::string> ids, bool incremental = false) {
  return {.identity = header_for(ids, incremental).identity,
          .ids = ids,
          .since_time = std::nullopt,
          .retry_failed = false,
          .state_path = "state.jsonl"};
}

schedule_record done(const std::string& id, std::uint64_t length, std::optional<ha::timestamp> newest = {}) {
  return {.failed = false, .schedule_id = id, .runs = 3, .newest = newest, .output_length = length};
}

schedule_record failed(const std::string& id, std::uint64_t length) {
  schedule_record r{.failed = true, .schedule_id = id, .runs = 20, .newest = at("2026-10-31T10:00:00Z")};
  r.resume_offset = 20;
  r.error = "HTTP 500: Internal Server Error";
  r.oldest = at("2026-10-20T08:00:00Z");
  r.oldest_ids = {"00000000-0000-4000-8000-0000000000f1"};
  r.output_length = length;
  return r;
}

journal_state parse(const std::string& text) {
  std::string why;
  const auto state = parse_journal(text, "state.jsonl", why);
  BOOST_TEST_REQUIRE(state.has_value(), why);
  return *state;
}

std::string parse_error(const std::string& text) {
  std::string why;
  BOOST_TEST(!parse_journal(text, "state.jsonl", why).has_value());
  return why;
}

ha::command_run run_at(const char* created, unsigned seed) {
  char id[40];
  std::snprintf(id, sizeof id, "00000000-0000-4000-8000-%012x", seed);
  ha::command_run run;
  run.id = *ha::parse_uuid(id);
  run.created_at = at(created);
  return run;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(batch_journal)

BOOST_AUTO_TEST_CASE(every_line_reads_back_as_it_was_written) {
  const journal_header header = header_for({a, b, c});
  const std::string text = header_line(header) + synced_line(a, at("2026-10-01T00:00:00Z")) + record_line(done(a, 100)) +
                           record_line(failed(b, 250)) + end_line(250);
  const journal_state state = parse(text);
  BOOST_TEST((state.header.identity == header.identity));
  BOOST_TEST(state.header.generation == 1u);
  BOOST_TEST((state.synced.at(a) == at("2026-10-01T00:00:00Z")));
  BOOST_TEST(!state.records.at(a).failed);
  const schedule_record& f = state.records.at(b);
  BOOST_TEST(f.failed);
  BOOST_TEST(f.resume_offset == 20);
  BOOST_TEST(f.runs == 20u);
  BOOST_TEST(f.error == "HTTP 500: Internal Server Error");
  BOOST_TEST((f.oldest == at("2026-10-20T08:00:00Z")));
  BOOST_TEST(f.oldest_ids.size() == 1u);
  BOOST_TEST(state.ended);
  BOOST_TEST(state.output_length == 250u);
  BOOST_TEST(state.valid_bytes == text.size());
}

BOOST_AUTO_TEST_CASE(a_torn_last_line_is_ignored_and_cut_off) {
  const std::string whole = header_line(header_for({a, b})) + record_line(done(a, 100));
  const std::string torn = record_line(done(b, 180));
  for (const std::string& tail : {torn.substr(0, torn.size() / 2), torn.substr(0, torn.size() - 1),
                                  std::string("{\"done\":\"x\",\"ru\n")}) {
    const journal_state state = parse(whole + tail);
    BOOST_TEST(state.records.size() == 1u, tail);
    BOOST_TEST(state.output_length == 100u);
    BOOST_TEST(state.valid_bytes == whole.size());
  }
}

BOOST_AUTO_TEST_CASE(a_corrupt_line_before_others_names_the_file_and_line) {
  const std::string header = header_line(header_for({a, b}));
  BOOST_TEST(parse_error(header + "{\"done\":\"x\"}\n" + record_line(done(b, 10))) ==
             "state.jsonl:2: \"runs\" should be a whole number");
  BOOST_TEST(parse_error(header + "not json\n" + record_line(done(b, 10))) == "state.jsonl:2: not a JSON object");
  BOOST_TEST(parse_error(header + record_line(done(a, 100)) + record_line(done(b, 50)) + end_line(50)) ==
             "state.jsonl:3: output_length 50 is less than the line before's (100)");
}

BOOST_AUTO_TEST_CASE(a_file_that_is_no_journal_is_refused_rather_than_overwritten) {
  BOOST_TEST(parse_error("hello\n") == "state.jsonl:1: not a JSON object");
  BOOST_TEST(parse_error("{\"name\":\"x\"}\n") == "state.jsonl:1: not a humm-history batch journal");
  BOOST_TEST(parse_error("just one torn line") == "state.jsonl:1: not a humm-history batch journal");
  std::string newer = header_line(header_for({a}));
  newer.replace(newer.find(":1,"), 3, ":2,");
  BOOST_TEST(parse_error(newer) == "state.jsonl:1: journal version 2 is not one this humm-history reads (1)");
}

BOOST_AUTO_TEST_CASE(without_a_journal_a_first_generation_walks_every_schedule) {
  const batch_plan plan = plan_batch(std::nullopt, request_for({a, b}));
  BOOST_TEST((plan.what == batch_plan::action::walk));
  BOOST_TEST(plan.new_generation);
  BOOST_TEST(plan.header.generation == 1u);
  BOOST_TEST_REQUIRE(plan.walks.size() == 2u);
  BOOST_TEST(!plan.walks[0].since.has_value());

  batch_request retry = request_for({a, b});
  retry.retry_failed = true;
  const batch_plan nothing = plan_batch(std::nullopt, retry);
  BOOST_TEST((nothing.what == batch_plan::action::refuse));
  BOOST_TEST(nothing.message == "--retry-failed: state.jsonl holds no journal: nothing to retry");
}

BOOST_AUTO_TEST_CASE(a_resume_walks_the_schedules_without_a_record_and_leaves_failed_ones_to_retry) {
  const journal_state state =
      parse(header_line(header_for({a, b, c})) + record_line(done(a, 100)) + record_line(failed(b, 200)));
  const batch_plan plan = plan_batch(state, request_for({a, b, c}));
  BOOST_TEST(!plan.new_generation);
  BOOST_TEST_REQUIRE(plan.walks.size() == 1u);
  BOOST_TEST(plan.walks[0].schedule_id == c);
  BOOST_TEST(plan.failed_left == 1u);

  batch_request retry = request_for({a, b, c});
  retry.retry_failed = true;
  const batch_plan retried = plan_batch(state, retry);
  BOOST_TEST_REQUIRE(retried.walks.size() == 1u);
  const planned_walk& walk = retried.walks[0];
  BOOST_TEST(walk.schedule_id == b);
  BOOST_TEST(walk.start_offset == 20);
  BOOST_TEST((walk.committed_oldest == at("2026-10-20T08:00:00Z")));
  BOOST_TEST(walk.committed_oldest_ids.size() == 1u);
  BOOST_TEST(retried.failed_left == 0u);
}

BOOST_AUTO_TEST_CASE(a_finished_generation_leaves_nothing_to_do_without_incremental) {
  const journal_state state =
      parse(header_line(header_for({a, b})) + record_line(done(a, 100)) + record_line(done(b, 200)) + end_line(200));
  const batch_plan plan = plan_batch(state, request_for({a, b}));
  BOOST_TEST((plan.what == batch_plan::action::nothing_left));
  BOOST_TEST(plan.failed_left == 0u);
  BOOST_TEST(plan.message ==
             "nothing left to do: the batch in state.jsonl walked all its 2 schedules (generation 1); "
             "--incremental fetches what is new");
}

BOOST_AUTO_TEST_CASE(a_finished_generation_with_failed_schedules_run_again_retries_them_as_retry_failed_does) {
  const journal_state state = parse(header_line(header_for({a, b})) + record_line(done(a, 100)) +
                                    record_line(failed(b, 200)) + end_line(200));
  const batch_plan plan = plan_batch(state, request_for({a, b}));
  BOOST_TEST((plan.what == batch_plan::action::walk));
  BOOST_TEST(!plan.new_generation);
  BOOST_TEST_REQUIRE(plan.walks.size() == 1u);
  BOOST_TEST(plan.walks[0].schedule_id == b);
  BOOST_TEST(plan.walks[0].start_offset == 20);
  BOOST_TEST(plan.failed_left == 0u);
}

BOOST_AUTO_TEST_CASE(a_journal_of_another_base_url_is_refused_and_an_older_journal_without_one_resumes) {
  const std::string header = header_line(header_for({a, b}));
  BOOST_TEST(header.find(R"("base_url":"https://analyst.example.com")") != std::string::npos, header);
  const journal_state state = parse(header + record_line(done(a, 100)));
  BOOST_TEST(state.header.identity.base_url == "https://analyst.example.com");
  batch_request elsewhere = request_for({a, b});
  elsewhere.identity.base_url = "https://staging.example.com";
  const batch_plan refused = plan_batch(state, elsewhere);
  BOOST_TEST((refused.what == batch_plan::action::refuse));
  BOOST_TEST(refused.message.find("--base-url https://staging.example.com (the journal's: https://analyst.example.com)") !=
                 std::string::npos,
             refused.message);
  elsewhere.identity.incremental = true;  // nor does a next generation follow another server's runs
  const journal_state ended = parse(header + record_line(done(a, 100)) + record_line(done(b, 200)) + end_line(200));
  BOOST_TEST((plan_batch(ended, elsewhere).what == batch_plan::action::refuse));

  // A journal written before the base URL was recorded: its header has none.
  std::string older = header;
  older.erase(older.find(R"(,"base_url")"), older.find('}') - older.find(R"(,"base_url")"));
  const journal_state old_state = parse(older + record_line(done(a, 100)));
  BOOST_TEST(old_state.header.identity.base_url.empty());
  const batch_plan resumed = plan_batch(old_state, request_for({a, b}));
  BOOST_TEST((resumed.what == batch_plan::action::walk));
}

BOOST_AUTO_TEST_CASE(other_arguments_are_refused_naming_the_first_that_differs) {
  const journal_state state = parse(header_line(header_for({a, b})) + record_line(done(a, 100)));
  const auto refusal = [&](batch_request request) {
    const batch_plan plan = plan_batch(state, request);
    BOOST_TEST((plan.what == batch_plan::action::refuse));
    return plan.message;
  };
  const std::string suffix = "; give the journal's arguments to resume it, or use another --state file";
  batch_request other = request_for({a, b});
  other.identity.format = "csv";
  BOOST_TEST(refusal(other) == "state.jsonl records another batch: --format csv (the journal's: ndjson)" + suffix);
  BOOST_TEST(refusal(request_for({a})) ==
             "state.jsonl records another batch: the list of schedules: 1 ids, the journal's has 2 "
             "(another --schedules-file or --shard)" + suffix);
  BOOST_TEST(refusal(request_for({a, c})).find("other ids than the journal's") != std::string::npos);
  other = request_for({a, b});
  other.identity.since = "24h";
  BOOST_TEST(refusal(other) == "state.jsonl records another batch: --since 24h (the journal's: none)" + suffix);
  BOOST_TEST(refusal(request_for({a, b}, true)) ==
             "state.jsonl records another batch: --incremental (the journal's batch has none)" + suffix);
}

BOOST_AUTO_TEST_CASE(incremental_after_a_finished_generation_begins_the_next_from_the_newest_runs) {
  journal_header header = header_for({a, b, c}, true);
  header.generation = 4;
  // a: done with newer runs; b: failed now, so it keeps what it had; c: no run at all.
  const journal_state state =
      parse(header_line(header) + synced_line(a, at("2026-10-01T00:00:00Z")) + synced_line(b, at("2026-10-02T00:00:00Z")) +
            record_line(done(a, 10, at("2026-10-05T00:00:00Z"))) + record_line(failed(b, 20)) + record_line(done(c, 30)) +
            end_line(30));
  const batch_plan plan = plan_batch(state, request_for({a, b, c}, true));
  BOOST_TEST((plan.what == batch_plan::action::walk));
  BOOST_TEST(plan.new_generation);
  BOOST_TEST(plan.header.generation == 5u);
  BOOST_TEST((plan.synced.at(a) == at("2026-10-05T00:00:00Z")));
  BOOST_TEST((plan.synced.at(b) == at("2026-10-02T00:00:00Z")));
  BOOST_TEST(!plan.synced.contains(c));
  BOOST_TEST_REQUIRE(plan.walks.size() == 3u);
  BOOST_TEST((plan.walks[0].since == at("2026-10-04T00:00:00Z")));
  BOOST_TEST((plan.walks[1].since == at("2026-10-01T00:00:00Z")));
  BOOST_TEST(!plan.walks[2].since.has_value());
  // --since bounds every walk; the overlap only narrows it.
  batch_request bounded = request_for({a, b, c}, true);
  bounded.since_time = at("2026-10-03T00:00:00Z");
  const batch_plan narrowed = plan_batch(state, bounded);
  BOOST_TEST((narrowed.walks[0].since == at("2026-10-04T00:00:00Z")));
  BOOST_TEST((narrowed.walks[1].since == at("2026-10-03T00:00:00Z")));
  BOOST_TEST((narrowed.walks[2].since == at("2026-10-03T00:00:00Z")));

  batch_request other_org = request_for({a, b, c}, true);
  other_org.identity.organization = "other";
  BOOST_TEST((plan_batch(state, other_org).what == batch_plan::action::refuse));
}

BOOST_AUTO_TEST_CASE(a_failed_record_keeps_the_last_1000_ids_of_runs_sharing_its_oldest_time) {
  const planned_walk walk{.schedule_id = a};
  walk_record record(walk);
  // Each id was searched among those kept: a walk of many runs at one time took minutes.
  const unsigned count = 20'000;
  for (unsigned seed = 1; seed <= count; ++seed) BOOST_REQUIRE(record.admit(run_at("2026-10-20T10:00:00Z", seed)));
  const schedule_record line = record.failed("timeout", count);
  BOOST_TEST_REQUIRE(line.oldest_ids.size() == 1000u);
  BOOST_TEST(line.oldest_ids.back() == ha::format_uuid(run_at("2026-10-20T10:00:00Z", count).id));
  BOOST_TEST(line.oldest_ids.front() == ha::format_uuid(run_at("2026-10-20T10:00:00Z", count - 999).id));
}

BOOST_AUTO_TEST_CASE(a_retried_walk_leaves_out_the_runs_its_failed_walk_wrote) {
  // The failed walk wrote runs down to 10:00, two of them at 10:00 (ids 1 and 2); since then,
  // new runs pushed those onto the pages after the resume offset.
  const planned_walk retried{.schedule_id = a,
                             .start_offset = 20,
                             .since = std::nullopt,
                             .newest = at("2026-10-31T00:00:00Z"),
                             .committed_oldest = at("2026-10-20T10:00:00Z"),
                             .committed_oldest_ids = {ha::format_uuid(run_at("2026-10-20T10:00:00Z", 1).id),
                                                      ha::format_uuid(run_at("2026-10-20T10:00:00Z", 2).id)}};
  walk_record record(retried);
  BOOST_TEST(!record.admit(run_at("2026-10-20T11:00:00Z", 5)));
  BOOST_TEST(!record.admit(run_at("2026-10-20T10:00:00Z", 1)));
  BOOST_TEST(!record.admit(run_at("2026-10-20T10:00:00Z", 2)));
  BOOST_TEST(record.admit(run_at("2026-10-20T10:00:00Z", 3)));  // the same time, not written
  BOOST_TEST(record.admit(run_at("2026-10-20T09:00:00Z", 4)));
  BOOST_TEST(record.runs() == 2u);
  BOOST_TEST(record.left_out() == 3u);
  const schedule_record line = record.failed("timeout", 40);
  BOOST_TEST((line.oldest == at("2026-10-20T09:00:00Z")));
  BOOST_TEST(line.oldest_ids.size() == 1u);
  BOOST_TEST((line.newest == at("2026-10-31T00:00:00Z")));
  BOOST_TEST(line.resume_offset == 40);
}

BOOST_AUTO_TEST_CASE(since_takes_rfc_3339_or_a_duration_back_from_now) {
  const ha::timestamp now = at("2026-11-30T12:00:00Z");
  std::string why;
  BOOST_TEST((parse_since("24h", now, why) == at("2026-11-29T12:00:00Z")));
  BOOST_TEST((parse_since("90s", now, why) == at("2026-11-30T11:58:30Z")));
  BOOST_TEST((parse_since("7d", now, why) == at("2026-11-23T12:00:00Z")));
  BOOST_TEST((parse_since("2026-11-01T06:00:00+01:00", now, why) == at("2026-11-01T05:00:00Z")));
  for (const char* bad : {"", "24", "h", "-1h", "1.5h", "24 h", "1w", "yesterday", "2026-13-01T00:00:00Z"}) {
    BOOST_TEST(!parse_since(bad, now, why).has_value(), bad);
    BOOST_TEST(why.find("--since: expected an RFC 3339 date-time") == 0u, why);
  }
  BOOST_TEST((parse_duration("30m") == std::optional(30min)));
  BOOST_TEST(!parse_duration("99999999999d").has_value());
}

BOOST_AUTO_TEST_CASE(since_goes_back_to_year_0_and_no_further_and_durations_up_to_1000_years) {
  std::string why;
  // Year 0 is a leap year: 366 days before 0001-01-01.
  const ha::timestamp year_1 = at("0001-01-01T00:00:00Z");
  BOOST_TEST((parse_since("366d", year_1, why) == year_1 - std::chrono::days(366)));
  BOOST_TEST(!parse_since("367d", year_1, why).has_value());
  BOOST_TEST(why == "--since: 367d back from now is before year 0");
  BOOST_TEST(!parse_since("31622401s", year_1, why).has_value());

  BOOST_TEST((parse_duration("365000d") == std::optional<std::chrono::seconds>(std::chrono::days(365'000))));
  BOOST_TEST(!parse_duration("365001d").has_value());
  BOOST_TEST(!parse_duration("8760001h").has_value());
  const ha::timestamp now = at("2026-11-30T12:00:00Z");
  BOOST_TEST(!parse_since("365001d", now, why).has_value());
  BOOST_TEST(why.find("--since: expected") == 0u, why);
}

BOOST_AUTO_TEST_CASE(a_journal_created_and_never_written_is_removed_unless_another_file_took_its_path) {
  humm_test::temp_directory dir;
  const std::string path = dir.path + "/state.jsonl";
  std::string text, why;
  {
    journal_file journal;
    BOOST_TEST_REQUIRE(journal.open(path, text, why), why);
  }
  BOOST_TEST(!std::filesystem::exists(path));

  {
    journal_file journal;
    BOOST_TEST_REQUIRE(journal.open(path, text, why), why);
    // Another batch's journal renamed over the path meanwhile: it is not ours to remove.
    humm_test::write_file(dir.path + "/other", "{\"humm_history_batch_journal\":1}\n");
    std::filesystem::rename(dir.path + "/other", path);
  }
  BOOST_TEST(std::filesystem::exists(path));
}

BOOST_AUTO_TEST_CASE(a_full_disk_an_io_error_or_a_lock_are_worth_retrying_and_a_path_that_cannot_be_opened_is_not) {
  for (const int error : {ENOSPC, EIO, EDQUOT, EWOULDBLOCK}) BOOST_TEST(worth_retrying(error), error);
  for (const int error : {EACCES, ENOENT, ENOTDIR, EISDIR, EROFS, 0}) BOOST_TEST(!worth_retrying(error), error);
}

BOOST_AUTO_TEST_SUITE_END()
