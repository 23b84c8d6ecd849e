#pragma once
// What the fake API reads from a request: the route a target matches, and FastAPI's
// validation of its parameters, whose failures become a 422 body in FastAPI's shape.
// Free of sockets and of the server's state.

#include <humm/analyst/uuid.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace humm::analyst::testing::detail {

/// An answer before HTTP framing: status, JSON body, and the headers the answer needs.
struct api_reply {
  unsigned status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

/// The FastAPI-style body `{"detail": "..."}`.
std::string detail_body(std::string_view detail);

/// A request matched against the API's routes, before any validation.
struct api_request {
  enum class route { none, schedule_runs, run_details };
  route which = route::none;
  std::string path_id;                       ///< {schedule_id} or {run_id}, percent-decoded
  std::map<std::string, std::string> query;  ///< the last value of each parameter, decoded
  std::string authorization;                 ///< the Authorization header, as sent
};

/// Matches a request line and its Authorization header. Only GET on the two endpoints
/// matches: anything else is route::none (404).
api_request match_request(std::string_view method, std::string_view target, std::string_view authorization);

/// Validates parameters one by one, as FastAPI does, collecting every error before the
/// request is refused (path first, then the query in declaration order).
class parameter_check {
 public:
  /// A path parameter that must be a UUID.
  std::optional<uuid> path_uuid(std::string_view name, std::string_view text);
  /// A required string query parameter.
  std::optional<std::string> required(const std::map<std::string, std::string>& query, std::string_view name);
  /// An integer query parameter with a default and bounds (`max` absent: unbounded).
  std::optional<std::int64_t> integer(const std::map<std::string, std::string>& query, std::string_view name,
                                      std::int64_t fallback, std::int64_t min, std::optional<std::int64_t> max);

  bool passed() const noexcept { return errors_.empty(); }
  /// The 422 answer: `{"detail": [{"type", "loc", "msg", "input", "ctx"?}, ...]}`.
  api_reply rejection() const;

 private:
  void add_error(std::string_view type, std::string_view where, std::string_view name, std::string_view message,
                 boost::json::value input, boost::json::object context = {});

  boost::json::array errors_;
};

}  // namespace humm::analyst::testing::detail
