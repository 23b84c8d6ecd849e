#include "net/tls_session_cache.hpp"

namespace humm::analyst::detail {

namespace {
// Where an SSL_CTX keeps its cache: an ex_data slot reserved once per process.
int cache_index() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}
}  // namespace

tls_session_cache::~tls_session_cache() {
  if (latest_) SSL_SESSION_free(latest_);
}

void tls_session_cache::attach(SSL_CTX* context) {
  SSL_CTX_set_ex_data(context, cache_index(), this);
  // Client-side caching, kept here rather than in OpenSSL's internal store.
  SSL_CTX_set_session_cache_mode(context, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  SSL_CTX_sess_set_new_cb(context, &tls_session_cache::on_new_session);
}

tls_session_cache* tls_session_cache::of(SSL* ssl) {
  return static_cast<tls_session_cache*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), cache_index()));
}

void tls_session_cache::offer(SSL* ssl) {
  tls_session_cache* cache = of(ssl);
  if (!cache) return;
  std::lock_guard lock(cache->mutex_);
  if (cache->latest_) SSL_set_session(ssl, cache->latest_);  // takes its own reference
}

int tls_session_cache::on_new_session(SSL* ssl, SSL_SESSION* session) {
  tls_session_cache* cache = of(ssl);
  if (!cache) return 0;
  std::lock_guard lock(cache->mutex_);
  if (cache->latest_) SSL_SESSION_free(cache->latest_);
  cache->latest_ = session;
  return 1;  // the cache keeps the reference OpenSSL handed over
}

}  // namespace humm::analyst::detail
