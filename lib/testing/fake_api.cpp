#include "fake_api.hpp"

#include <boost/beast/http/status.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace humm::analyst::testing::detail {
namespace {

namespace json = boost::json;

api_reply not_found(std::string_view detail) { return {404, detail_body(detail), {}}; }

// FastAPI's body for an HTTPException raised with a status alone: its reason phrase.
api_reply reason_reply(unsigned status) {
  const auto reason = boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(status));
  return {status, detail_body(std::string_view(reason.data(), reason.size())), {}};
}

// Whole seconds, rounded up: a client that waits this long finds the window over, never
// a moment too early.
std::string seconds_rounded_up(std::chrono::milliseconds duration) {
  return std::to_string(std::chrono::ceil<std::chrono::seconds>(duration).count());
}

// The `pagination` object in the server's current style; make_page has filled it with
// total, limit (the one used) and offset.
void restyle(analyst::pagination& pagination, pagination_style style, bool echo_limit, std::int64_t requested_limit,
             std::size_t returned) {
  json::object& fields = pagination.fields();
  switch (style) {
    case pagination_style::empty:
      fields.clear();
      break;
    case pagination_style::total:
      if (!echo_limit) fields["limit"] = requested_limit;
      break;
    case pagination_style::has_more: {
      const bool more = static_cast<std::size_t>(*pagination.offset()) + returned <
                        static_cast<std::size_t>(*pagination.total());
      fields = {{"has_more", more}};
      break;
    }
  }
}

bool starts_with_any_case(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  return std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  });
}

// New runs at least 15 minutes apart, as the product guarantees.
constexpr auto run_interval = std::chrono::minutes{16};
// Far from the small seeds tests pass to add_schedule, so inserted runs are new values.
constexpr std::uint64_t first_inserted_run_seed = 0x5eed'0000'0000'0000ULL;

}  // namespace

std::optional<api_reply> fault_reply(const fault& f) {
  if (f.status != 0) {
    api_reply reply = f.body.empty() ? reason_reply(f.status) : api_reply{f.status, f.body, {}};
    if (!f.retry_after.empty()) reply.headers.emplace_back("Retry-After", f.retry_after);
    if (!f.ratelimit_reset.empty()) reply.headers.emplace_back("X-RateLimit-Reset", f.ratelimit_reset);
    return reply;
  }
  // Cut inside an array, so that a decoder fails at the end of the text, not at its start.
  if (f.malformed_json) return api_reply{200, R"({"schedule": [1,2)", {}};
  return std::nullopt;
}

rate_limiter::rate_limiter(rate_limit_mode mode) : mode_(mode) {
  if (enabled() && mode_.window <= std::chrono::milliseconds::zero())
    throw std::invalid_argument("fake_server: rate_limit.window must be positive when requests_per_window is set");
}

rate_decision rate_limiter::admit(clock::time_point now, std::chrono::system_clock::time_point wall_now) {
  std::lock_guard lock(mutex_);
  if (now >= window_end_) {  // the previous window is over: this request opens the next
    window_end_ = now + mode_.window;
    // Fixed at the window's start, so every answer in the window names the same instant.
    wall_window_end_ = wall_now + mode_.window;
    used_ = 0;
  }
  rate_decision decision;
  decision.limit = mode_.requests_per_window;
  decision.admitted = used_ < decision.limit;
  if (decision.admitted) ++used_;  // refusals do not count: the allowance is already spent
  decision.remaining = decision.limit - used_;
  decision.until_reset = std::chrono::ceil<std::chrono::milliseconds>(window_end_ - now);
  decision.reset_unix_seconds =
      std::chrono::ceil<std::chrono::seconds>(wall_window_end_.time_since_epoch()).count();
  return decision;
}

std::vector<std::pair<std::string, std::string>> rate_limit_headers(rate_limit_style style,
                                                                    std::chrono::milliseconds window,
                                                                    const rate_decision& decision) {
  const std::string limit = std::to_string(decision.limit);
  const std::string remaining = std::to_string(decision.remaining);
  const std::string reset_after = seconds_rounded_up(decision.until_reset);
  switch (style) {
    case rate_limit_style::reset_delta_seconds:
      return {{"X-RateLimit-Limit", limit}, {"X-RateLimit-Remaining", remaining}, {"X-RateLimit-Reset", reset_after}};
    case rate_limit_style::reset_unix_time:
      return {{"X-RateLimit-Limit", limit},
              {"X-RateLimit-Remaining", remaining},
              {"X-RateLimit-Reset", std::to_string(decision.reset_unix_seconds)}};
    case rate_limit_style::ietf_draft:
      return {{"RateLimit", "limit=" + limit + ", remaining=" + remaining + ", reset=" + reset_after},
              {"RateLimit-Policy", limit + ";w=" + seconds_rounded_up(window)}};
  }
  throw std::invalid_argument("fake_server: unknown rate_limit_style");
}

fake_api::fake_api(fake_server_options options)
    : options_(std::move(options)),
      rate_limiter_(options_.rate_limit),
      pagination_(options_.pagination),
      next_run_seed_(first_inserted_run_seed) {}

schedule_data fake_api::add_schedule(std::size_t runs, std::uint64_t seed) {
  schedule_data data = make_schedule_data(seed, runs, options_.organization);
  std::lock_guard lock(mutex_);
  schedules_.insert_or_assign(data.schedule.id, data);
  return data;
}

void fake_api::insert_runs_at_head(const uuid& schedule, std::size_t count) {
  std::lock_guard lock(mutex_);
  const auto it = schedules_.find(schedule);
  if (it == schedules_.end()) throw std::invalid_argument("fake_server::insert_runs_at_head: unknown schedule");
  schedule_data& data = it->second;
  timestamp created = data.runs.empty() ? data.schedule.created_at
                                        : data.runs.front().created_at.value_or(data.schedule.created_at);
  std::vector<command_run> fresh;  // oldest first
  fresh.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    created += run_interval;
    fresh.push_back(make_run(next_run_seed_++, data.schedule, created));
  }
  data.runs.insert(data.runs.begin(), fresh.rbegin(), fresh.rend());
  if (!data.runs.empty()) data.schedule.last_run_time = data.runs.front().created_at;
}

void fake_api::push_fault(fault f) {
  std::lock_guard lock(mutex_);
  faults_.push_back(std::move(f));
}

std::optional<fault> fake_api::take_fault() {
  std::lock_guard lock(mutex_);
  while (!faults_.empty() && faults_.front().times == 0) faults_.pop_front();  // applies to no request
  if (faults_.empty()) return std::nullopt;
  fault taken = faults_.front();
  if (--faults_.front().times == 0) faults_.pop_front();
  return taken;
}

void fake_api::set_pagination(pagination_style style) {
  std::lock_guard lock(mutex_);
  pagination_ = style;
}

fake_api::rate_verdict fake_api::admit() {
  if (!rate_limiter_.enabled()) return {};
  const rate_decision decision = rate_limiter_.admit(rate_limiter::clock::now(), std::chrono::system_clock::now());
  rate_verdict verdict{rate_limit_headers(options_.rate_limit.style, options_.rate_limit.window, decision), {}};
  if (!decision.admitted) {
    verdict.refusal = reason_reply(429);  // "Too Many Requests"
    verdict.refusal->headers.emplace_back("Retry-After", seconds_rounded_up(decision.until_reset));
  }
  return verdict;
}

api_reply fake_api::answer(const api_request& request) const {
  if (request.which == api_request::route::none) return not_found("Not Found");
  if (!authorized(request.authorization))
    return {401, detail_body("Not authenticated"), {{"WWW-Authenticate", "Bearer"}}};
  if (request.which == api_request::route::schedule_runs) return history_page(request);
  return run_details(request);
}

bool fake_api::authorized(std::string_view authorization) const {
  constexpr std::string_view scheme = "Bearer ";  // the scheme is case-insensitive (RFC 9110)
  return starts_with_any_case(authorization, scheme) && authorization.substr(scheme.size()) == options_.token;
}

// The organization is a plain string parameter: another value, UUID or not, owns nothing here.
bool fake_api::owns(const std::string& organization_id) const {
  return parse_uuid(organization_id) == options_.organization;
}

api_reply fake_api::history_page(const api_request& request) const {
  parameter_check check;
  const auto schedule_id = check.path_uuid("schedule_id", request.path_id);
  const auto organization = check.required(request.query, "organization_id");
  const auto limit = check.integer(request.query, "limit", 20, 1, 100);
  const auto offset = check.integer(request.query, "offset", 0, 0, std::nullopt);
  if (!check.passed()) return check.rejection();
  if (!owns(*organization)) return not_found("Schedule not found");

  const std::size_t page_size =
      std::min(static_cast<std::size_t>(*limit), std::max<std::size_t>(options_.max_page_size, 1));
  schedule_history page;
  pagination_style style{};
  {
    std::lock_guard lock(mutex_);
    const auto it = schedules_.find(*schedule_id);
    if (it == schedules_.end()) return not_found("Schedule not found");
    page = make_page(it->second, static_cast<std::size_t>(*offset), page_size);
    style = pagination_;
  }
  restyle(page.pagination, style, options_.echo_limit, *limit, page.runs.size());
  return {200, json::serialize(json::value_from(page)), {}};
}

api_reply fake_api::run_details(const api_request& request) const {
  parameter_check check;
  const auto run_id = check.path_uuid("run_id", request.path_id);
  const auto organization = check.required(request.query, "organization_id");
  if (!check.passed()) return check.rejection();
  if (!owns(*organization)) return not_found("Run not found");

  std::lock_guard lock(mutex_);
  for (const auto& [id, data] : schedules_) {
    const auto run =
        std::find_if(data.runs.begin(), data.runs.end(), [&](const command_run& r) { return r.id == *run_id; });
    if (run == data.runs.end()) continue;
    const json::object body{{"run", json::value_from(*run)},
                            {"schedule", json::value_from(data.schedule)},
                            {"command_name", data.command_name}};
    return {200, json::serialize(body), {}};
  }
  return not_found("Run not found");
}

}  // namespace humm::analyst::testing::detail
