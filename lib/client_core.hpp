#pragma once
// What a client is made of, shared by its calls and walks: the options, the parsed endpoint,
// the TLS context, the pool, recycled bodies, counters, and the call loop (attempts on pooled
// connections, paced by the rate gate, retries decided by sansio/retry within the retry
// budget and the call's deadline). Calls and walks hold it by shared_ptr, so a
// client object may be destroyed while they run.
//
// Every coroutine here runs on the awaiting coroutine's executor, which must run one handler
// at a time (a strand, or an io_context run by one thread): the public entry points in
// client.cpp and the walk's driver (walk_driver.cpp) put it there.

#include "async/rate_gate.hpp"
#include "net/body_recycler.hpp"
#include "net/connection_pool.hpp"
#include "net/memory_budget.hpp"
#include "net/tls_context.hpp"
#include "sansio/endpoint.hpp"
#include "sansio/latency_histogram.hpp"

#include <humm/analyst/api_error.hpp>
#include <humm/analyst/client.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/error.hpp>
#include <boost/system/system_error.hpp>

#include <atomic>
#include <exception>
#include <memory>
#include <optional>
#include <string>

namespace humm::analyst::detail {

/// The result of a call before it is handed to a completion token or thrown.
template <class T>
struct outcome {
  std::error_code code;
  error_details details;
  T value{};
  response_info info{};  // of a success, unless the call's options took it (call_options::response)
};

/// A call whose coroutine ended with an exception (out of memory, or cancellation before its
/// first step): the exception as an outcome.
template <class T>
outcome<T> outcome_of_exception(std::exception_ptr failure) {
  outcome<T> result;
  result.code = make_error_code(errc::connection);
  try {
    std::rethrow_exception(failure);
  } catch (const boost::system::system_error& e) {
    if (e.code() == boost::asio::error::operation_aborted) result.code = make_error_code(errc::cancelled);
    result.details.message = e.what();
  } catch (const std::exception& e) {
    result.details.message = e.what();
  }
  return result;
}

class client_core {
 public:
  /// Throws std::invalid_argument naming an option that cannot work.
  client_core(asio::any_io_executor executor, client_options options);

  const asio::any_io_executor executor;
  const client_options options;

  /// For a call or a walk: an executor that runs one handler at a time (async/strands.hpp).
  asio::any_io_executor serial_executor() const;

  /// One page of a schedule's history, arguments already checked (walks check them once).
  asio::awaitable<outcome<schedule_history>> history_page(const uuid& schedule_id, const std::string& organization_id,
                                                          std::int64_t limit, std::int64_t offset,
                                                          const call_options& call);

  /// The public calls: arguments checked, then fetched.
  asio::awaitable<outcome<schedule_history>> history(std::string schedule_id, history_query query);
  asio::awaitable<outcome<run_details>> run(std::string run_id, std::string organization_id, call_options call);

  /// The path and query a history request sends; nullopt with `problem` set for bad arguments.
  std::optional<std::string> history_target(std::string_view schedule_id, const history_query& query,
                                            argument_problem& problem) const;

  /// Why the token cannot be sent (control characters), checked once: every call fails with it.
  const std::optional<std::string>& token_problem() const noexcept { return token_problem_; }

  client_stats stats() const;
  void close_idle_connections() { pool_.close_idle(true); }
  /// The proxy's host:port, or nullopt for direct connections.
  std::optional<std::string> proxy() const;

 private:
  // What one attempt did besides its answer, for the observer and response_info.
  struct attempt_record {
    attempt_timings timings;
    bool reused = false;
    bool resumed = false;
  };
  asio::awaitable<bool> attempt(const std::string& request, steady_time started, std::chrono::milliseconds timeout,
                                std::optional<steady_time> deadline, const call_options& call, response& out,
                                exchange_error& error, attempt_record& record);
  asio::awaitable<outcome<std::string>> get(const std::string& target, const call_options& call, std::uint64_t call_id);
  template <class T>
  asio::awaitable<outcome<T>> fetch(std::string target, const call_options& call);

  endpoint where_;
  std::string user_agent_;       // humm-analyst-cpp/VERSION and the user's products
  std::size_t max_connections_;  // options.max_connections within the descriptor limit
  tls_context tls_;
  connection_pool pool_;
  body_recycler bodies_;
  memory_budget buffered_;  // options.max_buffered_bytes; outlives the calls' responses, as the core does
  rate_gate gate_;          // the client-wide pacing and retry budget
  std::optional<std::string> token_problem_;
  std::atomic<std::uint64_t> requests_{0}, retries_{0}, stale_resends_{0};
  std::atomic<std::size_t> exchanges_in_flight_{0};  // requests sent and not yet answered
  observer* const watcher_;  // options.observer, or null
  std::atomic<std::uint64_t> calls_{0};  // numbers the calls for the observer
  latency_histogram attempt_latency_, call_latency_;
};

}  // namespace humm::analyst::detail
