#pragma once
// What went wrong with a call, in detail: kept apart from the error_code (as Boost.MySQL
// keeps diagnostics apart), and carried by api_error for the awaitable API.

#include <humm/analyst/error.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

namespace humm::analyst {

/// One item of a FastAPI 422 answer: `{"loc": ["query", "limit"], "msg": ..., "type": ...}`.
struct validation_issue {
  std::vector<std::string> loc;  // integers in `loc` are kept as their decimal text
  std::string msg;
  std::string type;
};

struct error_details {
  unsigned http_status = 0;           ///< 0 when no response was received
  std::string message;                ///< what happened, in one line (never the token)
  std::string body_excerpt;           ///< the start of an error response's body, bounded
  std::string request_id;             ///< `x-request-id` of the response, if any
  std::vector<validation_issue> validation;  ///< a 422's `detail` items
  bool retryable = false;             ///< whether retrying the same call could succeed
  int attempts = 0;                   ///< attempts made, retries included
  /// For a failed walk: the start_offset that resumes it without losing a run.
  std::optional<std::int64_t> resume_offset;
  /// The wait the server last asked for (Retry-After, or a 429's rate-limit reset), e.g.
  /// when it was longer than retry_policy::max_retry_after and the call gave up at once.
  std::optional<std::chrono::milliseconds> retry_after;
};

/// Thrown by the awaitable API. what() is the details' message, with the HTTP status when
/// there is one (and not, as std::system_error would add, the code's generic message).
class api_error : public std::system_error {
 public:
  api_error(std::error_code code, error_details details);
  const char* what() const noexcept override { return what_.c_str(); }
  const error_details& details() const noexcept { return details_; }
  unsigned http_status() const noexcept { return details_.http_status; }
  bool retryable() const noexcept { return details_.retryable; }

 private:
  error_details details_;
  std::string what_;
};

}  // namespace humm::analyst
