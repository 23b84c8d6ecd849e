#include <humm/analyst/testing/dataset.hpp>

#include <array>

namespace humm::analyst::testing {
namespace {

using namespace std::chrono;

// splitmix64: tiny, fast, and the same sequence everywhere (unlike std distributions).
class random_source {
 public:
  explicit random_source(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
  bool chance(unsigned percent) { return below(100) < percent; }
  template <class T, std::size_t N>
  const T& pick(const std::array<T, N>& items) {
    return items[below(N)];
  }

 private:
  std::uint64_t state_;
};

constexpr std::array<const char*, 6> first_names{"ana", "bjorn", "chloe", "dmitri", "eun-ji", "fatima"};
constexpr std::array<const char*, 4> domains{"example.com", "acme.io", "humm.test", "müller.example"};
constexpr std::array<const char*, 6> summaries{
    "Weekly revenue is up 12% over last week; churn is flat.",
    "Résumé : les ventes ont progressé de 8 % en Europe.",
    "売上は前週比で12%増加しました。📈",
    "Three accounts need attention: \"Globex\", \"Initech\" and \"Umbrella\".",
    "No anomalies found.\nAll 14 dashboards refreshed.",
    "Ключевые метрики стабильны; конверсия 3,4 %."};
constexpr std::array<const char*, 3> errors{"upstream timeout after 120 s", "data source 'warehouse' unreachable",
                                            "quota exceeded for organization"};
constexpr std::array<const char*, 4> crons{"0 9 * * 1", "*/15 * * * *", "30 6 * * *", "0 0 1 * *"};
constexpr std::array<const char*, 4> zones{"UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"};

// Most runs completed; the rest spread over every other status, including one this SDK
// does not know, so that open enums are exercised.
open_enum<run_status> pick_status(random_source& r) {
  const std::size_t roll = r.below(100);
  if (roll < 70) return run_status::completed;
  if (roll < 80) return run_status::failed;
  if (roll < 86) return run_status::triggered;
  if (roll < 92) return run_status::running;
  if (roll < 97) return run_status::in_progress;
  return open_enum<run_status>::from_string("queued");
}

const timestamp history_end = sys_days{year{2026} / November / 1} + hours{6};

}  // namespace

uuid make_uuid(std::uint64_t seed) {
  random_source r(seed);
  uuid id{};
  for (std::size_t i = 0; i < 16; i += 8) {
    const std::uint64_t bits = r.next();
    for (std::size_t b = 0; b < 8; ++b) id.data[i + b] = static_cast<std::uint8_t>(bits >> (8 * b));
  }
  id.data[6] = static_cast<std::uint8_t>((id.data[6] & 0x0f) | 0x40);  // version 4
  id.data[8] = static_cast<std::uint8_t>((id.data[8] & 0x3f) | 0x80);  // RFC 4122 variant
  return id;
}

command_run make_run(std::uint64_t seed, const command_schedule& schedule, timestamp created_at) {
  random_source r(seed);
  command_run run;
  run.schedule_id = schedule.id;
  run.user_id = make_uuid(r.next());
  run.id = make_uuid(r.next());
  if (!r.chance(10))
    run.user_email = std::string(r.pick(first_names)) + '.' + std::to_string(r.below(100)) + '@' + r.pick(domains);
  run.status = pick_status(r);
  run.created_at = created_at;
  if (*run.status != run_status::triggered) run.started_at = created_at + microseconds{r.below(5'000'000)};
  if (*run.status == run_status::completed || *run.status == run_status::failed)
    run.completed_at = *run.started_at + seconds{5 + r.below(300)} + microseconds{r.below(1'000'000)};
  if (*run.status == run_status::failed) run.error_message = r.pick(errors);
  if (*run.status == run_status::completed) run.summary = r.pick(summaries);
  if (!r.chance(20)) run.thread_id = make_uuid(r.next());
  run.is_read = r.chance(60);
  if (*run.is_read && run.completed_at) run.read_at = *run.completed_at + minutes{1 + r.below(600)};
  run.is_source_run = !r.chance(15);
  if (!*run.is_source_run) run.source_run_id = make_uuid(r.next());
  return run;
}

schedule_data make_schedule_data(std::uint64_t seed, std::size_t run_count, const uuid& organization) {
  random_source r(seed);
  schedule_data data;
  command_schedule& s = data.schedule;
  s.command_id = make_uuid(r.next());
  s.organization_id = organization;
  s.cron_expression = r.pick(crons);
  s.id = make_uuid(r.next());
  s.timezone = r.pick(zones);
  s.enabled = !r.chance(10);
  if (!r.chance(20)) s.name = "Weekly digest #" + std::to_string(r.below(1000));
  s.run_mode = r.chance(80) ? run_mode::per_subscriber : run_mode::once_and_distribute;
  if (!r.chance(25)) s.created_by_user_id = make_uuid(r.next());
  data.command_name = r.chance(50) ? "Revenue digest" : "Churn watch — täglich";

  // Runs never overlap and are at least 15 minutes apart; newest first.
  data.runs.reserve(run_count);
  timestamp created = history_end;
  for (std::size_t i = 0; i < run_count; ++i) {
    created -= minutes{15 + r.below(24 * 60)} + microseconds{r.below(1'000'000)};
    data.runs.push_back(make_run(r.next(), s, created));
  }
  s.created_at = created - hours{24 + r.below(24 * 30)};
  s.updated_at = s.created_at + hours{r.below(24 * 7)};
  if (run_count > 0) s.last_run_time = data.runs.front().created_at;
  s.next_run_time = history_end + minutes{15 + r.below(60)};
  return data;
}

schedule_history make_page(const schedule_data& data, std::size_t offset, std::size_t limit) {
  schedule_history page;
  page.schedule = data.schedule;
  page.command_name = data.command_name;
  const std::size_t begin = std::min(offset, data.runs.size());
  const std::size_t end = std::min(data.runs.size(), begin + limit);
  page.runs.assign(data.runs.begin() + static_cast<std::ptrdiff_t>(begin),
                   data.runs.begin() + static_cast<std::ptrdiff_t>(end));
  page.pagination.fields() = {{"total", data.runs.size()}, {"limit", limit}, {"offset", offset}};
  return page;
}

}  // namespace humm::analyst::testing
