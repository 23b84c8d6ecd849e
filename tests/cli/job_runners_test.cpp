// humm-history batch run as job runners run it: shards started by GNU parallel (Debian's
// `parallel`), each writing its own file, as --shard K/N and as --shard auto with a Kubernetes
// Indexed Job's or a Slurm array's variables; the union must hold every run exactly once.

#include "cli_fixture.hpp"
#include "text.hpp"  // fnv1a_64: the split, checked against an independent FNV-1a in batch_test.cpp

#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

namespace ha = humm::analyst;
namespace hat = humm::analyst::testing;
using namespace humm_test;

namespace {

constexpr std::uint64_t shard_count = 3;

// GNU parallel on PATH, or "" (moreutils' `parallel` is another program, with other options).
std::string find_gnu_parallel() {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const std::string candidate = dir + "/parallel";
    if (!dir.empty() && access(candidate.c_str(), X_OK) == 0 &&
        run_process(candidate, {"--version"}).out.starts_with("GNU parallel"))
      return candidate;
  }
  return "";
}

// A word for the shell that GNU parallel starts, whatever it holds.
std::string shell_word(const std::string& text) {
  std::string quoted = "'";
  for (const char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  BOOST_TEST_REQUIRE(in.good(), "no output file " << path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct temp_dir {
  temp_dir() {
    char pattern[] = "/tmp/humm-history-shards-XXXXXX";
    BOOST_TEST_REQUIRE(mkdtemp(pattern) != nullptr);
    path = pattern;
  }
  ~temp_dir() { std::filesystem::remove_all(path); }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  std::filesystem::path path;
};

struct job_runner_fixture {
  cli_server api;
  std::vector<hat::schedule_data> schedules;
  std::string id_list;

  job_runner_fixture() {
    for (std::uint64_t i = 0; i < 12; ++i) {
      schedules.push_back(api.server.add_schedule(3 + 7 * i, 700 + i));
      id_list += id_of(schedules.back()) + "\n";
    }
  }

  // Runs a batch with `--shard shard` and the runner's `variables` (`{}` standing for
  // parallel's argument in both) once per argument, three at a time as a job's tasks run, each
  // shard's runs to its own file. Checks that each shard walked its own schedules only
  // (`index_of`: the 0-based shard of an argument), and that every run of every schedule is
  // in exactly one file, once.
  void run_shards(const std::string& variables, const std::string& shard, const std::vector<std::string>& arguments,
                  const std::function<std::uint64_t(const std::string&)>& index_of) const {
    const std::string parallel = find_gnu_parallel();
    BOOST_TEST_REQUIRE(!parallel.empty(), "GNU parallel not found: run scripts/setup.sh");
    const temp_file ids(id_list);
    const temp_dir out;
    std::string job = variables;
    for (const std::string& word : api.args({exe, "batch", "--org", api.org, "--schedules-file", ids.path,
                                             "--page-size", "7", "--format", "ndjson"}))
      job += " " + shell_word(word);
    job += " --shard " + shard + " > " + shell_word(out.path.string()) + "/shard-{}.ndjson";
    std::vector<std::string> args{"--jobs", std::to_string(shard_count), job, ":::"};
    args.insert(args.end(), arguments.begin(), arguments.end());
    const auto r = run_process(parallel, args, api.env());
    BOOST_TEST_REQUIRE(r.exit_code == 0, "failed shards: " << r.exit_code << "; " << r.err);

    std::map<std::string, std::size_t> seen;  // run id -> files and lines it is on
    std::size_t lines = 0;
    for (const std::string& argument : arguments) {
      for (const auto& run : ndjson_values(read_file(out.path / ("shard-" + argument + ".ndjson")))) {
        const std::string schedule(run.at("schedule_id").as_string());
        BOOST_TEST(humm_history::fnv1a_64(schedule) % shard_count == index_of(argument),
                   "schedule " << schedule << " walked by shard " << argument);
        ++seen[std::string(run.at("id").as_string())];
        ++lines;
      }
    }
    std::size_t runs = 0;
    for (const auto& s : schedules) {
      for (const ha::command_run& run : s.runs) BOOST_TEST(seen[ha::format_uuid(run.id)] == 1u);
      runs += s.runs.size();
    }
    BOOST_TEST(lines == runs);
    BOOST_TEST(seen.size() == runs);
  }
};

std::uint64_t number(const std::string& text) { return std::stoull(text); }

}  // namespace

BOOST_AUTO_TEST_SUITE(job_runners)

BOOST_FIXTURE_TEST_CASE(gnu_parallel_runs_k_of_n_shards_whose_union_holds_every_run_once, job_runner_fixture) {
  run_shards("", "{}/3", {"1", "2", "3"}, [](const std::string& k) { return number(k) - 1; });
}

BOOST_FIXTURE_TEST_CASE(shards_of_a_kubernetes_indexed_job_count_from_index_0, job_runner_fixture) {
  // JOB_COMPLETION_INDEX 0, 1, 2 are --shard 1/3, 2/3, 3/3.
  run_shards("JOB_COMPLETION_INDEX={} HUMM_SHARD_COUNT=3", "auto", {"0", "1", "2"}, number);
}

BOOST_FIXTURE_TEST_CASE(shards_of_a_slurm_array_count_from_its_first_task, job_runner_fixture) {
  // --array=1-3: tasks 1, 2, 3 are --shard 1/3, 2/3, 3/3.
  run_shards("SLURM_ARRAY_TASK_ID={} SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_COUNT=3", "auto", {"1", "2", "3"},
             [](const std::string& task) { return number(task) - 1; });
}

BOOST_FIXTURE_TEST_CASE(verbose_tells_which_runner_and_shard_were_found, job_runner_fixture) {
  const temp_file ids(id_list);
  process_options env = api.env();
  env.env.insert(env.env.end(), {{"SLURM_ARRAY_TASK_ID", "12"}, {"SLURM_ARRAY_TASK_MIN", "10"},
                                 {"SLURM_ARRAY_TASK_COUNT", "3"}});
  const auto r = api.run({"batch", "--org", api.org, "--schedules-file", ids.path, "--shard", "auto", "-v"}, env);
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(lines_of(r.err).at(0) == "humm-history: --shard auto: shard 3/3 (as --shard 3/3), from a Slurm job array "
                                      "(SLURM_ARRAY_TASK_ID=12, SLURM_ARRAY_TASK_MIN=10, SLURM_ARRAY_TASK_COUNT=3)");
  const auto quiet = api.run({"batch", "--org", api.org, "--schedules-file", ids.path, "--shard", "auto"}, env);
  BOOST_TEST(quiet.exit_code == 0);
  BOOST_TEST(quiet.err == "");
}

BOOST_FIXTURE_TEST_CASE(a_shard_auto_without_a_usable_runner_exits_2_before_any_request, job_runner_fixture) {
  const temp_file ids(id_list);
  const std::vector<std::pair<std::vector<std::pair<std::string, std::string>>, std::string>> cases{
      {{}, "no job runner found"},
      {{{"JOB_COMPLETION_INDEX", "3"}, {"HUMM_SHARD_COUNT", "3"}}, "JOB_COMPLETION_INDEX=3 is out of range"},
      {{{"JOB_COMPLETION_INDEX", "1"}}, "HUMM_SHARD_COUNT is not"},
      {{{"JOB_COMPLETION_INDEX", "x"}, {"HUMM_SHARD_COUNT", "3"}}, "JOB_COMPLETION_INDEX=x: expected"},
      {{{"SLURM_ARRAY_TASK_ID", "0"}, {"SLURM_ARRAY_TASK_MIN", "1"}, {"SLURM_ARRAY_TASK_COUNT", "3"}},
       "SLURM_ARRAY_TASK_ID=0 is out of range"},
      {{{"JOB_COMPLETION_INDEX", "0"}, {"HUMM_SHARD_COUNT", "2"}, {"SLURM_ARRAY_TASK_ID", "1"}}, "both"},
  };
  for (const auto& [variables, reason] : cases) {
    process_options env = api.env();
    for (const auto& [name, value] : variables) env.env.emplace_back(name, value);
    const auto r = api.run({"batch", "--org", api.org, "--schedules-file", ids.path, "--shard", "auto"}, env);
    BOOST_TEST(r.exit_code == 2, reason);
    BOOST_TEST(r.err.starts_with("humm-history: --shard auto: "), r.err);
    BOOST_TEST(r.err.find(reason) != std::string::npos, r.err);
    BOOST_TEST(lines_of(r.err).size() == 1u, r.err);
    BOOST_TEST(r.out == "");
  }
  BOOST_TEST(api.server.counters().connections_accepted == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
