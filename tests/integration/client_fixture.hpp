#pragma once
// A fake server on its own thread and a client on the test's io_context, with helpers to
// run coroutines to completion.

#include <humm/analyst/client.hpp>
#include <humm/analyst/testing/fake_server.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/test/unit_test.hpp>

#include <optional>

namespace humm_test {

namespace ha = humm::analyst;
namespace asio = boost::asio;

inline ha::client_options options_for(const ha::testing::fake_server& server) {
  ha::client_options options;
  options.base_url = server.base_url();
  options.token = server.options().token;
  options.tls.ca_pem = server.certificate_pem();
  options.retry.initial_backoff = std::chrono::milliseconds{1};  // keep retry tests quick
  options.retry.max_backoff = std::chrono::milliseconds{4};
  options.connect_timeout = std::chrono::seconds{5};
  options.request_timeout = std::chrono::seconds{10};
  options.proxy = "";  // direct, whatever HTTPS_PROXY and the like say: the proxy suites set one
  return options;
}

struct client_fixture {
  explicit client_fixture(ha::testing::fake_server_options server_options = {})
      : server(server_options),
        schedule(server.add_schedule(250, 7)),
        organization(ha::format_uuid(server.options().organization)) {}

  ha::client make_client(std::function<void(ha::client_options&)> adjust = {}) {
    auto options = options_for(server);
    if (adjust) adjust(options);
    return ha::client(io.get_executor(), options);
  }

  /// Runs `work` on the io_context until it completes; rethrows what it threw.
  template <class T>
  T run(asio::awaitable<T> work) {
    auto result = asio::co_spawn(io, std::move(work), asio::use_future);
    io.restart();
    io.run();
    return result.get();
  }

  ha::history_query query(std::int64_t limit = 20, std::int64_t offset = 0) const {
    ha::history_query q;
    q.organization_id = organization;
    q.limit = limit;
    q.offset = offset;
    return q;
  }

  std::string schedule_id() const { return ha::format_uuid(schedule.schedule.id); }

  /// The error of a call that must fail.
  ha::api_error failure_of(ha::client& c, std::string id, ha::history_query q) {
    try {
      run(c.get_schedule_history(std::move(id), std::move(q)));
    } catch (const ha::api_error& e) {
      return e;
    }
    BOOST_FAIL("the call should have failed");
    throw std::logic_error("unreachable");
  }

  ha::testing::fake_server server;
  ha::testing::schedule_data schedule;
  std::string organization;
  asio::io_context io;
};

}  // namespace humm_test
