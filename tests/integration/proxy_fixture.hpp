#pragma once
// What the proxy suites share: clients that go through a given proxy whatever the
// environment says, the credentials they use, and the check that no error text shows them.

#include "client_fixture.hpp"

#include <functional>
#include <string>

namespace humm_test {

inline const std::string proxy_user = "proxy-user";
inline const std::string proxy_password = "s3cr3t-proxy-pass";

// Clients of these tests go through `proxy_url`, whatever the environment says.
inline std::function<void(ha::client_options&)> through(std::string proxy_url, int max_retries = 2) {
  return [proxy_url, max_retries](ha::client_options& o) {
    o.proxy = proxy_url;
    o.no_proxy = "";
    o.retry.max_retries = max_retries;
  };
}

// `text` with `secret` made visible but not shown: failure output must not hold a secret either.
inline std::string hiding(std::string text, const std::string& secret) {
  for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at))
    text.replace(at, secret.size(), "[LEAKED SECRET]");
  return text;
}

// Every text of the error, checked for the password, the user and the credentials as sent.
inline void check_no_credentials(const ha::api_error& e) {
  const ha::error_details& d = e.details();
  for (const std::string& text : {std::string(e.what()), d.message, d.body_excerpt, d.request_id}) {
    for (const std::string& secret : {proxy_password, proxy_user, std::string("cHJveHktdXNlcjpz")}) {
      BOOST_TEST(text.find(secret) == std::string::npos, "a credential shows in: " << hiding(hiding(text, proxy_password), proxy_user));
    }
  }
}

inline std::string origin_of(const client_fixture& f) { return "127.0.0.1:" + std::to_string(f.server.port()); }

inline std::string call_path(const client_fixture& f) { return "GET /reports/schedules/" + f.schedule_id() + "/runs: "; }

}  // namespace humm_test
