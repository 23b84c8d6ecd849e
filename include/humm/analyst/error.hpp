#pragma once
// The library's own error codes. Asio and OpenSSL errors keep their own categories;
// these name what only this library can tell (a bad argument, an HTTP status, a decode).

#include <boost/system/is_error_code_enum.hpp>

#include <string>
#include <system_error>

namespace humm::analyst {

enum class errc {
  invalid_argument = 1,  // a parameter was rejected before anything was sent
  http_status,           // the server answered with a non-success status
  decode,                // the response body is not the documented JSON
  body_too_large,        // the response exceeded client_options::max_response_bytes
  tls,                   // handshake or certificate verification failed
  timeout,               // connect, handshake or request timeout
  connection,            // the connection failed or closed unexpectedly
  cancelled,             // the caller cancelled the operation
  repeated_page,         // the server's pages stopped bringing new runs: a walk cannot advance
  bad_pagination,        // a page's pagination is negative, out of range, or contradicts the request
  deadline_exceeded,     // the call's or the walk's deadline passed (call_options, walk_options)
  rate_limited,          // the server's rate limit asks for a longer wait than retry_policy::max_retry_after
  proxy,                 // the HTTP proxy refused the tunnel (407, 403, 502, ...) or answered with something other than HTTP
};

const std::error_category& error_category() noexcept;

inline std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), error_category()};
}

}  // namespace humm::analyst

// Comparable with both std::error_code and boost::system::error_code (Asio's).
template <>
struct std::is_error_code_enum<humm::analyst::errc> : std::true_type {};
template <>
struct boost::system::is_error_code_enum<humm::analyst::errc> : std::true_type {};
