#pragma once
// The wire models of the schedule-history endpoint (Get Schedule History in the API
// reference), with Boost.JSON `value_to` / `value_from` mappings. Decoding tolerates unknown
// keys, applies documented defaults, and names the JSON path of anything it rejects (see
// decode.hpp).

#include <humm/analyst/open_enum.hpp>
#include <humm/analyst/timestamp.hpp>
#include <humm/analyst/uuid.hpp>

#include <boost/describe/class.hpp>
#include <boost/json/fwd.hpp>
#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
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
  std::string timezone = "UTC";  // documented default when missing
  bool enabled = true;           // documented default when missing
  std::optional<std::string> name;
  open_enum<analyst::run_mode> run_mode = analyst::run_mode::per_subscriber;  // default when missing
  std::optional<uuid> created_by_user_id;

  friend bool operator==(const command_schedule&, const command_schedule&) = default;
};
BOOST_DESCRIBE_STRUCT(command_schedule, (),
                      (command_id, organization_id, cron_expression, id, next_run_time,
                       last_run_time, created_at, updated_at, timezone, enabled, name, run_mode,
                       created_by_user_id))

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
BOOST_DESCRIBE_STRUCT(command_run, (),
                      (schedule_id, user_id, id, user_email, status, started_at, completed_at,
                       error_message, thread_id, summary, is_read, read_at, created_at,
                       is_source_run, source_run_id))

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
  analyst::pagination pagination;  // `{}` when missing or null

  friend bool operator==(const schedule_history&, const schedule_history&) = default;
};
BOOST_DESCRIBE_STRUCT(schedule_history, (), (schedule, command_name, runs, pagination))

/// GET /reports/runs/{run_id}: one run with its schedule.
struct run_details {
  command_run run;
  command_schedule schedule;
  std::optional<std::string> command_name;

  friend bool operator==(const run_details&, const run_details&) = default;
};
BOOST_DESCRIBE_STRUCT(run_details, (), (run, schedule, command_name))

// Boost.JSON customisation points, found by argument-dependent lookup. Decoding throws
// humm::analyst::decode_error (decode.hpp); try_decode is the non-throwing form.
command_schedule tag_invoke(boost::json::value_to_tag<command_schedule>, const boost::json::value&);
command_run tag_invoke(boost::json::value_to_tag<command_run>, const boost::json::value&);
schedule_history tag_invoke(boost::json::value_to_tag<schedule_history>, const boost::json::value&);
run_details tag_invoke(boost::json::value_to_tag<run_details>, const boost::json::value&);
void tag_invoke(boost::json::value_from_tag, boost::json::value&, const command_schedule&);
void tag_invoke(boost::json::value_from_tag, boost::json::value&, const command_run&);
void tag_invoke(boost::json::value_from_tag, boost::json::value&, const schedule_history&);
void tag_invoke(boost::json::value_from_tag, boost::json::value&, const run_details&);

}  // namespace humm::analyst
