#pragma once
// Turning a non-success answer into error_details, free of I/O: the status, the request
// id, a bounded excerpt of the body, and FastAPI's `detail` (a message, or a 422's items),
// with the token redacted before anything is shortened (sansio/safe_text.hpp).

#include <humm/analyst/api_error.hpp>

#include <string_view>

namespace humm::analyst::detail {

/// The most of an error body kept in error_details::body_excerpt.
inline constexpr std::size_t max_body_excerpt = 512;
/// The most of an `x-request-id` kept: real ones are a UUID or two.
inline constexpr std::size_t max_request_id = 128;
/// The most of a redirect's `Location` shown.
inline constexpr std::size_t max_location = 256;

/// `what` names the call, e.g. "GET /reports/schedules/<id>/runs". `location`: a redirect's
/// `Location`, named in the message (redirects are not followed). `secret` (the token) is
/// redacted from everything taken from the answer; make_safe finishes the texts.
error_details describe_http_error(std::string_view what, unsigned status, std::string_view body,
                                  std::string_view request_id, std::string_view location, std::string_view secret);

}  // namespace humm::analyst::detail
