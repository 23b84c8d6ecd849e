#pragma once
// Building requests, free of I/O: the base URL taken apart once, arguments checked before
// anything is sent, and request targets with every parameter percent-encoded.

#include <humm/analyst/error.hpp>
#include <humm/analyst/uuid.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace humm::analyst::detail {

/// Where requests go, from client_options::base_url.
struct endpoint {
  bool tls = true;
  std::string host;         ///< as written (a name, or an IP literal without brackets)
  std::string port;         ///< explicit, or 443 / 80
  std::string path_prefix;  ///< without a trailing slash, e.g. "" or "/api"
  std::string host_header;  ///< host[:port] as sent in `Host`
};

/// A rejected argument: which parameter and why, never with a secret's value.
struct argument_problem {
  std::string parameter;
  std::string reason;
  std::string message() const { return parameter + ": " + reason; }
};

/// Parses `https://host[:port][/prefix]` or `http://...`; rejects anything else, and a host
/// that holds a control character or space once percent-decoded (a NUL would cut the name
/// that the resolver, SNI and the certificate check see). Plain `http://` would send the
/// token in clear text: it is refused for hosts other than loopback addresses unless
/// `allow_insecure_http`.
bool parse_base_url(std::string_view base_url, bool allow_insecure_http, endpoint& out, argument_problem& problem);

/// `localhost`, 127.0.0.0/8, ::1 and IPv4-mapped 127.x: names that never leave the machine.
bool is_loopback_host(std::string_view host);

/// Tokens go into a header: CR, LF or other control characters would split it.
bool check_token(std::string_view token, argument_problem& problem);

/// A header value given in the options (the user agent): no control characters either.
bool check_header_value(std::string_view parameter, std::string_view value, argument_problem& problem);

/// The schedule or run id of a path: a canonical UUID, checked before sending.
bool check_uuid_argument(std::string_view parameter, std::string_view text, uuid& out, argument_problem& problem);

/// `limit` in 1..100, `offset` >= 0, a non-empty organization id.
bool check_history_arguments(std::string_view organization_id, std::int64_t limit, std::int64_t offset,
                             argument_problem& problem);

/// `{prefix}/reports/schedules/{id}/runs?organization_id=..&limit=..&offset=..`
std::string history_target(const endpoint& where, const uuid& schedule_id, std::string_view organization_id,
                           std::int64_t limit, std::int64_t offset);

/// `{prefix}/reports/runs/{id}?organization_id=..`
std::string run_target(const endpoint& where, const uuid& run_id, std::string_view organization_id);

/// A header field given by the user (client_options::default_headers, call_options::headers):
/// a token for a name, no control character in the value, and none of the fields the client
/// sets itself or that frame the connection.
bool check_extra_header(std::string_view name, std::string_view value, argument_problem& problem);

/// Header fields as request lines, `Name: value\r\n` each: `call` after `defaults`, a call's
/// field replacing a default one of the same name. The fields are checked already.
using header_list = std::vector<std::pair<std::string, std::string>>;
std::string header_lines(const header_list& defaults, const header_list& call);

/// `humm-analyst-cpp/VERSION`, then the user's products.
std::string user_agent_for(std::string_view products);

/// The bytes of a keep-alive GET of `target`, built once per call and sent by every attempt.
/// `extra` holds header_lines(). It holds the token: it is never logged or shown.
std::string get_request(const endpoint& where, std::string_view target, std::string_view token,
                        std::string_view user_agent, bool gzip, std::string_view extra = {});

}  // namespace humm::analyst::detail
