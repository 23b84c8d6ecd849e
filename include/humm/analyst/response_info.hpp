#pragma once
// What a successful call can hand back besides its model: the answer's status, request id,
// attempts and timings, the header fields the caller asked for, and the raw body. Asked for
// per call through call_options (response, response_headers, keep_raw_body); each page of a
// walk carries its own (history_page::response).

#include <humm/analyst/observer.hpp>

#include <string>
#include <utility>
#include <vector>

namespace humm::analyst {

struct response_info {
  unsigned http_status = 0;
  std::string request_id{};  ///< `x-request-id`, one printable line
  int attempts = 0;        ///< retries included
  event_duration elapsed{};  ///< the whole call, waits and backoffs included
  attempt_timings timings{}; ///< of the attempt that answered
  /// The fields named in call_options::response_headers, in the order received, names as
  /// the server spelled them, values as sent (untrusted text: see printable()).
  std::vector<std::pair<std::string, std::string>> headers{};
  /// With call_options::keep_raw_body: the body as received, inflated (decode.hpp reads it
  /// again later, as `humm-history decode` does).
  std::string raw_body{};
};

}  // namespace humm::analyst
