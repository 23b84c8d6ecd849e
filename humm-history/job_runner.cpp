// The shard a job runner gives this process, from the variables it sets (job_runner.hpp).

#include "job_runner.hpp"

#include "text.hpp"

#include <charconv>
#include <cstdlib>

namespace humm_history {

namespace {

constexpr std::string_view auto_prefix = "--shard auto: ";

// A variable read as a whole number: what it holds as text (quoted in messages), and the number.
struct number_variable {
  std::string_view name;
  std::optional<std::string> text;     // nullopt: unset or empty
  std::optional<std::uint64_t> value;  // nullopt: unset, or not a whole number

  bool set() const { return text.has_value(); }
  std::string shown() const { return std::string(name) + "=" + fit(text.value_or(""), 40); }
};

number_variable read(const environment_lookup& env, std::string_view name) {
  number_variable v{name, env(name), std::nullopt};
  if (v.text && v.text->empty()) v.text.reset();
  if (!v.text) return v;
  std::uint64_t n = 0;
  const char* last = v.text->data() + v.text->size();
  const auto [end, ec] = std::from_chars(v.text->data(), last, n);  // no sign, no blank, no overflow
  if (ec == std::errc{} && end == last) v.value = n;
  return v;
}

// Whether `v`, when set, holds a whole number of at least `least`; if not, why.
bool well_formed(const number_variable& v, std::uint64_t least, std::string& why) {
  if (!v.set() || (v.value && *v.value >= least)) return true;
  why = std::string(auto_prefix) + v.shown() + ": expected a whole number" +
        (least == 0 ? " (0 or more)" : " of " + std::to_string(least) + " or more");
  return false;
}

// Whether `needed` is set, as `v` needs it; if not, why.
bool present(const number_variable& needed, const number_variable& v, std::string_view runner, std::string& why) {
  if (needed.set()) return true;
  why = std::string(auto_prefix) + v.shown() + " (" + std::string(runner) + ") is set but " +
        std::string(needed.name) + " is not";
  return false;
}

std::string described(const shard& s, std::string_view runner, const std::string& variables) {
  const std::string k_of_n = std::to_string(s.index + 1) + "/" + std::to_string(s.count);
  return std::string(auto_prefix) + "shard " + k_of_n + " (as --shard " + k_of_n + "), from " + std::string(runner) +
         " (" + variables + ")";
}

std::optional<shard> from_kubernetes(const environment_lookup& env, std::string& why, std::string& found) {
  constexpr std::string_view runner = "a Kubernetes Indexed Job";
  const number_variable index = read(env, "JOB_COMPLETION_INDEX"), count = read(env, "HUMM_SHARD_COUNT");
  if (!well_formed(index, 0, why) || !well_formed(count, 1, why)) return std::nullopt;
  // Kubernetes tells the index only: the count is the manifest's to give.
  if (!present(count, index, runner, why)) return why += ": set it to the Job's completions", std::nullopt;
  if (*index.value >= *count.value) {
    why = std::string(auto_prefix) + index.shown() + " is out of range for " + count.shown() + " (0 to " +
          std::to_string(*count.value - 1) + ")";
    return std::nullopt;
  }
  const shard s{*index.value, *count.value};
  found = described(s, runner, index.shown() + ", " + count.shown());
  return s;
}

std::optional<shard> from_slurm(const environment_lookup& env, std::string& why, std::string& found) {
  constexpr std::string_view runner = "a Slurm job array";
  const number_variable id = read(env, "SLURM_ARRAY_TASK_ID"), min = read(env, "SLURM_ARRAY_TASK_MIN"),
                        count = read(env, "SLURM_ARRAY_TASK_COUNT"), step = read(env, "SLURM_ARRAY_TASK_STEP"),
                        ours = read(env, "HUMM_SHARD_COUNT");
  if (!well_formed(id, 0, why) || !well_formed(min, 0, why) || !well_formed(count, 1, why) ||
      !well_formed(step, 1, why) || !well_formed(ours, 1, why))
    return std::nullopt;
  if (!present(min, id, runner, why) || !present(count, id, runner, why)) return std::nullopt;
  if (ours.set() && *ours.value != *count.value) {
    why = std::string(auto_prefix) + ours.shown() + " disagrees with " + count.shown();
    return std::nullopt;
  }
  // The array's indexes must be evenly spaced from its first (--array=0-7, 1-15:2): a list
  // such as 1,2,5 leaves a task out of range here, rather than one shard unwalked.
  const std::uint64_t stride = step.value.value_or(1);
  if (*id.value < *min.value || (*id.value - *min.value) % stride != 0 ||
      (*id.value - *min.value) / stride >= *count.value) {
    why = std::string(auto_prefix) + id.shown() + " is out of range for an array of " + count.shown() +
          " tasks from " + min.shown() + (step.set() ? " by " + step.shown() : "") +
          ": use --array=FIRST-LAST or FIRST-LAST:STEP";
    return std::nullopt;
  }
  const std::string variables =
      id.shown() + ", " + min.shown() + ", " + count.shown() + (step.set() ? ", " + step.shown() : "");
  const shard s{(*id.value - *min.value) / stride, *count.value};
  found = described(s, runner, variables);
  return s;
}

}  // namespace

environment_lookup process_environment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (!value) return std::nullopt;
    return std::string(value);
  };
}

std::optional<shard> resolve_shard(std::string_view option, const environment_lookup& env, std::string& why,
                                   std::string& found) {
  found.clear();
  if (option != "auto") return parse_shard(option, why);
  const bool kubernetes = read(env, "JOB_COMPLETION_INDEX").set(), slurm = read(env, "SLURM_ARRAY_TASK_ID").set();
  if (kubernetes && slurm) {
    why = std::string(auto_prefix) +
          "both JOB_COMPLETION_INDEX (Kubernetes) and SLURM_ARRAY_TASK_ID (Slurm) are set: which runner's shard "
          "is meant? Unset one, or give --shard K/N";
    return std::nullopt;
  }
  if (kubernetes) return from_kubernetes(env, why, found);
  if (slurm) return from_slurm(env, why, found);
  if (const number_variable count = read(env, "HUMM_SHARD_COUNT"); count.set())
    why = std::string(auto_prefix) + count.shown() + " is set but JOB_COMPLETION_INDEX is not: is this a Kubernetes "
          "Indexed Job (completionMode: Indexed)?";
  else
    why = std::string(auto_prefix) +
          "no job runner found: expected JOB_COMPLETION_INDEX and HUMM_SHARD_COUNT (a Kubernetes Indexed Job) or "
          "SLURM_ARRAY_TASK_ID (a Slurm job array); elsewhere, give --shard K/N";
  return std::nullopt;
}

}  // namespace humm_history
