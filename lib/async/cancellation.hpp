#pragma once
// Whether the caller has cancelled the running coroutine. Checked before each step of a
// call, because with throw_if_cancelled(false) a cancellation that lands between two
// operations would otherwise go unnoticed. (Awaited as a statement of its own: GCC 12
// miscompiles co_await inside a braced initialiser.)

#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_state.hpp>
#include <boost/asio/this_coro.hpp>

namespace humm::analyst::detail {

inline bool is_cancelled(const boost::asio::cancellation_state& state) {
  return state.cancelled() != boost::asio::cancellation_type::none;
}

inline boost::asio::awaitable<bool> was_cancelled() {
  const auto state = co_await boost::asio::this_coro::cancellation_state;
  co_return is_cancelled(state);
}

}  // namespace humm::analyst::detail
