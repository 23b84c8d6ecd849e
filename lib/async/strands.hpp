#pragma once
// The executors of the client's calls and connections. Each needs its handlers run one at a
// time: the client's own executor does that when it is a strand or runs on one thread
// (client_options::single_threaded); otherwise each gets a strand of its own.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

namespace humm::analyst::detail {

inline bool is_strand(const boost::asio::any_io_executor& executor) {
  return executor.target<boost::asio::strand<boost::asio::io_context::executor_type>>() ||
         executor.target<boost::asio::strand<boost::asio::any_io_executor>>();
}

/// An executor that runs one handler at a time. A new strand wraps the io_context's own
/// executor rather than the type-erased one, which spares every handler a layer of type erasure.
inline boost::asio::any_io_executor serial_executor(const boost::asio::any_io_executor& executor,
                                                    bool single_threaded) {
  if (single_threaded || is_strand(executor)) return executor;
  if (const auto* context = executor.target<boost::asio::io_context::executor_type>())
    return boost::asio::make_strand(*context);
  return boost::asio::make_strand(executor);
}

}  // namespace humm::analyst::detail
