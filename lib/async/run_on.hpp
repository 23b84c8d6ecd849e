#pragma once
// Running a coroutine on another executor (a call's strand, a connection's strand, a walk's
// strand) and completing on the caller's, with the caller's cancellation relayed safely.
//
// Why not co_spawn alone: to forward a cancellation to another executor, Asio 1.81's co_spawn
// posts a raw pointer into memory that the caller's cancellation slot owns; when the caller
// frees or reuses its slot before that post runs (a walk dropping a request, any coroutine
// that completes), the emit touches freed memory. Here the caller's slot holds a handler that
// shares ownership of a relay; the relay's signal is emitted only on the target executor, and
// only while the operation runs, so nothing it touches can be gone. Every coroutine the
// library starts on another executor than its caller's is started here.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <memory>

namespace humm::analyst::detail {

namespace asio = boost::asio;

/// What the caller's slot and the running operation share. Touched on `target` only.
struct cancellation_relay {
  explicit cancellation_relay(asio::any_io_executor executor) : target(std::move(executor)) {}
  asio::any_io_executor target;
  asio::cancellation_signal signal;  // its slot is the operation's
  bool finished = false;             // set as the operation ends: later emits are dropped
};

template <class T>
asio::awaitable<T> relayed(std::shared_ptr<cancellation_relay> relay, asio::awaitable<T> operation) {
  struct mark_finished {
    cancellation_relay& relay;
    ~mark_finished() { relay.finished = true; }
  } on_exit{*relay};
  co_return co_await std::move(operation);
}

/// Starts `operation` on `target`, an executor that runs one handler at a time, and completes
/// `handler` with (std::exception_ptr, T) on the handler's associated executor. The handler's
/// cancellation slot, when it has one, reaches the operation.
template <class T, class Handler>
void spawn_on(const asio::any_io_executor& target, asio::awaitable<T> operation, Handler handler) {
  auto slot = asio::get_associated_cancellation_slot(handler);
  if (!slot.is_connected()) {
    asio::co_spawn(target, std::move(operation), std::move(handler));
    return;
  }
  auto relay = std::make_shared<cancellation_relay>(target);
  slot.assign([relay](asio::cancellation_type type) {
    asio::dispatch(relay->target, [relay, type] {
      if (!relay->finished) relay->signal.emit(type);
    });
  });
  const auto caller = asio::get_associated_executor(handler, target);
  asio::co_spawn(target, relayed(relay, std::move(operation)),
                 asio::bind_cancellation_slot(
                     relay->signal.slot(),
                     asio::bind_executor(caller, [slot, handler = std::move(handler)](std::exception_ptr failure,
                                                                                      T value) mutable {
                       slot.clear();  // on the caller's executor, where its signal is emitted
                       std::move(handler)(failure, std::move(value));
                     })));
}

/// Awaits `operation` run on `target`; the awaiting coroutine's cancellation reaches it.
template <class T>
asio::awaitable<T> run_on(asio::any_io_executor target, asio::awaitable<T> operation) {
  return asio::async_initiate<const asio::use_awaitable_t<>&, void(std::exception_ptr, T)>(
      [target](auto handler, asio::awaitable<T> op) { spawn_on(target, std::move(op), std::move(handler)); },
      asio::use_awaitable, std::move(operation));
}

}  // namespace humm::analyst::detail
