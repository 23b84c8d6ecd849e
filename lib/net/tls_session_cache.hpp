#pragma once
// TLS session resumption for a client's connections: the session tickets a server sends are
// kept (one per client: a client talks to one endpoint), and a new connection offers the
// latest, so that it resumes with an abbreviated handshake instead of a full one.

#include <openssl/ssl.h>

#include <mutex>

namespace humm::analyst::detail {

class tls_session_cache {
 public:
  tls_session_cache() = default;
  ~tls_session_cache();
  tls_session_cache(const tls_session_cache&) = delete;
  tls_session_cache& operator=(const tls_session_cache&) = delete;

  /// Makes `context` hand its new sessions to this cache, which must outlive it.
  void attach(SSL_CTX* context);

  /// Offers the cached session, if any, to a connection about to handshake. Works for any
  /// SSL whose context was attached (a no-op otherwise).
  static void offer(SSL* ssl);

 private:
  static int on_new_session(SSL* ssl, SSL_SESSION* session);
  static tls_session_cache* of(SSL* ssl);

  std::mutex mutex_;
  SSL_SESSION* latest_ = nullptr;  // owned
};

}  // namespace humm::analyst::detail
