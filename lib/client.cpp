// The client composes the pieces: endpoint and arguments (sansio/endpoint), the pool
// (net/connection_pool), one exchange (net/http_connection), the retry decision
// (sansio/retry), error descriptions (sansio/http_error) and decoding (decode.hpp).

#include <humm/analyst/client.hpp>
#include <humm/analyst/decode.hpp>

#include "net/cancellation.hpp"
#include "net/connection_pool.hpp"
#include "net/strands.hpp"
#include "net/tls_session_cache.hpp"
#include "sansio/endpoint.hpp"
#include "sansio/http_error.hpp"
#include "sansio/retry.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace humm::analyst {

namespace asio = boost::asio;

namespace {

// The result of a call before it is handed to the caller's completion token or thrown.
template <class T>
struct outcome {
  std::error_code code;
  error_details details;
  T value{};
};

double jitter() {
  thread_local std::minstd_rand generator{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(generator);
}

asio::ssl::context make_tls_context(const tls_options& tls) {
  asio::ssl::context context(asio::ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION);
  context.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_compression);
  // TLS 1.3 suites in the order browsers and Go offer them: AES-128-GCM first, which costs
  // less CPU per byte than OpenSSL's default first choice, AES-256-GCM, on both ends.
  SSL_CTX_set_ciphersuites(context.native_handle(),
                           "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256");
  context.set_verify_mode(tls.verify_peer ? asio::ssl::verify_peer : asio::ssl::verify_none);
  boost::system::error_code ec;
  if (!tls.ca_pem.empty()) {
    context.add_certificate_authority(asio::buffer(tls.ca_pem), ec);
    if (ec) throw std::invalid_argument("tls.ca_pem: not a usable PEM certificate: " + ec.message());
  }
  if (!tls.ca_file.empty()) {
    context.load_verify_file(tls.ca_file, ec);
    if (ec) throw std::invalid_argument("tls.ca_file: cannot load '" + tls.ca_file + "': " + ec.message());
  }
  if (tls.ca_pem.empty() && tls.ca_file.empty()) context.set_default_verify_paths();
  return context;
}

}  // namespace

struct client::impl {
  impl(executor_type ex, client_options opts)
      : executor(std::move(ex)),
        options(std::move(opts)),
        tls_context(make_tls_context(options.tls)),
        pool(executor, options.max_connections, options.idle_timeout) {
    if (options.tls.resume_sessions) sessions.attach(tls_context.native_handle());
    detail::argument_problem problem;
    if (!detail::parse_base_url(options.base_url, where, problem) ||
        !detail::check_header_value("user_agent", options.user_agent, problem))
      throw std::invalid_argument(problem.message());
    // A bad token fails every call with errc::invalid_argument (a client may be made before
    // the token is known); it is checked once, here.
    if (!detail::check_token(options.token, problem)) token_problem = problem.message();
  }

  executor_type executor;
  client_options options;
  detail::endpoint where;
  detail::tls_session_cache sessions;  // declared before the context that refers to it
  asio::ssl::context tls_context;
  detail::connection_pool pool;
  std::optional<std::string> token_problem;
  std::atomic<std::uint64_t> tls_handshakes{0}, tls_resumptions{0}, requests{0}, retries{0}, stale_resends{0};
  std::atomic<std::size_t> exchanges_in_flight{0};  // requests sent and not yet answered

  // Response bodies are recycled once decoded: a page is about 12 KB, and a new buffer for
  // every response costs more than filling it (glibc tidies its free lists on every large
  // allocation). At most one spare per connection is kept, none larger than 1 MiB.
  std::mutex spare_bodies_mutex;
  std::vector<std::string> spare_bodies;

  std::string take_body() {
    std::lock_guard lock(spare_bodies_mutex);
    if (spare_bodies.empty()) return {};
    std::string body = std::move(spare_bodies.back());  // the response reader empties it
    spare_bodies.pop_back();
    return body;
  }
  void recycle_body(std::string body) {
    std::lock_guard lock(spare_bodies_mutex);
    constexpr std::size_t largest_kept = 1 << 20;
    if (spare_bodies.size() < options.max_connections && body.capacity() <= largest_kept)
      spare_bodies.push_back(std::move(body));
  }

  // For a call or a connection: runs one handler at a time (strands.hpp).
  asio::any_io_executor serial_executor() const { return detail::serial_executor(executor, options.single_threaded); }

  detail::request make_request(const std::string& target) const {
    return detail::get_request(where, target, options.token, options.user_agent, options.gzip);
  }

  // Whether the caller cancelled the call; then `error` says so.
  static bool stopped(const asio::cancellation_state& state, detail::exchange_error& error) {
    const bool cancelled = detail::is_cancelled(state);
    if (cancelled) error = {make_error_code(errc::cancelled), "cancelled", true};
    return cancelled;
  }

  // One attempt: a pooled connection (or a new one), one exchange. A reused connection that
  // the server had closed while idle is replaced at once, without spending a retry.
  asio::awaitable<bool> attempt(const detail::request& req, std::chrono::milliseconds timeout, detail::response& out,
                                detail::exchange_error& error) {
    co_await asio::this_coro::throw_if_cancelled(false);
    const auto cancellation = co_await asio::this_coro::cancellation_state;
    const auto here = co_await asio::this_coro::executor;
    for (bool fresh = false;;) {
      detail::connection_pool::lease lease;
      if (stopped(cancellation, error) || !co_await pool.acquire(lease, fresh)) {
        error = {make_error_code(errc::cancelled), "cancelled while waiting for a connection", true};
        co_return false;
      }
      // Whatever happens below, even the frame's destruction, the permit goes back.
      struct give_back {
        detail::connection_pool& pool;
        std::unique_ptr<detail::http_connection>& connection;
        ~give_back() { pool.release(std::move(connection)); }
      } guard{pool, lease.connection};

      if (stopped(cancellation, error)) co_return false;
      if (!lease.connection) {
        lease.connection = std::make_unique<detail::http_connection>(serial_executor(),
                                                                      where.tls ? &tls_context : nullptr);
        pool.count_opened();
        if (!co_await lease.connection->open(here, where, options.connect_timeout, error)) co_return false;
        if (where.tls) ++tls_handshakes;
        if (lease.connection->resumed()) ++tls_resumptions;
      }
      if (stopped(cancellation, error)) co_return false;
      ++requests;
      bool ok;
      {
        // Counted while the exchange lasts, even if the frame is destroyed inside it.
        struct in_flight {
          std::atomic<std::size_t>& count;
          ~in_flight() { --count; }
        };
        ++exchanges_in_flight;
        const in_flight counted{exchanges_in_flight};
        ok = co_await lease.connection->exchange(here, req, timeout, options.max_response_bytes, out, error);
      }
      if (!ok && lease.reused && error.before_response && error.code == errc::connection) {
        ++stale_resends;
        fresh = true;
        continue;
      }
      co_return ok;
    }
  }

  // A GET with retries; on success the body, else the code and details.
  asio::awaitable<outcome<std::string>> get(std::string target, call_options call) {
    co_await asio::this_coro::throw_if_cancelled(false);
    outcome<std::string> result;
    // What failed, for messages: the path, without the query.
    auto what = [&target] { return "GET " + target.substr(0, target.find('?')); };
    retry_policy policy = options.retry;
    if (call.max_retries) policy.max_retries = std::max(0, *call.max_retries);
    const auto timeout = call.request_timeout.value_or(options.request_timeout);
    const detail::request req = make_request(target);

    for (int retries_done = 0;; ++retries_done) {
      detail::response response;
      response.body = take_body();
      detail::exchange_error error;
      const bool answered = co_await attempt(req, timeout, response, error);
      result.details.attempts = retries_done + 1;
      if (answered && response.status / 100 == 2) {
        result.value = std::move(response.body);
        co_return result;
      }
      detail::attempt_outcome seen;
      if (answered) {
        seen.status = response.status;
        seen.retry_after = response.retry_after;
        seen.ratelimit_reset = response.ratelimit_reset;
      } else {
        seen.error = error.code;
      }
      const auto decision = detail::decide_retry(policy, retries_done, seen, std::chrono::system_clock::now(), jitter());
      if (!decision.retry) {
        if (answered) {
          result.code = make_error_code(errc::http_status);
          result.details = detail::describe_http_error(what(), response.status, response.body, response.request_id);
        } else {
          result.code = error.code;
          result.details.message = what() + ": " + error.message;
          result.details.retryable = detail::is_retryable_error(error.code);
        }
        result.details.attempts = retries_done + 1;
        co_return result;
      }
      ++retries;
      asio::steady_timer backoff(co_await asio::this_coro::executor, decision.delay);
      auto [wait_ec] = co_await backoff.async_wait(asio::as_tuple(asio::use_awaitable));
      if (wait_ec || co_await detail::was_cancelled()) {
        result.code = make_error_code(errc::cancelled);
        result.details.message = what() + ": cancelled while waiting to retry";
        co_return result;
      }
    }
  }

  // A GET whose body decodes to T.
  template <class T>
  asio::awaitable<outcome<T>> fetch(std::string target, call_options call) {
    auto body = co_await get(std::move(target), call);
    outcome<T> result{body.code, std::move(body.details), {}};
    if (result.code) co_return result;
    // When no other request is at the server, a call that waited for the connection this
    // one just gave back sends its request first, so that the server works while this
    // thread decodes. With requests in flight the server has work already: decode at once.
    if (pool.counters().waiting > 0 && exchanges_in_flight == 0)
      co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
    auto decoded = try_decode<T>(std::string_view(body.value));
    if (!decoded) {
      result.code = make_error_code(errc::decode);
      result.details.message = "the response is not the documented JSON: " + decoded.error().message();
      result.details.body_excerpt = body.value.substr(0, detail::max_body_excerpt);
      co_return result;
    }
    recycle_body(std::move(body.value));
    result.value = *std::move(decoded);
    co_return result;
  }

  template <class T>
  static outcome<T> rejected(std::string message) {
    outcome<T> result;
    result.code = make_error_code(errc::invalid_argument);
    result.details.message = std::move(message);
    return result;
  }

  asio::awaitable<outcome<schedule_history>> history(std::string schedule_id, history_query query) {
    detail::argument_problem problem;
    uuid id;
    if (token_problem) co_return rejected<schedule_history>(*token_problem);
    if (!detail::check_uuid_argument("schedule_id", schedule_id, id, problem) ||
        !detail::check_history_arguments(query.organization_id, query.limit, query.offset, problem))
      co_return rejected<schedule_history>(problem.message());
    co_return co_await fetch<schedule_history>(
        detail::history_target(where, id, query.organization_id, query.limit, query.offset), query.call);
  }

  asio::awaitable<outcome<run_details>> run(std::string run_id, std::string organization_id, call_options call) {
    detail::argument_problem problem;
    uuid id;
    if (token_problem) co_return rejected<run_details>(*token_problem);
    if (!detail::check_uuid_argument("run_id", run_id, id, problem))
      co_return rejected<run_details>(problem.message());
    if (organization_id.empty())
      co_return rejected<run_details>("organization_id: is required and must not be empty");
    co_return co_await fetch<run_details>(detail::run_target(where, id, organization_id), call);
  }
};

namespace {

template <class T>
T value_or_throw(outcome<T> result) {
  if (result.code) throw api_error(result.code, std::move(result.details));
  return std::move(result.value);
}

// An exception that escaped a call (cancellation before its first step, out of memory).
template <class T>
outcome<T> failed_with(std::exception_ptr failure) {
  outcome<T> result;
  result.code = make_error_code(errc::connection);
  try {
    std::rethrow_exception(failure);
  } catch (const boost::system::system_error& e) {
    if (e.code() == asio::error::operation_aborted) result.code = make_error_code(errc::cancelled);
    result.details.message = e.what();
  } catch (const std::exception& e) {
    result.details.message = e.what();
  }
  return result;
}

// Runs `operation` with the client's state kept alive: a client may be destroyed while a
// call it started through a completion token is still running.
template <class T>
asio::awaitable<T> keeping([[maybe_unused]] std::shared_ptr<client::impl> state, asio::awaitable<T> operation) {
  co_return co_await std::move(operation);
}

// Runs `operation` and completes `handler` on its own executor, following its cancellation slot.
template <class T, class Handler>
void spawn_for_handler(const asio::any_io_executor& call_executor, asio::awaitable<outcome<T>> operation,
                       error_details* details, Handler handler) {
  auto slot = asio::get_associated_cancellation_slot(handler);
  auto handler_executor = asio::get_associated_executor(handler, call_executor);
  asio::co_spawn(call_executor, std::move(operation),
                 asio::bind_cancellation_slot(
                     slot, asio::bind_executor(handler_executor, [handler = std::move(handler), details](
                                                                     std::exception_ptr failure, outcome<T> result) mutable {
                       if (failure) result = failed_with<T>(failure);
                       if (details) *details = std::move(result.details);
                       std::move(handler)(boost::system::error_code(result.code), std::move(result.value));
                     })));
}

}  // namespace

client::client(executor_type executor, client_options options)
    : impl_(std::make_shared<impl>(std::move(executor), std::move(options))) {}

client::~client() { impl_->pool.close_idle(true); }

client::executor_type client::get_executor() const noexcept { return impl_->executor; }
const client_options& client::options() const noexcept { return impl_->options; }

client_stats client::stats() const {
  const auto& pool = impl_->pool.counters();
  client_stats s;
  s.connections_opened = pool.opened;
  s.tls_handshakes = impl_->tls_handshakes;
  s.tls_resumptions = impl_->tls_resumptions;
  s.requests = impl_->requests;
  s.reused = pool.reused;
  s.retries = impl_->retries;
  s.stale_resends = impl_->stale_resends;
  s.idle = pool.idle;
  s.in_use = pool.in_use;
  s.waiting = pool.waiting;
  return s;
}

namespace {

// Each call runs as a coroutine of its own: its cancellation and throw_if_cancelled
// settings stay apart from the caller's, and its serial executor (a strand unless the
// client is single-threaded) never runs two of its steps at once. The caller's
// cancellation still reaches it.
template <class T>
asio::awaitable<T> run_call(std::shared_ptr<client::impl> state, asio::awaitable<outcome<T>> operation) {
  const auto executor = state->serial_executor();
  co_return value_or_throw(
      co_await asio::co_spawn(executor, keeping(std::move(state), std::move(operation)), asio::use_awaitable));
}

}  // namespace

asio::awaitable<schedule_history> client::get_schedule_history(std::string schedule_id, history_query query) {
  return run_call(impl_, impl_->history(std::move(schedule_id), std::move(query)));
}

asio::awaitable<run_details> client::get_run_details(std::string run_id, std::string organization_id,
                                                     call_options call) {
  return run_call(impl_, impl_->run(std::move(run_id), std::move(organization_id), call));
}

void client::start_history(std::string id, history_query query, error_details* details,
                           asio::any_completion_handler<history_signature> handler) {
  spawn_for_handler(impl_->serial_executor(), keeping(impl_, impl_->history(std::move(id), std::move(query))), details,
                    std::move(handler));
}

void client::start_run(std::string id, std::string organization_id, call_options call, error_details* details,
                       asio::any_completion_handler<run_signature> handler) {
  spawn_for_handler(impl_->serial_executor(), keeping(impl_, impl_->run(std::move(id), std::move(organization_id), call)),
                    details, std::move(handler));
}

}  // namespace humm::analyst
