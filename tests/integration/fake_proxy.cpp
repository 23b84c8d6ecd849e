// The scripted proxy of fake_proxy.hpp: an acceptor and one coroutine per connection.

#include "fake_proxy.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace humm_test {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {
constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);

// Reads until the client closes or fails: a proxy that keeps the connection open.
asio::awaitable<void> wait_for_close(tcp::socket& socket) {
  char sink[4096];
  for (;;) {
    auto [ec, n] = co_await socket.async_read_some(asio::buffer(sink), nothrow);
    if (ec) co_return;
  }
}
}  // namespace

fake_proxy::fake_proxy(behaviour b, std::string answer)
    : behaviour_(b), answer_(std::move(answer)), acceptor_(io_, tcp::endpoint(asio::ip::address_v4::loopback(), 0)) {
  port_ = acceptor_.local_endpoint().port();
  asio::co_spawn(io_, accept_all(), asio::detached);
  thread_ = std::thread([this] { io_.run(); });
}

fake_proxy::~fake_proxy() {
  io_.stop();
  thread_.join();
}

std::size_t fake_proxy::connections() const {
  std::lock_guard lock(mutex_);
  return connections_;
}

std::string fake_proxy::last_request() const {
  std::lock_guard lock(mutex_);
  return last_request_;
}

asio::awaitable<void> fake_proxy::accept_all() {
  for (;;) {
    auto [ec, socket] = co_await acceptor_.async_accept(nothrow);
    if (ec) co_return;
    {
      std::lock_guard lock(mutex_);
      ++connections_;
    }
    asio::co_spawn(io_, serve(std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> fake_proxy::serve(tcp::socket socket) {
  if (behaviour_ == behaviour::close_at_once) co_return;  // the socket closes with this frame
  std::string request;
  auto [read_ec, head] = co_await asio::async_read_until(socket, asio::dynamic_buffer(request, 16 * 1024), "\r\n\r\n", nothrow);
  if (read_ec) co_return;
  {
    std::lock_guard lock(mutex_);
    last_request_ = request.substr(0, head);
  }
  switch (behaviour_) {
    case behaviour::answer: {
      auto [ec, n] = co_await asio::async_write(socket, asio::buffer(answer_), nothrow);
      if (!ec) co_await wait_for_close(socket);
      break;
    }
    case behaviour::endless_header: {
      const std::string status_line = "HTTP/1.1 200 OK\r\n";
      const std::string field = "X-Filler: " + std::string(1000, 'a') + "\r\n";
      auto [ec, n] = co_await asio::async_write(socket, asio::buffer(status_line), nothrow);
      while (!ec) std::tie(ec, n) = co_await asio::async_write(socket, asio::buffer(field), nothrow);
      break;
    }
    case behaviour::never_answer: co_await wait_for_close(socket); break;
    case behaviour::close_at_once: break;
  }
}

}  // namespace humm_test
