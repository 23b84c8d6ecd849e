#pragma once
// The API half of the fake server: its data set, its scripted faults and its answers, with
// no sockets, so that what it answers does not depend on how the bytes travel. Thread-safe:
// the server's connections and the test's own thread use it at the same time.

#include "api_request.hpp"

#include <humm/analyst/testing/fake_server.hpp>

#include <deque>
#include <map>
#include <mutex>
#include <optional>

namespace humm::analyst::testing::detail {

/// The reply a fault's `status` or `malformed_json` calls for; nothing for the faults that
/// only change how (or whether) the normal answer travels.
std::optional<api_reply> fault_reply(const fault& f);

class fake_api {
 public:
  explicit fake_api(fake_server_options options);

  schedule_data add_schedule(std::size_t runs, std::uint64_t seed);
  /// Throws std::invalid_argument for a schedule the server does not have.
  void insert_runs_at_head(const uuid& schedule, std::size_t count);

  void push_fault(fault f);
  /// The fault for the next request that reaches an endpoint, if one is queued.
  std::optional<fault> take_fault();

  void set_pagination(pagination_style style);

  /// The answer to a matched request: 404 for route::none, then 401, 422, 404 and 200,
  /// in the order FastAPI decides them (routing, security, validation, handler).
  api_reply answer(const api_request& request) const;

 private:
  bool authorized(std::string_view authorization) const;
  bool owns(const std::string& organization_id) const;
  api_reply history_page(const api_request& request) const;
  api_reply run_details(const api_request& request) const;

  const fake_server_options options_;
  mutable std::mutex mutex_;  // guards everything below
  std::map<uuid, schedule_data> schedules_;
  std::deque<fault> faults_;
  pagination_style pagination_;
  std::uint64_t next_run_seed_;
};

}  // namespace humm::analyst::testing::detail
