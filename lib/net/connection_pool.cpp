// The pool of connection_pool.hpp: permits, idle connections, and opening new ones.

#include "net/connection_pool.hpp"

#include "async/cancellation.hpp"
#include "async/strands.hpp"

#include <humm/analyst/error.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <vector>

namespace humm::analyst::detail {

connection_pool::connection_pool(asio::any_io_executor executor, pool_settings settings)
    : executor_(std::move(executor)),
      settings_(std::move(settings)),
      permits_(executor_, std::max<std::size_t>(settings_.max_connections, 1)) {}

connection_pool::~connection_pool() { close_idle(true); }

// A full pool waits, in order and cancellably, until its deadline if it has one; a permit
// given back while calls wait goes to the first of them.
asio::awaitable<bool> connection_pool::wait_for_permit(std::optional<steady_time> deadline, exchange_error& error) {
  const auto cancelled = [&error] {
    error = {make_error_code(errc::cancelled), "cancelled while waiting for a connection", true};
    return false;
  };
  if (co_await was_cancelled()) co_return cancelled();  // a cancellation already past reaches no wait
  ++counters_.waiting;
  struct counted {
    std::atomic<std::uint64_t>& waiting;
    ~counted() { --waiting; }
  } const waiting{counters_.waiting};
  if (!deadline) co_return co_await permits_.take() || cancelled();
  // The wait and a timer race; the one that loses is cancelled, and its result is dropped.
  using namespace asio::experimental::awaitable_operators;
  asio::steady_timer timer(co_await asio::this_coro::executor, *deadline);
  const auto first = co_await (take_unless_cancelled() || timer.async_wait(asio::use_awaitable));
  if (first.index() == 0) co_return std::get<0>(first) || cancelled();
  if (co_await was_cancelled()) co_return cancelled();
  error = {make_error_code(errc::deadline_exceeded), "the deadline passed while waiting for a connection", true};
  co_return false;
}

// A permit that reaches a wait already cancelled (the timer won the race while the permit
// was on its way) is given back, not dropped with the loser's result.
asio::awaitable<bool> connection_pool::take_unless_cancelled() {
  co_await asio::this_coro::throw_if_cancelled(false);
  const bool taken = co_await permits_.take();
  if (taken && co_await was_cancelled()) {
    permits_.give_back();
    co_return false;
  }
  co_return taken;
}

asio::awaitable<bool> connection_pool::acquire(lease& out, bool fresh, std::optional<steady_time> deadline,
                                               exchange_error& error) {
  co_await asio::this_coro::throw_if_cancelled(false);  // failures are told through `error`
  if (!permits_.try_take() && !co_await wait_for_permit(deadline, error)) co_return false;
  ++counters_.in_use;
  out.pool_ = this;  // from here on the lease gives the permit back

  close_idle(fresh, "another idle connection turned out closed by the server");
  // An idle connection the server closed, or wrote to unasked, is closed here and another
  // taken, without spending a retry. What arrives between this check and the server reading
  // the request is still taken for the answer: HTTP/1.1 cannot tell an early answer from an
  // unasked one. A read kept pending on idle connections would close them sooner but leave
  // the same window, at the cost of a wait per idle connection; the check here is enough to
  // keep a server out of step from answering with a page asked for earlier.
  for (;;) {
    std::unique_ptr<http_connection> taken;
    {
      std::lock_guard lock(mutex_);
      if (idle_.empty()) break;
      taken = std::move(idle_.back());
      idle_.pop_back();
      --counters_.idle;
    }
    if (!taken->still_quiet()) {
      ++counters_.discarded;
      close(*taken, "closed by the server, or written to unasked, while idle");
      continue;
    }
    out.connection_ = std::move(taken);
    ++counters_.reused;
    out.reused_ = true;
    co_return true;
  }
  if (co_await was_cancelled()) {
    error = {make_error_code(errc::cancelled), "cancelled", true};
    co_return false;
  }
  co_return co_await open(out, deadline, error);
}

asio::awaitable<bool> connection_pool::open(lease& out, std::optional<steady_time> deadline, exchange_error& error) {
  const auto timeout = time_left(settings_.connect_timeout, deadline, steady_time::clock::now());
  if (!timeout) {
    error = {make_error_code(errc::deadline_exceeded), "the deadline passed before a connection was opened", true};
    co_return false;
  }
  out.connection_ = std::make_unique<http_connection>(serial_executor(executor_, settings_.single_threaded),
                                                      settings_.tls);
  ++counters_.opened;
  const auto here = co_await asio::this_coro::executor;
  const proxy_route* proxy = settings_.proxy ? &*settings_.proxy : nullptr;
  const auto began = std::chrono::steady_clock::now();
  const bool opened = co_await out.connection_->open(here, settings_.where, proxy, *timeout, error);
  const auto took = std::chrono::steady_clock::now() - began;
  const http_connection& c = *out.connection_;
  const bool connected = c.connect_time.count() > 0;
  out.opening_ = connected ? lease::opening_times{c.connect_time, took - c.connect_time} : lease::opening_times{took, {}};
  if (!opened) {
    out.connection_.reset();  // never opened: nothing to tell of its closing
    co_return false;
  }
  if (settings_.tls) ++counters_.tls_handshakes;
  if (out.connection_->resumed()) ++counters_.tls_resumptions;
  if (settings_.watcher)
    settings_.watcher->on_connection({.what = connection_event::kind::opened,
                                      .host = settings_.where.host_header,
                                      .tls = settings_.tls != nullptr,
                                      .tls_resumed = out.connection_->resumed()});
  co_return true;
}

void connection_pool::release(std::unique_ptr<http_connection> connection) {
  if (connection && connection->reusable()) {
    connection->idle_since = std::chrono::steady_clock::now();
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(connection));
    ++counters_.idle;
  } else if (connection) {
    close(*connection, "not fit for another request after its last (the server's wish, or a failure)");
  }
  --counters_.in_use;
  permits_.give_back();
}

void connection_pool::close(http_connection& connection, std::string_view why) {
  connection.close();
  if (settings_.watcher)
    settings_.watcher->on_connection({.what = connection_event::kind::closed,
                                      .host = settings_.where.host_header,
                                      .reason = why,
                                      .tls = settings_.tls != nullptr,
                                      .tls_resumed = connection.resumed(),
                                      .requests = connection.requests});
}

void connection_pool::close_idle(bool all, std::string_view why) {
  const auto oldest_kept = std::chrono::steady_clock::now() - settings_.idle_timeout;
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
  for (auto& connection : expired) close(*connection, all ? why : "idle timeout");
}

}  // namespace humm::analyst::detail
