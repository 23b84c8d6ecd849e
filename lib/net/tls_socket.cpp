#include "net/tls_socket.hpp"

#include <boost/asio/ssl/error.hpp>

#include <openssl/bio.h>
#include <openssl/err.h>

#include <sys/socket.h>

#include <cerrno>
#include <cstdint>

namespace humm::analyst::detail {
namespace {

namespace asio = boost::asio;

// A BIO over the socket's descriptor. OpenSSL's own socket BIO writes with write(), which
// raises SIGPIPE when the peer has gone; this one sends with MSG_NOSIGNAL, like Asio does.
int descriptor(BIO* bio) { return static_cast<int>(reinterpret_cast<std::intptr_t>(BIO_get_data(bio))); }

bool would_block() { return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR; }

int socket_write(BIO* bio, const char* data, int size) {
  BIO_clear_retry_flags(bio);
  const ssize_t sent = ::send(descriptor(bio), data, static_cast<std::size_t>(size), MSG_NOSIGNAL);
  if (sent < 0 && would_block()) BIO_set_retry_write(bio);
  return static_cast<int>(sent);
}

int socket_read(BIO* bio, char* data, int size) {
  BIO_clear_retry_flags(bio);
  const ssize_t received = ::recv(descriptor(bio), data, static_cast<std::size_t>(size), 0);
  if (received < 0 && would_block()) BIO_set_retry_read(bio);
  return static_cast<int>(received);
}

long socket_control(BIO*, int command, long, void*) { return command == BIO_CTRL_FLUSH ? 1 : 0; }

const BIO_METHOD* socket_method() {
  static BIO_METHOD* const method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "humm socket");
    BIO_meth_set_write(m, socket_write);
    BIO_meth_set_read(m, socket_read);
    BIO_meth_set_ctrl(m, socket_control);
    return m;
  }();
  return method;
}

}  // namespace

tls_socket::tls_socket(const executor_type& executor, asio::ssl::context& context)
    : tcp_(executor), ssl_(SSL_new(context.native_handle())), deadline_(std::make_shared<deadline>(executor)) {
  if (!ssl_) throw boost::system::system_error(static_cast<int>(ERR_get_error()), asio::error::get_ssl_category());
  // Partial writes, as any stream's write_some; read_ahead so that one recv takes a whole
  // record (and more), not its header first.
  SSL_set_mode(ssl_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_set_read_ahead(ssl_, 1);
  deadline_->socket = &tcp_.socket();
}

tls_socket::~tls_socket() {
  deadline_->timer.cancel();
  SSL_free(ssl_);
}

void tls_socket::attach() {
  tcp_.socket().non_blocking(true);
  BIO* bio = BIO_new(socket_method());
  BIO_set_data(bio, reinterpret_cast<void*>(static_cast<std::intptr_t>(tcp_.socket().native_handle())));
  BIO_set_init(bio, 1);
  SSL_set_bio(ssl_, bio, bio);  // one reference for both directions
}

void tls_socket::expires_at(std::chrono::steady_clock::time_point when) {
  deadline& current = *deadline_;
  current.expired = false;
  current.timer.expires_at(when);  // a wait still pending ends with operation_aborted
  current.timer.async_wait(
      [weak = std::weak_ptr<deadline>(deadline_), generation = ++current.generation](boost::system::error_code ec) {
        const auto d = weak.lock();
        if (ec || !d || d->generation != generation) return;
        d->expired = true;
        boost::system::error_code ignored;
        d->socket->cancel(ignored);
      });
}

void tls_socket::expires_never() {
  ++deadline_->generation;
  deadline_->timer.cancel();
}

tls_socket::outcome tls_socket::call(kind k, void* data, std::size_t size, std::size_t& transferred,
                                     boost::system::error_code& error) {
  if (k != kind::handshake && size == 0) {  // nothing to move: done at once, as for any stream
    transferred = 0;
    return outcome::done;
  }
  ERR_clear_error();
  errno = 0;
  int result = 0;
  switch (k) {
    case kind::handshake: result = SSL_connect(ssl_); break;
    case kind::read: result = SSL_read_ex(ssl_, data, size, &transferred); break;
    case kind::write: result = SSL_write_ex(ssl_, data, size, &transferred); break;
  }
  if (result == 1) return outcome::done;
  switch (SSL_get_error(ssl_, result)) {
    case SSL_ERROR_WANT_READ: return outcome::wants_read;
    case SSL_ERROR_WANT_WRITE: return outcome::wants_write;
    case SSL_ERROR_ZERO_RETURN: error = asio::error::eof; return outcome::failed;  // close_notify
    case SSL_ERROR_SYSCALL:  // the socket failed, or the peer left without a close_notify
      if (const unsigned long e = ERR_get_error())
        error = {static_cast<int>(e), asio::error::get_ssl_category()};
      else if (errno != 0)
        error = {errno, boost::system::system_category()};
      else
        error = asio::ssl::error::stream_truncated;
      return outcome::failed;
    default:
      error = {static_cast<int>(ERR_get_error()), asio::error::get_ssl_category()};
      if (!error) error = asio::ssl::error::stream_truncated;
      return outcome::failed;
  }
}

}  // namespace humm::analyst::detail
