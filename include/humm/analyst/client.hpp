#pragma once
// The Humm Analyst client: awaitable calls over a pool of keep-alive TLS connections, with
// retries, timeouts and cancellation, and walks of whole histories (walk.hpp). One client may
// be shared by many coroutines, also on an io_context run by several threads (unless
// client_options::single_threaded is set).
//
// Lifetime: calls and walks keep what they need of the client alive, so the client object may
// be destroyed while they run; its executor must keep running until they have completed.

#include <humm/analyst/api_error.hpp>
#include <humm/analyst/client_options.hpp>
#include <humm/analyst/models.hpp>
#include <humm/analyst/observer.hpp>
#include <humm/analyst/response_info.hpp>
#include <humm/analyst/walk.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace humm::analyst {

/// The query of Get Schedule History.
struct history_query {
  std::string organization_id;  ///< required
  std::int64_t limit = 20;      ///< 1..100
  std::int64_t offset = 0;      ///< >= 0
  call_options call{};
};

/// Latency percentiles, each within 1/16 of the true value; all zero while count is 0.
struct latency_percentiles {
  std::uint64_t count = 0;
  std::chrono::microseconds p50{0}, p90{0}, p99{0}, max{0};
};

/// Counters of a client's connections and requests since it was made.
struct client_stats {
  std::uint64_t connections_opened = 0;
  std::uint64_t tls_handshakes = 0;
  std::uint64_t tls_resumptions = 0;  ///< handshakes that resumed an earlier session
  std::uint64_t requests = 0;        ///< attempts sent, retries and resends included
  std::uint64_t reused = 0;          ///< attempts sent on an idle pooled connection
  std::uint64_t retries = 0;
  std::uint64_t stale_resends = 0;   ///< resends after a pooled connection turned out closed
  std::uint64_t idle = 0;            ///< connections idle in the pool now
  std::uint64_t in_use = 0;          ///< connections carrying a request now
  std::uint64_t waiting = 0;         ///< calls waiting for a connection now
  // Added later (last, so positional initialisation still works).
  /// Idle connections closed when taken from the pool, unused: the server had closed them,
  /// or had sent bytes no request asked for.
  std::uint64_t idle_discarded = 0;
  std::uint64_t max_connections = 0;  ///< the cap in effect: options.max_connections, lowered to the descriptor limit
  /// What the latest answer said of the server's rate limit (X-RateLimit-* or RateLimit).
  std::optional<std::int64_t> rate_limit;
  std::optional<std::int64_t> rate_limit_remaining;
  std::optional<std::chrono::milliseconds> rate_limit_reset_after;  ///< as of that answer
  std::uint64_t too_many_requests = 0;    ///< 429 answers received
  std::chrono::milliseconds paused{0};    ///< time attempts waited for the rate limit, summed over calls
  std::uint64_t retries_refused = 0;      ///< retries the retry budget did not allow
  latency_percentiles attempt_latency;    ///< each attempt, from sending it (after any wait for the rate limit) to its end
  latency_percentiles call_latency;       ///< each call that got an answer or failed, waits, retries and decoding included
};

class client;
namespace detail {
class client_core;
std::shared_ptr<client_core> core_of(const client& c);  // for walk_schedules
}  // namespace detail

class client {
 public:
  using executor_type = boost::asio::any_io_executor;
  // boost::system::error_code, as Asio's own operations use, so that use_future and
  // use_awaitable turn a failure into an exception rather than a tuple.
  using history_signature = void(boost::system::error_code, schedule_history);
  using run_signature = void(boost::system::error_code, run_details);

  /// Throws std::invalid_argument for options that cannot work (a malformed base_url, an
  /// unreadable CA file, a proxy it cannot use, from the options or the environment); the
  /// message names the option or the variable.
  client(executor_type executor, client_options options);
  ~client();  ///< closes idle connections; calls and walks still running keep their own
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  executor_type get_executor() const noexcept;
  const client_options& options() const noexcept;
  client_stats stats() const;
  /// The proxy the client's connections go through, as host:port (never its credentials),
  /// or nullopt when they go direct: chosen when the client was made, from
  /// client_options::proxy and no_proxy or the environment.
  std::optional<std::string> proxy() const;

  /// One page of a schedule's run history. Throws api_error: its code() is an errc (or
  /// errc::decode for a body that is not the documented JSON), its details() the status,
  /// request id, body excerpt and a 422's validation items.
  boost::asio::awaitable<schedule_history> get_schedule_history(std::string schedule_id, history_query query);

  /// The path and query of that request exactly as it is sent (for logs: it holds no secret).
  /// Throws std::invalid_argument naming the argument when the id or the query is invalid.
  std::string history_target(std::string_view schedule_id, const history_query& query) const;

  /// A run with its schedule. Throws like get_schedule_history.
  boost::asio::awaitable<run_details> get_run_details(std::string run_id, std::string organization_id,
                                                      call_options call = {});

  /// Walks of a schedule's whole history, page by page or run by run (walk.hpp). Nothing is
  /// requested before the first next(). Bad arguments make the first next() throw
  /// errc::invalid_argument.
  page_stream history_pages(std::string schedule_id, walk_options options);
  run_stream history_runs(std::string schedule_id, walk_options options);

  /// The same calls for any completion token (callbacks, use_future, deferred, as_tuple,
  /// use_awaitable), the token last. `details`, when given, receives the diagnostics of a
  /// failure; it must live until completion.
  template <class CompletionToken>
  auto async_get_schedule_history(std::string_view schedule_id, history_query query, error_details* details,
                                  CompletionToken&& token) {
    return boost::asio::async_initiate<CompletionToken, history_signature>(
        [this](auto handler, std::string id, history_query q, error_details* d) {
          start_history(std::move(id), std::move(q), d, std::move(handler));
        },
        token, std::string(schedule_id), std::move(query), details);
  }
  template <class CompletionToken>
  auto async_get_schedule_history(std::string_view schedule_id, history_query query, CompletionToken&& token) {
    return async_get_schedule_history(schedule_id, std::move(query), nullptr, std::forward<CompletionToken>(token));
  }

  template <class CompletionToken>
  auto async_get_run_details(std::string_view run_id, std::string_view organization_id, call_options call,
                             error_details* details, CompletionToken&& token) {
    return boost::asio::async_initiate<CompletionToken, run_signature>(
        [this](auto handler, std::string id, std::string org, call_options c, error_details* d) {
          start_run(std::move(id), std::move(org), c, d, std::move(handler));
        },
        token, std::string(run_id), std::string(organization_id), call, details);
  }
  template <class CompletionToken>
  auto async_get_run_details(std::string_view run_id, std::string_view organization_id, call_options call,
                             CompletionToken&& token) {
    return async_get_run_details(run_id, organization_id, call, nullptr, std::forward<CompletionToken>(token));
  }
  template <class CompletionToken>
  auto async_get_run_details(std::string_view run_id, std::string_view organization_id, CompletionToken&& token) {
    return async_get_run_details(run_id, organization_id, call_options{}, nullptr,
                                 std::forward<CompletionToken>(token));
  }

 private:
  void start_history(std::string id, history_query query, error_details* details,
                     boost::asio::any_completion_handler<history_signature> handler);
  void start_run(std::string id, std::string organization_id, call_options call, error_details* details,
                 boost::asio::any_completion_handler<run_signature> handler);

  friend std::shared_ptr<detail::client_core> detail::core_of(const client& c);
  std::shared_ptr<detail::client_core> core_;
};

}  // namespace humm::analyst
