// The tunnel of proxy_tunnel.hpp: CONNECT written, the answer's header read and judged.

#include "net/proxy_tunnel.hpp"

#include "async/cancellation.hpp"

#include <humm/analyst/error.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>

namespace humm::analyst::detail {

namespace http = beast::http;

namespace {

constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);

bool fail(exchange_error& error, tunnel_failure failure) {
  error = {failure.code, std::move(failure.message), true, failure.proxy_status};
  return false;
}

// A transport failure while the tunnel was being asked for: the caller's cancellation and
// the deadline first, else `otherwise`.
asio::awaitable<bool> fail_transport(exchange_error& error, const proxy_route& route, const boost::system::error_code& ec,
                                     tunnel_fault otherwise) {
  if (co_await was_cancelled()) {
    error = {make_error_code(errc::cancelled), "cancelled while opening the tunnel through proxy " + route.proxy.authority,
             true};
    co_return false;
  }
  const tunnel_fault fault = ec == beast::error::timeout ? tunnel_fault::timed_out : otherwise;
  co_return fail(error, describe_tunnel_fault(route, fault, ec.message()));
}

}  // namespace

first_hop first_hop_of(const endpoint& origin, const proxy_route* proxy) {
  if (!proxy) return {origin.host, origin.port, origin.host, origin.host_header};
  return {proxy->proxy.host, proxy->proxy.port, "proxy " + proxy->proxy.host, "proxy " + proxy->proxy.authority};
}

asio::awaitable<bool> open_tunnel(beast::tcp_stream& stream, const proxy_route& route, exchange_error& error) {
  co_await asio::this_coro::throw_if_cancelled(false);  // failures are told through `error`
  auto [write_ec, written] = co_await asio::async_write(stream, asio::buffer(route.connect_request), nothrow);
  if (write_ec) co_return co_await fail_transport(error, route, write_ec, tunnel_fault::send_failed);

  // The header alone, bounded: a refusal's body is never read (the connection is closed).
  beast::flat_buffer buffer(max_connect_answer_bytes);
  http::response_parser<http::empty_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(max_connect_answer_bytes));
  parser.skip(true);  // a 2xx answer to CONNECT has no body (RFC 9110 §9.3.6), whatever it says
  auto [read_ec, read] = co_await http::async_read_header(stream, buffer, parser, nothrow);
  if (read_ec) {
    tunnel_fault fault = tunnel_fault::unreadable;
    if (read_ec == http::error::header_limit || read_ec == http::error::buffer_overflow)
      fault = tunnel_fault::too_long;
    else if (!parser.got_some() && buffer.size() == 0)
      fault = tunnel_fault::closed;  // it closed (or reset) without a byte
    co_return co_await fail_transport(error, route, read_ec, fault);
  }
  if (auto refused = judge_connect_answer(route, parser.get().result_int(), parser.get().reason()))
    co_return fail(error, *std::move(refused));
  // Before the client's first byte through the tunnel, the origin has nothing to say: bytes
  // here came from the proxy, and would be taken for the origin's.
  if (buffer.size() != 0) co_return fail(error, describe_tunnel_fault(route, tunnel_fault::bytes_after_2xx));
  co_return true;
}

}  // namespace humm::analyst::detail
