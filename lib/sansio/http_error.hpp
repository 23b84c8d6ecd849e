#pragma once
// Turning a non-success answer into error_details, free of I/O: the status, the request
// id, a bounded excerpt of the body, and FastAPI's `detail` (a message, or a 422's items).

#include <humm/analyst/api_error.hpp>

#include <string_view>

namespace humm::analyst::detail {

/// The most of an error body kept in error_details::body_excerpt.
inline constexpr std::size_t max_body_excerpt = 512;

/// `what` names the call, e.g. "GET /reports/schedules/<id>/runs". `location`: a redirect's
/// `Location`, named in the message (redirects are not followed).
error_details describe_http_error(std::string_view what, unsigned status, std::string_view body,
                                  std::string_view request_id, std::string_view location = {});

}  // namespace humm::analyst::detail
