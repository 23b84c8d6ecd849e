// The call loop: a pooled connection, one exchange, and the retry decision (sansio/retry)
// after each attempt; then decoding. Error descriptions come from sansio/http_error.

#include "client_core.hpp"

#include "async/cancellation.hpp"
#include "async/strands.hpp"
#include "sansio/deadline.hpp"
#include "sansio/http_error.hpp"
#include "sansio/proxy.hpp"
#include "sansio/rate_limit.hpp"
#include "sansio/retry.hpp"
#include "sansio/safe_text.hpp"

#include <humm/analyst/decode.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <sys/resource.h>

#include <cstdio>
#include <optional>
#include <cstdlib>
#include <random>
#include <stdexcept>

namespace humm::analyst::detail {

namespace {

double jitter() {
  thread_local std::minstd_rand generator{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(generator);
}

endpoint parse_or_throw(const client_options& options) {
  endpoint where;
  argument_problem problem;
  if (!parse_base_url(options.base_url, options.allow_insecure_http, where, problem) ||
      !check_header_value("user_agent", options.user_agent, problem))
    throw std::invalid_argument(problem.message());
  for (const auto& [name, value] : options.default_headers)
    if (!check_extra_header(name, value, problem)) throw std::invalid_argument("default_" + problem.message());
  return where;
}

// The proxy for the client's one origin, chosen once: from the options, else the process's
// environment. Throws std::invalid_argument naming the option or variable of a bad one.
std::optional<proxy_route> proxy_or_throw(const client_options& options, const endpoint& where,
                                          const std::string& user_agent) {
  const environment_lookup getenv_lookup = [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    return value ? std::optional<std::string>(value) : std::nullopt;
  };
  std::optional<proxy_endpoint> proxy;
  argument_problem problem;
  if (!choose_proxy(where, options.proxy, options.no_proxy, getenv_lookup, proxy, problem))
    throw std::invalid_argument(problem.message());
  if (!proxy) return std::nullopt;
  return route_through(*proxy, where, user_agent);
}

// At most half of the descriptors the process may open, less 32, go to connections: the
// rest of the process (its files, a server in the same process) keeps room, and a client
// told to open more waits for a connection instead of failing for want of descriptors.
std::size_t within_descriptor_limit(std::size_t wanted) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return wanted;
  const std::size_t room = limit.rlim_cur > 34 ? static_cast<std::size_t>((limit.rlim_cur - 32) / 2) : 1;
  return std::min(wanted, room);
}

// "2.5 s", "60 s": a wait as people read it.
std::string seconds_text(std::chrono::milliseconds wait) {
  char text[32];
  std::snprintf(text, sizeof text, "%g s", static_cast<double>(wait.count()) / 1000.0);
  return text;
}

event_duration micros(std::chrono::steady_clock::duration d) {
  return std::max(event_duration{0}, std::chrono::duration_cast<event_duration>(d));
}

latency_percentiles percentiles(const latency_summary& s) { return {s.count, s.p50, s.p90, s.p99, s.max}; }

template <class T>
outcome<T> rejected(std::string message) {
  outcome<T> result;
  result.code = make_error_code(errc::invalid_argument);
  result.details.message = std::move(message);
  return result;
}

}  // namespace

client_core::client_core(asio::any_io_executor ex, client_options opts)
    : executor(std::move(ex)),
      options(std::move(opts)),
      where_(parse_or_throw(options)),
      user_agent_(user_agent_for(options.user_agent)),
      max_connections_(within_descriptor_limit(options.max_connections)),
      tls_(options.tls),
      pool_(executor, pool_settings{where_, where_.tls ? &tls_.get() : nullptr, options.connect_timeout,
                                    max_connections_, options.idle_timeout, options.single_threaded,
                                    options.observer.get(), proxy_or_throw(options, where_, user_agent_)}),
      bodies_(max_connections_),
      buffered_(options.max_buffered_bytes),
      gate_(options.max_requests_per_second, options.retry.budget),
      watcher_(options.observer.get()) {
  // A bad token fails every call with errc::invalid_argument (a client may be made before
  // the token is known); it is checked once, here.
  argument_problem problem;
  if (!check_token(options.token, problem)) token_problem_ = problem.message();
}

asio::any_io_executor client_core::serial_executor() const {
  return detail::serial_executor(executor, options.single_threaded);
}

std::optional<std::string> client_core::proxy() const {
  const auto& route = pool_.settings().proxy;
  return route ? std::optional<std::string>(route->proxy.authority) : std::nullopt;
}

client_stats client_core::stats() const {
  const auto& pool = pool_.counters();
  client_stats s;
  s.connections_opened = pool.opened;
  s.tls_handshakes = pool.tls_handshakes;
  s.tls_resumptions = pool.tls_resumptions;
  s.requests = requests_;
  s.reused = pool.reused;
  s.retries = retries_;
  s.stale_resends = stale_resends_;
  s.idle = pool.idle;
  s.in_use = pool.in_use;
  s.waiting = pool.waiting;
  s.idle_discarded = pool.discarded;
  s.max_connections = max_connections_;
  const rate_gate::figures rate = gate_.read();
  s.rate_limit = rate.last.limit;
  s.rate_limit_remaining = rate.last.remaining;
  s.rate_limit_reset_after = rate.last.reset_after;
  s.too_many_requests = rate.too_many_requests;
  s.paused = rate.paused;
  s.retries_refused = rate.retries_refused;
  s.attempt_latency = percentiles(attempt_latency_.summary());
  s.call_latency = percentiles(call_latency_.summary());
  return s;
}

// One attempt: a pooled connection (or a new one), one exchange. A reused connection that
// the server had closed while idle is replaced at once, without spending a retry. `record`
// gets where the time went.
asio::awaitable<bool> client_core::attempt(const std::string& request, steady_time started,
                                           std::chrono::milliseconds timeout, std::optional<steady_time> deadline,
                                           const call_options& call, response& out, exchange_error& error,
                                           attempt_record& record) {
  co_await asio::this_coro::throw_if_cancelled(false);
  const auto here = co_await asio::this_coro::executor;
  // The clock is read where a step ends, and each reading serves the next step's start too:
  // a call without an observer pays for little more than the percentiles.
  struct timed {  // the attempt's total, whichever way it ends
    const steady_time started;
    attempt_timings& timings;
    ~timed() { timings.total = micros(steady_time::clock::now() - started); }
  } const timing{started, record.timings};
  steady_time asked = started;  // for a connection: first at the start, after a stale one's failure then
  for (bool fresh = false;;) {
    connection_pool::lease lease;
    const bool leased = co_await pool_.acquire(lease, fresh, deadline, error);
    const steady_time sent = steady_time::clock::now();
    auto waited = sent - asked;
    if (leased && !lease.reused()) {  // opened for this attempt: its connect and handshake are apart
      record.timings.connect = micros(lease.connection().connect_time);
      record.timings.tls_handshake = micros(lease.connection().handshake_time);
      record.resumed = lease.connection().resumed();
      waited -= lease.connection().connect_time + lease.connection().handshake_time;
    }
    record.timings.pool_wait += micros(waited);
    if (!leased) co_return false;
    record.reused = lease.reused();
    if (co_await was_cancelled()) {
      error = {make_error_code(errc::cancelled), "cancelled", true};
      co_return false;
    }
    ++requests_;
    bool ok;
    {
      // Counted while the exchange lasts, even if the frame is destroyed inside it.
      struct in_flight {
        std::atomic<std::size_t>& count;
        ~in_flight() { --count; }
      };
      ++exchanges_in_flight_;
      const in_flight counted{exchanges_in_flight_};
      const response_limits limits{.max_body_bytes = options.max_response_bytes,
                                   .budget = &buffered_,
                                   .keep_fields = call.response_headers.empty() ? nullptr : &call.response_headers};
      // After waiting for the connection: what is left of the deadline bounds the exchange.
      const auto left = time_left(timeout, deadline, sent);
      if (!left) {
        error = {make_error_code(errc::deadline_exceeded), "the deadline passed before the request was sent", true};
        co_return false;
      }
      ok = co_await lease.connection().exchange(here, request, *left, limits, out, error);
    }
    const steady_time exchanged = steady_time::clock::now();
    if (out.header_read > sent) {
      record.timings.first_byte = micros(out.header_read - sent);
      record.timings.body = micros(exchanged - out.header_read);
    }
    if (!ok && resend_on_fresh_connection(lease.reused(), error.before_response, error.code)) {
      ++stale_resends_;
      fresh = true;
      asked = exchanged;
      continue;
    }
    co_return ok;
  }
}

// A GET with retries; on success the body, else the code and details. Each attempt first
// passes the rate gate; the deadline bounds every wait, and a wait that would end past it
// ends the call at once. The observer hears of each attempt once what follows it is known.
asio::awaitable<outcome<std::string>> client_core::get(const std::string& target, const call_options& call,
                                                       std::uint64_t call_id) {
  co_await asio::this_coro::throw_if_cancelled(false);
  outcome<std::string> result;
  // What failed, for messages: the path, without the query.
  const std::string what = "GET " + target.substr(0, target.find('?'));
  retry_policy policy = options.retry;
  if (call.max_retries) policy.max_retries = std::max(0, *call.max_retries);
  const auto timeout = call.request_timeout.value_or(options.request_timeout);
  const auto deadline = call_deadline(call, steady_time::clock::now());
  for (const auto& [name, value] : call.headers) {
    argument_problem problem;
    if (!check_extra_header(name, value, problem)) {
      result.code = make_error_code(errc::invalid_argument);
      result.details.message = what + ": " + problem.message() + "; nothing was sent";
      co_return result;
    }
  }
  const std::string request = get_request(where_, target, options.token, user_agent_, options.gzip,
                                          header_lines(options.default_headers, call.headers));

  // Ends the call with `code`, saying what happened and then how the last attempt failed.
  std::string last_failure;  // without `what`
  const auto end_call = [&](errc code, const std::string& why, int attempts) {
    result.code = make_error_code(code);
    result.details.message = what + ": " + why + (last_failure.empty() ? "" : "; the last attempt: " + last_failure);
    result.details.attempts = attempts;
    result.details.retryable = true;
  };
  const auto attempts_text = [](int n) { return std::to_string(n) + (n == 1 ? " attempt" : " attempts"); };

  for (int retries_done = 0;; ++retries_done) {
    rate_gate::ticket ticket;
    std::chrono::milliseconds wait{0};
    const auto asked = steady_time::clock::now();
    switch (co_await gate_.admit(deadline, policy.max_retry_after, ticket, wait)) {
      case admission::started: break;
      case admission::deadline:
        end_call(errc::deadline_exceeded, "the deadline passed after " + attempts_text(retries_done), retries_done);
        co_return result;
      case admission::too_long:
        end_call(errc::rate_limited,
                 "the server's rate limit allows no request for " + seconds_text(wait) + ", more than max_retry_after (" +
                     seconds_text(policy.max_retry_after) + ")",
                 retries_done);
        result.details.retry_after = wait;
        co_return result;
      case admission::cancelled:
        result = {};
        result.code = make_error_code(errc::cancelled);
        result.details.message = what + ": cancelled while waiting for the rate limit";
        co_return result;
    }
    response answer;
    answer.body = bodies_.take();
    exchange_error error;
    attempt_record record;
    const steady_time admitted = steady_time::clock::now();
    record.timings.rate_limit_wait = micros(admitted - asked);
    const auto started = watcher_ ? std::chrono::system_clock::now() : std::chrono::system_clock::time_point{};
    const bool answered = co_await attempt(request, admitted, timeout, deadline, call, answer, error, record);
    attempt_latency_.record(record.timings.total);
    attempt_outcome seen;
    rate_limit_reading reading;
    if (answered) {
      const auto now = std::chrono::system_clock::now();
      reading = read_rate_limit(answer.rate_limit.fields(), now);
      seen = {{}, answer.status, parse_retry_after(answer.retry_after, now), reading.reset_after};
      ticket.answered(answer.status, reading, seen.retry_after);
    } else {
      seen.error = error.code;
      seen.proxy_status = error.proxy_status;
      ticket.abandoned(is_retryable_error(error.code, error.proxy_status));
    }
    const int attempts = retries_done + 1;
    const std::string request_id = answered ? safe_line(answer.request_id, max_request_id, options.token) : "";
    // Tells the observer of this attempt, and what the client does next.
    const auto tell = [&](bool will_retry, std::chrono::milliseconds backoff) {
      if (!watcher_) return;
      const std::string failure = answered ? "" : safe_line(error.message, max_body_excerpt, options.token);
      watcher_->on_attempt({.call_id = call_id,
                            .method = "GET",
                            .target = target,
                            .attempt = attempts,
                            .started = started,
                            .http_status = answered ? answer.status : 0,
                            .error = answered ? std::error_code{} : error.code,
                            .error_message = failure,
                            .request_id = request_id,
                            .reused_connection = record.reused,
                            .tls_resumed = record.resumed,
                            .timings = record.timings,
                            .body_bytes = answered ? answer.body.size() : 0,
                            .will_retry = will_retry,
                            .backoff = backoff,
                            .rate_limit = reading.limit,
                            .rate_limit_remaining = reading.remaining,
                            .rate_limit_reset_after = reading.reset_after,
                            .retry_after = seen.retry_after});
    };
    if (answered && answer.status / 100 == 2) {
      tell(false, {});
      result = {};  // nothing of an earlier attempt's failure
      result.details.attempts = attempts;
      result.info = {.http_status = answer.status,
                     .request_id = request_id,
                     .attempts = attempts,
                     .timings = record.timings,
                     .headers = std::move(answer.kept_fields)};
      result.value = std::move(answer.body);
      co_return result;
    }
    // This attempt's failure, told afresh: nothing of an earlier one stays.
    const auto decision = decide_retry(policy, retries_done, seen, jitter());
    if (answered) {
      result.code = make_error_code(errc::http_status);
      result.details = describe_http_error(what, answer.status, answer.body, answer.request_id, answer.location,
                                           options.token);
      result.details.retry_after = decision.server_wait;
    } else {
      result.code = error.code;
      result.details = {};
      result.details.message = what + ": " + error.message;
      result.details.retryable = is_retryable_error(error.code, error.proxy_status);
    }
    result.details.attempts = attempts;
    last_failure = result.details.message;
    if (last_failure.starts_with(what + ": ")) last_failure.erase(0, what.size() + 2);
    // A final answer stands, even when it came just as the deadline passed; an attempt the
    // deadline cut short (its timeout was clamped to it) is the deadline's.
    const auto steady_now = steady_time::clock::now();
    const bool out_of_time =
        error.code == errc::deadline_exceeded || (!answered && deadline && steady_now >= *deadline);
    if (!decision.retry && !out_of_time) {
      if (decision.server_wait && *decision.server_wait > policy.max_retry_after)
        result.details.message += "; not retried: the server asks to wait " + seconds_text(*decision.server_wait) +
                                  ", more than max_retry_after (" + seconds_text(policy.max_retry_after) + ")";
      tell(false, {});
      co_return result;
    }
    if (out_of_time || (deadline && steady_now >= *deadline) || would_pass(deadline, steady_now, decision.delay)) {
      tell(false, {});
      end_call(errc::deadline_exceeded, "the deadline passed after " + attempts_text(attempts), attempts);
      co_return result;
    }
    if (!gate_.may_retry()) {
      tell(false, {});
      result.details.message += "; not retried: the client's retry budget is spent (most of its recent requests failed)";
      co_return result;
    }
    tell(true, decision.delay);
    ++retries_;
    asio::steady_timer backoff(co_await asio::this_coro::executor, decision.delay);
    auto [wait_ec] = co_await backoff.async_wait(asio::as_tuple(asio::use_awaitable));
    if (wait_ec || co_await was_cancelled()) {
      result = {};
      result.code = make_error_code(errc::cancelled);
      result.details.message = what + ": cancelled while waiting to retry";
      co_return result;
    }
  }
}

// A GET whose body decodes to T. Every failure leaves here made safe: whatever the server
// sent is redacted of the token and shown as one printable line. Each call is timed and,
// with an observer, told.
template <class T>
asio::awaitable<outcome<T>> client_core::fetch(std::string target, const call_options& call) {
  const auto started = steady_time::clock::now();
  const auto started_wall = watcher_ ? std::chrono::system_clock::now() : std::chrono::system_clock::time_point{};
  const std::uint64_t call_id = ++calls_;
  auto body = co_await get(target, call, call_id);
  outcome<T> result{body.code, std::move(body.details), {}, std::move(body.info)};
  event_duration decoding{0};
  // The call's end, whichever way it went: its latency, the observer, response_info.
  const auto finish = [&](steady_time ended) {
    const auto elapsed = micros(ended - started);
    call_latency_.record(elapsed);
    result.info.elapsed = elapsed;
    if (watcher_)
      watcher_->on_call({.call_id = call_id,
                         .method = "GET",
                         .target = target,
                         .started = started_wall,
                         .elapsed = elapsed,
                         .decode = decoding,
                         .attempts = result.code ? result.details.attempts : result.info.attempts,
                         .http_status = result.code ? result.details.http_status : result.info.http_status,
                         .error = result.code,
                         .error_message = result.details.message,
                         .request_id = result.code ? result.details.request_id : result.info.request_id});
    if (!result.code && call.response) *call.response = std::move(result.info);
  };
  if (result.code) {
    make_safe(result.details, options.token);
    finish(steady_time::clock::now());
    co_return result;
  }
  // When no other request is at the server, a call that waited for the connection this
  // one just gave back sends its request first, so that the server works while this
  // thread decodes. With requests in flight the server has work already: decode at once.
  if (pool_.counters().waiting > 0 && exchanges_in_flight_ == 0)
    co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
  const auto decode_started = steady_time::clock::now();
  auto decoded = try_decode<T>(std::string_view(body.value));
  const steady_time decoded_at = steady_time::clock::now();
  decoding = micros(decoded_at - decode_started);
  if (!decoded) {
    result.code = make_error_code(errc::decode);
    result.details.message = "the response is not the documented JSON: " + decoded.error().message();
    result.details.body_excerpt = excerpt(body.value, max_body_excerpt, options.token);
    result.details.request_id = result.info.request_id;  // for the server's people, to find the answer
    make_safe(result.details, options.token);
    finish(decoded_at);
    co_return result;
  }
  if (call.keep_raw_body)
    result.info.raw_body = std::move(body.value);
  else
    bodies_.give_back(std::move(body.value));
  result.value = *std::move(decoded);
  finish(decoded_at);
  co_return result;
}

asio::awaitable<outcome<schedule_history>> client_core::history_page(const uuid& schedule_id,
                                                                     const std::string& organization_id,
                                                                     std::int64_t limit, std::int64_t offset,
                                                                     const call_options& call) {
  return fetch<schedule_history>(detail::history_target(where_, schedule_id, organization_id, limit, offset), call);
}

std::optional<std::string> client_core::history_target(std::string_view schedule_id, const history_query& query,
                                                       argument_problem& problem) const {
  uuid id;
  if (!check_uuid_argument("schedule_id", schedule_id, id, problem) ||
      !check_history_arguments(query.organization_id, query.limit, query.offset, problem))
    return std::nullopt;
  return detail::history_target(where_, id, query.organization_id, query.limit, query.offset);
}

asio::awaitable<outcome<schedule_history>> client_core::history(std::string schedule_id, history_query query) {
  if (token_problem_) co_return rejected<schedule_history>(*token_problem_);
  argument_problem problem;
  auto target = history_target(schedule_id, query, problem);
  if (!target) co_return rejected<schedule_history>(problem.message());
  co_return co_await fetch<schedule_history>(std::move(*target), query.call);
}

asio::awaitable<outcome<run_details>> client_core::run(std::string run_id, std::string organization_id,
                                                       call_options call) {
  if (token_problem_) co_return rejected<run_details>(*token_problem_);
  argument_problem problem;
  uuid id;
  if (!check_uuid_argument("run_id", run_id, id, problem)) co_return rejected<run_details>(problem.message());
  if (organization_id.empty())
    co_return rejected<run_details>("organization_id: is required and must not be empty");
  co_return co_await fetch<run_details>(run_target(where_, id, organization_id), call);
}

}  // namespace humm::analyst::detail
