// The public face of the fake server: where it runs (its own thread or the caller's
// executor) and how it stops. Serving lives in server_core.cpp (accepting) and
// server_connection.cpp (each connection), answers in fake_api.cpp.

#include <humm/analyst/testing/fake_server.hpp>

#include "server_core.hpp"

#include <boost/asio/io_context.hpp>

#include <mutex>
#include <thread>

namespace humm::analyst::testing {

struct fake_server::impl {
  // Declared first so that it is destroyed last, after the core whose sockets use it.
  std::unique_ptr<boost::asio::io_context> own_context;  // only when running on its own thread
  std::shared_ptr<detail::server_core> core;
  std::thread thread;
  std::mutex stop_mutex;  // two threads calling stop() must not both join
};

fake_server::fake_server(fake_server_options options) : impl_(std::make_shared<impl>()) {
  impl_->own_context = std::make_unique<boost::asio::io_context>(1);
  impl_->core = std::make_shared<detail::server_core>(impl_->own_context->get_executor(), std::move(options));
  impl_->core->start();
  // No work guard: once stop() has closed the acceptor and every connection, the
  // coroutines end, run() returns by itself, and nothing is left to destroy mid-flight.
  impl_->thread = std::thread([context = impl_->own_context.get()] { context->run(); });
}

fake_server::fake_server(boost::asio::any_io_executor executor, fake_server_options options)
    : impl_(std::make_shared<impl>()) {
  impl_->core = std::make_shared<detail::server_core>(std::move(executor), std::move(options));
  impl_->core->start();
}

fake_server::~fake_server() { stop(); }

void fake_server::stop() {
  impl_->core->shut_down();
  std::lock_guard lock(impl_->stop_mutex);
  if (impl_->thread.joinable()) impl_->thread.join();
}

std::uint16_t fake_server::port() const { return impl_->core->port(); }

std::string fake_server::base_url() const {
  return std::string(options().tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(port());
}

const std::string& fake_server::certificate_pem() const { return impl_->core->certificate_pem(); }

const fake_server_options& fake_server::options() const { return impl_->core->options; }

schedule_data fake_server::add_schedule(std::size_t runs, std::uint64_t seed) {
  return impl_->core->api.add_schedule(runs, seed);
}

void fake_server::insert_runs_at_head(const uuid& schedule, std::size_t count) {
  impl_->core->api.insert_runs_at_head(schedule, count);
}

void fake_server::push_fault(fault f) { impl_->core->api.push_fault(std::move(f)); }

void fake_server::set_pagination(pagination_style style) { impl_->core->api.set_pagination(style); }

fake_server_counters fake_server::counters() const { return impl_->core->counters.snapshot(); }

void fake_server::reset_counters() { impl_->core->counters.reset(); }

}  // namespace humm::analyst::testing
