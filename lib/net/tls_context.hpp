#pragma once
// The TLS context of a client, from its tls_options: verification, trusted CAs, protocol
// versions and cipher order, and session resumption. Set up once, shared by every connection.

#include "net/tls_session_cache.hpp"

#include <humm/analyst/client_options.hpp>

#include <boost/asio/ssl/context.hpp>

namespace humm::analyst::detail {

class tls_context {
 public:
  /// Throws std::invalid_argument naming the option that cannot be used (an unreadable CA
  /// file, PEM text that is not a certificate).
  explicit tls_context(const tls_options& options);
  tls_context(const tls_context&) = delete;
  tls_context& operator=(const tls_context&) = delete;

  boost::asio::ssl::context& get() noexcept { return context_; }

 private:
  tls_session_cache sessions_;  // declared before the context that refers to it
  boost::asio::ssl::context context_;
};

}  // namespace humm::analyst::detail
