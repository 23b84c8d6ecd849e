// The call loop: a pooled connection, one exchange, and the retry decision (sansio/retry)
// after each attempt, each step timed for the observer and the percentiles; then decoding.
// Error descriptions come from sansio/http_error.

#include "client_core.hpp"

#include "async/cancellation.hpp"
#include "sansio/deadline.hpp"
#include "sansio/http_error.hpp"
#include "sansio/rate_limit.hpp"
#include "sansio/retry.hpp"
#include "sansio/safe_text.hpp"

#include <humm/analyst/decode.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdio>
#include <random>

namespace humm::analyst::detail {

namespace {

double jitter() {
  thread_local std::minstd_rand generator{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(generator);
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

}  // namespace

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

// The two models the client's calls decode (client_core.cpp).
template asio::awaitable<outcome<schedule_history>> client_core::fetch(std::string, const call_options&);
template asio::awaitable<outcome<run_details>> client_core::fetch(std::string, const call_options&);

}  // namespace humm::analyst::detail
