#pragma once
// The wire models of the API (api/SPEC.md) and their JSON mappings. A model is a struct and its
// line in HUMM_ANALYST_FOR_EACH_MODEL at the end, which lists its members as JSON keys; the
// library reads and writes it from those alone (Boost.Describe). Decoding (decode.hpp)
// tolerates unknown keys and names the JSON path of anything it rejects.
//
// What a missing or null key means follows from the member's declaration: a std::optional
// becomes absent; a member listed in its model's `members_with_default` keeps its initialiser,
// the default api/SPEC.md documents; any other member is required.

#include <humm/analyst/open_enum.hpp>
#include <humm/analyst/timestamp.hpp>
#include <humm/analyst/uuid.hpp>

#include <boost/describe/class.hpp>
#include <boost/json/fwd.hpp>
#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace humm::analyst {

enum class run_status { unknown, triggered, running, in_progress, completed, failed };
BOOST_DESCRIBE_ENUM(run_status, unknown, triggered, running, in_progress, completed, failed)

enum class run_mode { unknown, per_subscriber, once_and_distribute };
BOOST_DESCRIBE_ENUM(run_mode, unknown, per_subscriber, once_and_distribute)

/// CommandScheduleResponse: a schedule that runs a command on a cron expression.
struct command_schedule {
  uuid command_id{};
  uuid organization_id{};
  std::string cron_expression;
  uuid id{};
  timestamp next_run_time{};
  std::optional<timestamp> last_run_time;
  timestamp created_at{};
  timestamp updated_at{};
  std::string timezone = "UTC";
  bool enabled = true;
  std::optional<std::string> name;
  open_enum<analyst::run_mode> run_mode = analyst::run_mode::per_subscriber;
  std::optional<uuid> created_by_user_id;

  /// The members whose initialiser above is api/SPEC.md's default: missing or null, they keep it.
  static constexpr auto members_with_default =
      std::tuple(&command_schedule::timezone, &command_schedule::enabled, &command_schedule::run_mode);

  friend bool operator==(const command_schedule&, const command_schedule&) = default;
};

/// CommandRunResponse: one run of a schedule.
struct command_run {
  uuid schedule_id{};
  uuid user_id{};
  uuid id{};
  std::optional<std::string> user_email;
  std::optional<open_enum<run_status>> status;
  std::optional<timestamp> started_at;
  std::optional<timestamp> completed_at;
  std::optional<std::string> error_message;
  std::optional<uuid> thread_id;
  std::optional<std::string> summary;
  std::optional<bool> is_read;
  std::optional<timestamp> read_at;
  std::optional<timestamp> created_at;
  std::optional<bool> is_source_run;
  std::optional<uuid> source_run_id;

  friend bool operator==(const command_run&, const command_run&) = default;
};

/// The `pagination` object, whose keys the API does not document: every key is kept as
/// received, and the usual ones are read when present with a non-negative integer (or
/// boolean) value.
class pagination {
 public:
  pagination() = default;
  explicit pagination(boost::json::object fields) : fields_(std::move(fields)) {}

  const boost::json::object& fields() const noexcept { return fields_; }
  boost::json::object& fields() noexcept { return fields_; }

  std::optional<std::int64_t> total() const noexcept { return count("total"); }
  std::optional<std::int64_t> limit() const noexcept { return count("limit"); }
  std::optional<std::int64_t> offset() const noexcept { return count("offset"); }
  std::optional<std::int64_t> next_offset() const noexcept { return count("next_offset"); }
  std::optional<bool> has_more() const noexcept;

  friend bool operator==(const pagination&, const pagination&) = default;

 private:
  std::optional<std::int64_t> count(std::string_view key) const noexcept;

  boost::json::object fields_;
};

/// ScheduleHistoryResponse: one page of a schedule's runs, newest first.
struct schedule_history {
  command_schedule schedule;
  std::optional<std::string> command_name;
  std::vector<command_run> runs;
  analyst::pagination pagination;

  /// `pagination` is `{}` when missing or null.
  static constexpr auto members_with_default = std::tuple(&schedule_history::pagination);

  friend bool operator==(const schedule_history&, const schedule_history&) = default;
};

/// GET /reports/runs/{run_id}: one run with its schedule.
struct run_details {
  command_run run;
  command_schedule schedule;
  std::optional<std::string> command_name;

  friend bool operator==(const run_details&, const run_details&) = default;
};

/// Every model, once, with its JSON mapping: `X(model, (members...))`, the members being its JSON
/// keys in the order they are written. Their Boost.Describe descriptions, the declarations below
/// and the library's instantiations (try_decode, the reader's tables, the writer) all expand this
/// list, so a new endpoint's model is its struct and its line here.
#define HUMM_ANALYST_FOR_EACH_MODEL(X)                                                                     \
  X(command_schedule, (command_id, organization_id, cron_expression, id, next_run_time, last_run_time,     \
                       created_at, updated_at, timezone, enabled, name, run_mode, created_by_user_id))     \
  X(command_run, (schedule_id, user_id, id, user_email, status, started_at, completed_at, error_message,   \
                  thread_id, summary, is_read, read_at, created_at, is_source_run, source_run_id))         \
  X(schedule_history, (schedule, command_name, runs, pagination))                                          \
  X(run_details, (run, schedule, command_name))

#define HUMM_ANALYST_DESCRIBE_MODEL(model, members) BOOST_DESCRIBE_STRUCT(model, (), members)
HUMM_ANALYST_FOR_EACH_MODEL(HUMM_ANALYST_DESCRIBE_MODEL)
#undef HUMM_ANALYST_DESCRIBE_MODEL

// Boost.JSON customisation points, found by argument-dependent lookup, for each model above.
// Decoding throws humm::analyst::decode_error (decode.hpp); try_decode is the non-throwing form.
#define HUMM_ANALYST_DECLARE_JSON_MAPPING(model, members)                          \
  model tag_invoke(boost::json::value_to_tag<model>, const boost::json::value& in); \
  void tag_invoke(boost::json::value_from_tag, boost::json::value& out, const model& value);
HUMM_ANALYST_FOR_EACH_MODEL(HUMM_ANALYST_DECLARE_JSON_MAPPING)
#undef HUMM_ANALYST_DECLARE_JSON_MAPPING

}  // namespace humm::analyst
