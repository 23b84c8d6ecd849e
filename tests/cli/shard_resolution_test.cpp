// --shard K/N and --shard auto resolved from a job runner's variables (job_runner.hpp), with
// the environment given as a map: every combination without touching the test's own.

#include "job_runner.hpp"

#include <boost/test/unit_test.hpp>

#include <map>

using namespace humm_history;

namespace {

using variables = std::map<std::string, std::string, std::less<>>;

environment_lookup lookup(const variables& set) {
  return [set](std::string_view name) -> std::optional<std::string> {
    const auto it = set.find(name);
    if (it == set.end()) return std::nullopt;
    return it->second;
  };
}

// What resolve_shard made of `option` in `env`: the shard as "K/N" (1-based, as --shard K/N
// reads), or the reason it refused.
struct resolution {
  std::optional<std::string> k_of_n;
  std::string why;
  std::string found;
};

resolution resolve(const variables& env, std::string_view option = "auto") {
  resolution r;
  if (const auto s = resolve_shard(option, lookup(env), r.why, r.found))
    r.k_of_n = std::to_string(s->index + 1) + "/" + std::to_string(s->count);
  return r;
}

bool mentions(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

}  // namespace

BOOST_AUTO_TEST_SUITE(shard_resolution)

BOOST_AUTO_TEST_CASE(k_of_n_reads_as_it_always_has_whatever_the_environment_says) {
  const auto r = resolve({{"JOB_COMPLETION_INDEX", "0"}, {"HUMM_SHARD_COUNT", "5"}}, "2/3");
  BOOST_TEST(r.k_of_n.value_or("none") == "2/3");
  BOOST_TEST(r.found == "");
  const auto bad = resolve({}, "Auto");
  BOOST_TEST(!bad.k_of_n);
  BOOST_TEST(bad.why == "--shard: expected K/N with 1 <= K <= N (e.g. 2/8), or auto, got \"Auto\"");
}

BOOST_AUTO_TEST_CASE(a_kubernetes_completion_index_counts_from_0_so_index_i_is_shard_i_plus_1) {
  for (int index = 0; index < 4; ++index) {
    const auto r = resolve({{"JOB_COMPLETION_INDEX", std::to_string(index)}, {"HUMM_SHARD_COUNT", "4"}});
    BOOST_TEST(r.k_of_n.value_or(r.why) == std::to_string(index + 1) + "/4");
  }
  const auto one = resolve({{"JOB_COMPLETION_INDEX", "0"}, {"HUMM_SHARD_COUNT", "1"}});
  BOOST_TEST(one.k_of_n.value_or(one.why) == "1/1");
}

BOOST_AUTO_TEST_CASE(the_shard_found_is_told_with_its_runner_and_variables) {
  const auto k8s = resolve({{"JOB_COMPLETION_INDEX", "2"}, {"HUMM_SHARD_COUNT", "8"}});
  BOOST_TEST(k8s.found == "--shard auto: shard 3/8 (as --shard 3/8), from a Kubernetes Indexed Job "
                          "(JOB_COMPLETION_INDEX=2, HUMM_SHARD_COUNT=8)");
  const auto slurm = resolve({{"SLURM_ARRAY_TASK_ID", "11"}, {"SLURM_ARRAY_TASK_MIN", "10"},
                              {"SLURM_ARRAY_TASK_COUNT", "4"}});
  BOOST_TEST(slurm.found == "--shard auto: shard 2/4 (as --shard 2/4), from a Slurm job array "
                            "(SLURM_ARRAY_TASK_ID=11, SLURM_ARRAY_TASK_MIN=10, SLURM_ARRAY_TASK_COUNT=4)");
}

BOOST_AUTO_TEST_CASE(a_kubernetes_index_needs_humm_shard_count) {
  const auto r = resolve({{"JOB_COMPLETION_INDEX", "1"}});
  BOOST_TEST(!r.k_of_n);
  BOOST_TEST(r.why == "--shard auto: JOB_COMPLETION_INDEX=1 (a Kubernetes Indexed Job) is set but HUMM_SHARD_COUNT "
                      "is not: set it to the Job's completions");
}

BOOST_AUTO_TEST_CASE(a_kubernetes_index_out_of_range_names_both_variables) {
  for (const char* index : {"3", "4", "1000"}) {
    const auto r = resolve({{"JOB_COMPLETION_INDEX", index}, {"HUMM_SHARD_COUNT", "3"}});
    BOOST_TEST(!r.k_of_n, index);
    BOOST_TEST(r.why == "--shard auto: JOB_COMPLETION_INDEX=" + std::string(index) +
                            " is out of range for HUMM_SHARD_COUNT=3 (0 to 2)");
  }
}

BOOST_AUTO_TEST_CASE(a_slurm_task_counts_from_the_arrays_minimum) {
  // --array=4-6: tasks 4, 5 and 6 are shards 1, 2 and 3; 3 and 7 belong to no shard.
  const variables array{{"SLURM_ARRAY_TASK_MIN", "4"}, {"SLURM_ARRAY_TASK_COUNT", "3"}};
  for (int task = 4; task <= 6; ++task) {
    variables env = array;
    env["SLURM_ARRAY_TASK_ID"] = std::to_string(task);
    const auto r = resolve(env);
    BOOST_TEST(r.k_of_n.value_or(r.why) == std::to_string(task - 3) + "/3");
  }
  for (const char* task : {"3", "7"}) {
    variables env = array;
    env["SLURM_ARRAY_TASK_ID"] = task;
    const auto r = resolve(env);
    BOOST_TEST(!r.k_of_n, task);
    BOOST_TEST(r.why == "--shard auto: SLURM_ARRAY_TASK_ID=" + std::string(task) +
                            " is out of range for an array of SLURM_ARRAY_TASK_COUNT=3 tasks from "
                            "SLURM_ARRAY_TASK_MIN=4: use --array=FIRST-LAST or FIRST-LAST:STEP");
  }
  // An array from 0 (--array=0-2) maps as a Kubernetes index does.
  const auto zero =
      resolve({{"SLURM_ARRAY_TASK_ID", "0"}, {"SLURM_ARRAY_TASK_MIN", "0"}, {"SLURM_ARRAY_TASK_COUNT", "3"}});
  BOOST_TEST(zero.k_of_n.value_or(zero.why) == "1/3");
}

BOOST_AUTO_TEST_CASE(a_stepped_slurm_array_has_one_shard_per_task) {
  // --array=1-7:2: tasks 1, 3, 5 and 7.
  const variables array{{"SLURM_ARRAY_TASK_MIN", "1"}, {"SLURM_ARRAY_TASK_COUNT", "4"}, {"SLURM_ARRAY_TASK_STEP", "2"}};
  for (int task = 1; task <= 7; task += 2) {
    variables env = array;
    env["SLURM_ARRAY_TASK_ID"] = std::to_string(task);
    const auto r = resolve(env);
    BOOST_TEST(r.k_of_n.value_or(r.why) == std::to_string((task - 1) / 2 + 1) + "/4");
  }
  variables between = array;
  between["SLURM_ARRAY_TASK_ID"] = "2";
  const auto r = resolve(between);
  BOOST_TEST(!r.k_of_n);
  BOOST_TEST(mentions(r.why, "SLURM_ARRAY_TASK_ID=2 is out of range"), r.why);
  BOOST_TEST(mentions(r.why, "by SLURM_ARRAY_TASK_STEP=2"), r.why);
}

BOOST_AUTO_TEST_CASE(a_slurm_task_needs_the_arrays_minimum_and_count) {
  const auto no_min = resolve({{"SLURM_ARRAY_TASK_ID", "2"}, {"SLURM_ARRAY_TASK_COUNT", "3"}});
  BOOST_TEST(no_min.why ==
             "--shard auto: SLURM_ARRAY_TASK_ID=2 (a Slurm job array) is set but SLURM_ARRAY_TASK_MIN is not");
  const auto no_count = resolve({{"SLURM_ARRAY_TASK_ID", "2"}, {"SLURM_ARRAY_TASK_MIN", "0"}});
  BOOST_TEST(no_count.why ==
             "--shard auto: SLURM_ARRAY_TASK_ID=2 (a Slurm job array) is set but SLURM_ARRAY_TASK_COUNT is not");
  BOOST_TEST(!no_min.k_of_n);
  BOOST_TEST(!no_count.k_of_n);
}

BOOST_AUTO_TEST_CASE(humm_shard_count_under_slurm_must_agree_with_the_arrays_count) {
  const variables task{{"SLURM_ARRAY_TASK_ID", "1"}, {"SLURM_ARRAY_TASK_MIN", "0"}, {"SLURM_ARRAY_TASK_COUNT", "3"}};
  variables agreeing = task, disagreeing = task;
  agreeing["HUMM_SHARD_COUNT"] = "3";
  disagreeing["HUMM_SHARD_COUNT"] = "4";
  const auto agreed = resolve(agreeing);
  BOOST_TEST(agreed.k_of_n.value_or(agreed.why) == "2/3");
  const auto r = resolve(disagreeing);
  BOOST_TEST(!r.k_of_n);
  BOOST_TEST(r.why == "--shard auto: HUMM_SHARD_COUNT=4 disagrees with SLURM_ARRAY_TASK_COUNT=3");
}

BOOST_AUTO_TEST_CASE(both_runners_at_once_are_refused_rather_than_one_guessed) {
  const auto r = resolve({{"JOB_COMPLETION_INDEX", "0"}, {"HUMM_SHARD_COUNT", "2"}, {"SLURM_ARRAY_TASK_ID", "0"},
                          {"SLURM_ARRAY_TASK_MIN", "0"}, {"SLURM_ARRAY_TASK_COUNT", "2"}});
  BOOST_TEST(!r.k_of_n);
  BOOST_TEST(r.why == "--shard auto: both JOB_COMPLETION_INDEX (Kubernetes) and SLURM_ARRAY_TASK_ID (Slurm) are set: "
                      "which runner's shard is meant? Unset one, or give --shard K/N");
}

BOOST_AUTO_TEST_CASE(no_runner_is_refused_naming_the_variables_looked_for) {
  const auto none = resolve({{"SLURM_JOB_ID", "77"}, {"HOSTNAME", "node-1"}});
  BOOST_TEST(!none.k_of_n);
  BOOST_TEST(none.why == "--shard auto: no job runner found: expected JOB_COMPLETION_INDEX and HUMM_SHARD_COUNT (a "
                         "Kubernetes Indexed Job) or SLURM_ARRAY_TASK_ID (a Slurm job array); elsewhere, give "
                         "--shard K/N");
  const auto count_only = resolve({{"HUMM_SHARD_COUNT", "3"}});
  BOOST_TEST(!count_only.k_of_n);
  BOOST_TEST(count_only.why == "--shard auto: HUMM_SHARD_COUNT=3 is set but JOB_COMPLETION_INDEX is not: is this a "
                               "Kubernetes Indexed Job (completionMode: Indexed)?");
}

BOOST_AUTO_TEST_CASE(empty_values_are_read_as_unset) {
  const auto r = resolve({{"JOB_COMPLETION_INDEX", ""}, {"SLURM_ARRAY_TASK_ID", "1"}, {"SLURM_ARRAY_TASK_MIN", "1"},
                          {"SLURM_ARRAY_TASK_COUNT", "2"}, {"SLURM_ARRAY_TASK_STEP", ""}, {"HUMM_SHARD_COUNT", ""}});
  BOOST_TEST(r.k_of_n.value_or(r.why) == "1/2");
  const auto count = resolve({{"JOB_COMPLETION_INDEX", "0"}, {"HUMM_SHARD_COUNT", ""}});
  BOOST_TEST(mentions(count.why, "is set but HUMM_SHARD_COUNT is not"), count.why);
}

BOOST_AUTO_TEST_CASE(a_value_that_is_not_a_whole_number_is_refused_naming_its_variable) {
  const std::vector<std::pair<variables, std::string>> cases{
      {{{"JOB_COMPLETION_INDEX", "-1"}, {"HUMM_SHARD_COUNT", "3"}},
       "JOB_COMPLETION_INDEX=-1: expected a whole number (0 or more)"},
      {{{"JOB_COMPLETION_INDEX", "+1"}, {"HUMM_SHARD_COUNT", "3"}}, "JOB_COMPLETION_INDEX=+1: expected"},
      {{{"JOB_COMPLETION_INDEX", " 1"}, {"HUMM_SHARD_COUNT", "3"}}, "JOB_COMPLETION_INDEX= 1: expected"},
      {{{"JOB_COMPLETION_INDEX", "1.0"}, {"HUMM_SHARD_COUNT", "3"}}, "JOB_COMPLETION_INDEX=1.0: expected"},
      {{{"JOB_COMPLETION_INDEX", "0x1"}, {"HUMM_SHARD_COUNT", "3"}}, "JOB_COMPLETION_INDEX=0x1: expected"},
      {{{"JOB_COMPLETION_INDEX", "99999999999999999999999"}, {"HUMM_SHARD_COUNT", "3"}},
       "JOB_COMPLETION_INDEX=99999999999999999999999: expected"},
      {{{"JOB_COMPLETION_INDEX", "0"}, {"HUMM_SHARD_COUNT", "0"}},
       "HUMM_SHARD_COUNT=0: expected a whole number of 1 or more"},
      {{{"JOB_COMPLETION_INDEX", "0"}, {"HUMM_SHARD_COUNT", "three"}}, "HUMM_SHARD_COUNT=three: expected"},
      {{{"SLURM_ARRAY_TASK_ID", "a"}, {"SLURM_ARRAY_TASK_MIN", "0"}, {"SLURM_ARRAY_TASK_COUNT", "2"}},
       "SLURM_ARRAY_TASK_ID=a: expected"},
      {{{"SLURM_ARRAY_TASK_ID", "1"}, {"SLURM_ARRAY_TASK_MIN", "-1"}, {"SLURM_ARRAY_TASK_COUNT", "2"}},
       "SLURM_ARRAY_TASK_MIN=-1: expected"},
      {{{"SLURM_ARRAY_TASK_ID", "1"}, {"SLURM_ARRAY_TASK_MIN", "0"}, {"SLURM_ARRAY_TASK_COUNT", "0"}},
       "SLURM_ARRAY_TASK_COUNT=0: expected a whole number of 1 or more"},
      {{{"SLURM_ARRAY_TASK_ID", "1"}, {"SLURM_ARRAY_TASK_MIN", "0"}, {"SLURM_ARRAY_TASK_COUNT", "2"},
        {"SLURM_ARRAY_TASK_STEP", "0"}},
       "SLURM_ARRAY_TASK_STEP=0: expected a whole number of 1 or more"},
  };
  for (const auto& [env, reason] : cases) {
    const auto r = resolve(env);
    BOOST_TEST(!r.k_of_n, reason);
    BOOST_TEST(r.why.starts_with("--shard auto: " + reason), r.why);
    BOOST_TEST(r.found == "");
  }
}

BOOST_AUTO_TEST_SUITE_END()
