// The client's public entry points: each call runs on a serial executor of its own (a strand
// unless the client is single-threaded) through async/run_on.hpp, which relays the caller's
// cancellation safely; the work itself is client_core's.

#include <humm/analyst/client.hpp>

#include "async/run_on.hpp"
#include "client_core.hpp"
#include "walk_driver.hpp"

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>

#include <stdexcept>

namespace humm::analyst {

namespace asio = boost::asio;
using detail::outcome;

namespace {

template <class T>
T value_or_throw(outcome<T> result) {
  if (result.code) throw api_error(result.code, std::move(result.details));
  return std::move(result.value);
}

// Runs `operation` with the client's core kept alive: a client may be destroyed while a
// call it started is still running.
template <class T>
asio::awaitable<T> keeping([[maybe_unused]] std::shared_ptr<detail::client_core> core, asio::awaitable<T> operation) {
  co_return co_await std::move(operation);
}

// Each call runs as a coroutine of its own: its cancellation and throw_if_cancelled settings
// stay apart from the caller's, and its serial executor never runs two of its steps at once.
template <class T>
asio::awaitable<T> run_call(std::shared_ptr<detail::client_core> core, asio::awaitable<outcome<T>> operation) {
  const auto executor = core->serial_executor();
  co_return value_or_throw(co_await detail::run_on(executor, keeping(std::move(core), std::move(operation))));
}

// The same for a completion handler, completed on its own executor.
template <class T, class Handler>
void spawn_for_handler(std::shared_ptr<detail::client_core> core, asio::awaitable<outcome<T>> operation,
                       error_details* details, Handler handler) {
  const auto executor = core->serial_executor();
  auto slot = asio::get_associated_cancellation_slot(handler);
  auto handler_executor = asio::get_associated_executor(handler, executor);
  detail::spawn_on(executor, keeping(std::move(core), std::move(operation)),
                   asio::bind_cancellation_slot(
                       slot, asio::bind_executor(handler_executor, [handler = std::move(handler), details](
                                                                       std::exception_ptr failure, outcome<T> result) mutable {
                         if (failure) result = detail::outcome_of_exception<T>(failure);
                         if (details) *details = std::move(result.details);
                         std::move(handler)(boost::system::error_code(result.code), std::move(result.value));
                       })));
}

}  // namespace

client::client(executor_type executor, client_options options)
    : core_(std::make_shared<detail::client_core>(std::move(executor), std::move(options))) {}

client::~client() { core_->close_idle_connections(); }

client::executor_type client::get_executor() const noexcept { return core_->executor; }
const client_options& client::options() const noexcept { return core_->options; }
client_stats client::stats() const { return core_->stats(); }
std::optional<std::string> client::proxy() const { return core_->proxy(); }

asio::awaitable<schedule_history> client::get_schedule_history(std::string schedule_id, history_query query) {
  return run_call(core_, core_->history(std::move(schedule_id), std::move(query)));
}

std::string client::history_target(std::string_view schedule_id, const history_query& query) const {
  detail::argument_problem problem;
  auto target = core_->history_target(schedule_id, query, problem);
  if (!target) throw std::invalid_argument(problem.message());
  return *std::move(target);
}

asio::awaitable<run_details> client::get_run_details(std::string run_id, std::string organization_id,
                                                     call_options call) {
  return run_call(core_, core_->run(std::move(run_id), std::move(organization_id), call));
}

page_stream client::history_pages(std::string schedule_id, walk_options options) {
  return page_stream(std::make_shared<detail::walk_driver>(core_, core_->serial_executor(), std::move(schedule_id),
                                                           std::move(options)));
}

run_stream client::history_runs(std::string schedule_id, walk_options options) {
  return run_stream(history_pages(std::move(schedule_id), std::move(options)));
}

std::shared_ptr<detail::client_core> detail::core_of(const client& c) { return c.core_; }

void client::start_history(std::string id, history_query query, error_details* details,
                           asio::any_completion_handler<history_signature> handler) {
  spawn_for_handler(core_, core_->history(std::move(id), std::move(query)), details, std::move(handler));
}

void client::start_run(std::string id, std::string organization_id, call_options call, error_details* details,
                       asio::any_completion_handler<run_signature> handler) {
  spawn_for_handler(core_, core_->run(std::move(id), std::move(organization_id), call), details, std::move(handler));
}

}  // namespace humm::analyst
