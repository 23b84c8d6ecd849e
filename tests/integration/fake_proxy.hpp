#pragma once
// A proxy that misbehaves as a test tells it to, on 127.0.0.1 and its own thread: it reads
// each connection's request head (bounded), records it, and answers with the given bytes,
// an endless header, nothing at all, or a close before reading anything. It never tunnels:
// tinyproxy is the proxy that works.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace humm_test {

class fake_proxy {
 public:
  enum class behaviour {
    answer,          ///< write `answer`, then wait for the client to close
    endless_header,  ///< a status line, then header fields until the client closes
    close_at_once,   ///< close each connection as soon as it is accepted
    never_answer,    ///< read the request, then say nothing
  };

  explicit fake_proxy(behaviour b, std::string answer = {});
  ~fake_proxy();
  fake_proxy(const fake_proxy&) = delete;
  fake_proxy& operator=(const fake_proxy&) = delete;

  std::string authority() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string url() const { return "http://" + authority(); }

  std::size_t connections() const;
  /// The head of the latest request (up to its blank line).
  std::string last_request() const;

 private:
  boost::asio::awaitable<void> accept_all();
  boost::asio::awaitable<void> serve(boost::asio::ip::tcp::socket socket);

  const behaviour behaviour_;
  const std::string answer_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  mutable std::mutex mutex_;
  std::size_t connections_ = 0;
  std::string last_request_;
  std::thread thread_;
};

}  // namespace humm_test
