#include "server_core.hpp"

#include "certificate.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <openssl/ssl.h>

#include <exception>
#include <vector>

namespace humm::analyst::testing::detail {
namespace {

using tcp = asio::ip::tcp;

asio::ssl::context make_tls_context(const tls_identity& identity) {
  asio::ssl::context context(asio::ssl::context::tls_server);
  SSL_CTX* native = context.native_handle();
  // The floor clients expect of any server today, the client's own too: nothing older than TLS 1.2.
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1 ||
      SSL_CTX_use_certificate(native, identity.certificate.get()) != 1 ||
      SSL_CTX_use_PrivateKey(native, identity.key.get()) != 1 || SSL_CTX_check_private_key(native) != 1)
    throw std::runtime_error("fake_server: cannot set up the TLS context");
  return context;
}

// A failed accept other than a close (too many open files, say) must not spin the loop.
constexpr auto accept_retry_pause = std::chrono::milliseconds{10};

}  // namespace

void request_counters::connection_accepted() {
  std::lock_guard lock(mutex_);
  ++counts_.connections_accepted;
}

void request_counters::handshake_completed(std::string_view cipher_suite) {
  std::lock_guard lock(mutex_);
  ++counts_.handshakes;
  ++counts_.cipher_suites[std::string(cipher_suite)];
}

void request_counters::request_started(std::string_view target) {
  const std::string_view path = target.substr(0, target.find('?'));
  std::lock_guard lock(mutex_);
  ++counts_.requests;
  ++counts_.by_path[std::string(path)];
  ++counts_.by_target[std::string(target)];
  counts_.max_concurrent_requests = std::max(counts_.max_concurrent_requests, ++in_flight_);
}

void request_counters::request_done() {
  std::lock_guard lock(mutex_);
  --in_flight_;
}

void request_counters::gzip_response_sent() {
  std::lock_guard lock(mutex_);
  ++counts_.gzip_responses;
}

void request_counters::request_headers(std::map<std::string, std::string> headers) {
  std::lock_guard lock(mutex_);
  counts_.last_request_headers = std::move(headers);
}

void request_counters::too_many_requests_sent() {
  std::lock_guard lock(mutex_);
  ++counts_.too_many_requests;
}

fake_server_counters request_counters::snapshot() const {
  std::lock_guard lock(mutex_);
  return counts_;
}

void request_counters::reset() {
  std::lock_guard lock(mutex_);
  counts_ = {};
}

server_core::server_core(asio::any_io_executor executor, fake_server_options server_options)
    : options(std::move(server_options)),
      api(options),
      executor_(std::move(executor)),
      acceptor_(asio::make_strand(executor_)) {
  if (options.tls) {
    const tls_identity identity = make_self_signed_identity(options.certificate_hosts);
    tls_.emplace(make_tls_context(identity));  // the context keeps its own references
    certificate_pem_ = identity.certificate_pem;
  }
  const tcp::endpoint loopback(asio::ip::address_v4::loopback(), 0);
  acceptor_.open(loopback.protocol());
  acceptor_.bind(loopback);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  port_ = acceptor_.local_endpoint().port();
}

void server_core::start() {
  asio::co_spawn(acceptor_.get_executor(), accept_loop(shared_from_this()), [](std::exception_ptr error) {
    if (error) std::rethrow_exception(error);  // a bug, not an I/O error: let it surface
  });
}

asio::awaitable<void> server_core::accept_loop(std::shared_ptr<server_core> self) {
  for (;;) {
    // Each connection gets its own strand, so a multi-threaded executor serves them in parallel.
    auto [error, socket] =
        co_await self->acceptor_.async_accept(asio::make_strand(self->executor_), asio::as_tuple(asio::use_awaitable));
    if (!self->acceptor_.is_open()) co_return;
    if (error) {
      asio::steady_timer pause(self->acceptor_.get_executor(), accept_retry_pause);
      co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    self->counters.connection_accepted();
    // Responses go out as several writes (headers, body); without TCP_NODELAY the client's
    // delayed ACK would hold each one back by ~40 ms.
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    start_connection(self, std::move(socket));
  }
}

void server_core::shut_down() {
  std::vector<std::shared_ptr<connection_handle>> open;
  {
    std::lock_guard lock(connections_mutex_);
    if (shutting_down_) return;
    shutting_down_ = true;
    for (const auto& [id, connection] : connections_)
      if (auto alive = connection.lock()) open.push_back(std::move(alive));
  }
  asio::dispatch(acceptor_.get_executor(), [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->acceptor_.close(ignored);
  });
  for (const auto& connection : open) connection->close();
}

std::string server_core::next_request_id() { return "req-" + std::to_string(++last_request_id_); }

std::optional<std::uint64_t> server_core::add_connection(std::weak_ptr<connection_handle> connection) {
  std::lock_guard lock(connections_mutex_);
  if (shutting_down_) return std::nullopt;
  connections_.emplace(++last_connection_id_, std::move(connection));
  return last_connection_id_;
}

void server_core::remove_connection(std::uint64_t id) {
  std::lock_guard lock(connections_mutex_);
  connections_.erase(id);
}

}  // namespace humm::analyst::testing::detail
