// What a client is made of (client_core.hpp): its options checked and the parts they
// configure, its counters, and the calls' entry points, which check arguments before the
// call loop (call_loop.cpp) fetches.

#include "client_core.hpp"

#include "async/strands.hpp"
#include "sansio/proxy.hpp"

#include <sys/resource.h>

#include <cstdlib>
#include <optional>
#include <stdexcept>

namespace humm::analyst::detail {

namespace {

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
