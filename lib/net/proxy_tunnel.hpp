#pragma once
// A tunnel through an HTTP proxy on a TCP connection to it: the CONNECT request written, the
// proxy's answer read with a bounded reader (status line and header fields only, never a
// body), and judged by sansio/proxy. http_connection calls it between connecting and the TLS
// handshake, which then runs with the origin through the tunnel.

#include "net/response_reader.hpp"
#include "sansio/proxy.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <string>
#include <string_view>

namespace humm::analyst::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;

/// The first hop of a connection, which it resolves and connects to: the proxy when there is
/// one, else the origin. The names say which in messages.
struct first_hop {
  std::string_view host;
  std::string_view port;
  std::string resolve_name;  ///< "api.example", "proxy proxy.corp"
  std::string connect_name;  ///< "api.example:8443", "proxy proxy.corp:3128"
};
first_hop first_hop_of(const endpoint& origin, const proxy_route* proxy);

/// On `stream`, connected to route.proxy: asks for the tunnel to the origin and reads the
/// answer, within the deadline the caller set on the stream and the caller's cancellation.
/// True when the tunnel is open: the stream then carries the origin's bytes. False with
/// `error` set: the proxy named, its credentials never.
asio::awaitable<bool> open_tunnel(beast::tcp_stream& stream, const proxy_route& route, exchange_error& error);

}  // namespace humm::analyst::detail
