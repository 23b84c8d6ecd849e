#pragma once
// Strands for the client's calls and connections. On an io_context, the strand wraps the
// io_context's own executor rather than the type-erased one, which spares every handler a
// second layer of type erasure.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

namespace humm::analyst::detail {

inline boost::asio::any_io_executor new_strand(const boost::asio::any_io_executor& executor) {
  if (const auto* context = executor.target<boost::asio::io_context::executor_type>())
    return boost::asio::make_strand(*context);
  return boost::asio::make_strand(executor);
}

}  // namespace humm::analyst::detail
