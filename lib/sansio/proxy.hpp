#pragma once
// Going through an HTTP proxy, decided free of I/O: which proxy a base URL uses (the
// options, else the environment as curl reads it), which hosts go direct (NO_PROXY), the
// CONNECT request that asks for a tunnel (RFC 9110 §9.3.6), and what the proxy's answer
// means. net/proxy_tunnel carries these out on a socket.
//
// Proxy credentials are secrets like the token: no message made here holds them, and what
// a proxy sends back is redacted of them before it is shown.

#include "sansio/endpoint.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace humm::analyst::detail {

/// An HTTP proxy, from `http://[user[:password]@]host[:port][/]`.
struct proxy_endpoint {
  std::string host;       ///< a name, or an IP literal without brackets
  std::string port;       ///< explicit, or 1080 (curl's default)
  std::string authority;  ///< host:port, an IPv6 literal in brackets: how messages and logs name it
  std::optional<std::string> user{};  ///< percent-decoded; set when the URL holds credentials
  std::string password{};             ///< percent-decoded
};

/// The port a proxy URL without one means: curl's.
inline constexpr std::string_view default_proxy_port = "1080";

/// Parses a proxy as curl takes it: `http://[user[:password]@]host[:port][/]`, or
/// `host[:port]` without a scheme (meaning http://). Other schemes (https://, socks5://, ...),
/// a path, query or fragment are refused; `source` names the setting in the message
/// ("proxy", "HTTPS_PROXY"), which never quotes the value (it may hold a password).
bool parse_proxy_url(std::string_view text, std::string_view source, proxy_endpoint& out, argument_problem& problem);

/// Whether `host` (a base URL's host: a name, or an IP literal without brackets) is one of
/// the hosts `no_proxy` sends direct. `no_proxy` as curl reads NO_PROXY: entries separated
/// by commas or white space; `*` matches every host; a name matches itself and its
/// subdomains, case-insensitively, with or without a leading dot; an IP address matches
/// itself (in any spelling); a CIDR block (`10.0.0.0/8`, `fd00::/8`) matches IP literals
/// within it. Nothing is implied: loopback goes through the proxy unless listed.
bool bypasses_proxy(std::string_view host, std::string_view no_proxy);

/// An environment variable's value, or nullopt when unset; the client passes getenv,
/// tests a table.
using environment_lookup = std::function<std::optional<std::string>(const std::string& name)>;

/// The proxy requests to `origin` go through, or nullopt for direct connections. `proxy` and
/// `no_proxy` as client_options hold them: nullopt reads the environment, as curl does
/// (https: `https_proxy`, `HTTPS_PROXY`, then `all_proxy`, `ALL_PROXY`; plain http:
/// `http_proxy` only in lower case, as a CGI program's HTTP_PROXY may come from a request's
/// `Proxy:` header ("httpoxy"), then `all_proxy`, `ALL_PROXY`; `no_proxy`, `NO_PROXY`); a
/// variable that is empty or white space counts as unset. An empty `proxy` means none. False
/// with `problem` naming the option or variable when the proxy is not one the client can use.
/// A plain http origin goes through a proxy only with `clear_text_allowed`
/// (client_options::allow_insecure_http): the proxy would read the token. Without it, the
/// environment's proxy is passed by (such an origin is loopback), and one the options name is
/// refused.
bool choose_proxy(const endpoint& origin, bool clear_text_allowed, const std::optional<std::string>& proxy,
                  const std::optional<std::string>& no_proxy, const environment_lookup& environment,
                  std::optional<proxy_endpoint>& out, argument_problem& problem);

/// What every connection through a proxy needs, prepared once per client.
struct proxy_route {
  proxy_endpoint proxy;
  std::string origin;           ///< host:port of the origin, as CONNECT names it
  std::string connect_request;  ///< the CONNECT request's bytes: it holds the credentials, never shown
};

/// `CONNECT host:port HTTP/1.1` with `Host`, `Proxy-Authorization: Basic` when the proxy has
/// credentials, and `User-Agent`.
proxy_route route_through(const proxy_endpoint& proxy, const endpoint& origin, std::string_view user_agent);

/// Why a tunnel could not be opened, ready for exchange_error.
struct tunnel_failure {
  std::error_code code;
  std::string message;      ///< names the proxy as host:port and the origin; no credentials
  unsigned proxy_status = 0;  ///< the proxy's status when it refused the tunnel
};

/// The most of a proxy's answer to CONNECT that is read: its status line and header fields.
/// A body (of a refusal) is never read: the connection is closed instead.
inline constexpr std::size_t max_connect_answer_bytes = 8 * 1024;

/// The most of a proxy's reason phrase shown in a message.
inline constexpr std::size_t max_reason_bytes = 120;

/// What the proxy's answer to CONNECT means: nullopt for a 2xx (the tunnel is open), else
/// errc::proxy with the status and the reason phrase (printable, bounded, redacted of the
/// credentials), e.g. `proxy 127.0.0.1:3128 refused the tunnel to api.example:443: HTTP 407
/// Proxy Authentication Required`.
std::optional<tunnel_failure> judge_connect_answer(const proxy_route& route, unsigned status, std::string_view reason);

/// How a tunnel failed before a judgeable answer; each names the proxy and the origin.
enum class tunnel_fault {
  closed,           ///< the proxy closed the connection before answering (errc::connection)
  unreadable,       ///< the answer is not HTTP (errc::proxy)
  too_long,         ///< its header is longer than max_connect_answer_bytes (errc::proxy)
  bytes_after_2xx,  ///< bytes followed the 2xx answer before the client spoke (errc::proxy)
  send_failed,      ///< the CONNECT request could not be sent (errc::connection)
  timed_out,        ///< no answer within connect_timeout (errc::timeout)
};
/// `detail`: the transport's own words (an error's message), when they help; never the proxy's text.
tunnel_failure describe_tunnel_fault(const proxy_route& route, tunnel_fault fault, std::string_view detail = {});

}  // namespace humm::analyst::detail
