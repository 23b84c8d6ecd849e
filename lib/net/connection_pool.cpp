#include "net/connection_pool.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <vector>

namespace humm::analyst::detail {

connection_pool::connection_pool(asio::any_io_executor executor, std::size_t max_connections,
                                 std::chrono::milliseconds idle_timeout)
    : permits_(executor, std::max<std::size_t>(max_connections, 1)), idle_timeout_(idle_timeout) {
  for (std::size_t i = 0; i < std::max<std::size_t>(max_connections, 1); ++i) permits_.try_send(boost::system::error_code{});
}

connection_pool::~connection_pool() { close_idle(true); }

asio::awaitable<bool> connection_pool::acquire(lease& out, bool fresh) {
  // A free permit is taken at once. Only a full pool waits, in order and cancellably; a
  // permit given back while calls wait goes to the first of them, never to the buffer.
  if (!permits_.try_receive([](boost::system::error_code) {})) {
    ++counters_.waiting;
    auto [ec] = co_await permits_.async_receive(asio::as_tuple(asio::use_awaitable));
    --counters_.waiting;
    if (ec) co_return false;
  }
  ++counters_.in_use;

  close_idle(fresh);
  std::lock_guard lock(mutex_);
  if (!idle_.empty()) {
    out.connection = std::move(idle_.back());
    idle_.pop_back();
    --counters_.idle;
    ++counters_.reused;
    out.reused = true;
  }
  co_return true;
}

void connection_pool::release(std::unique_ptr<http_connection> connection) {
  if (connection && connection->reusable()) {
    connection->idle_since = std::chrono::steady_clock::now();
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(connection));
    ++counters_.idle;
  } else if (connection) {
    connection->close();
  }
  --counters_.in_use;
  permits_.try_send(boost::system::error_code{});
}

void connection_pool::close_idle(bool all) {
  const auto oldest_kept = std::chrono::steady_clock::now() - idle_timeout_;
  // Taken out under the lock and closed outside it. Nearly every call finds nothing to
  // close, and then nothing is allocated.
  std::vector<std::unique_ptr<http_connection>> expired;
  {
    std::lock_guard lock(mutex_);
    while (!idle_.empty() && (all || idle_.front()->idle_since < oldest_kept)) {
      expired.push_back(std::move(idle_.front()));
      idle_.pop_front();
      --counters_.idle;
    }
  }
  for (auto& connection : expired) connection->close();
}

}  // namespace humm::analyst::detail
