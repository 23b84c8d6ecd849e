#pragma once
// A tinyproxy of the test's own, never the system's service: started in the foreground on
// 127.0.0.1 and a free port with a generated configuration (every port may be tunnelled,
// only 127.0.0.1 may connect, Basic credentials when asked), its log in a temporary
// directory, stopped when destroyed. Shared by the integration and CLI suites.

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace humm_test {

struct tinyproxy_options {
  /// `BasicAuth user password`: the proxy then answers 407 without them. tinyproxy takes
  /// letters, digits and `-._` only.
  std::optional<std::string> user{};
  std::string password{};
};

class tinyproxy {
 public:
  /// Starts it and waits until it accepts connections. Throws std::runtime_error when it
  /// cannot: "tinyproxy not found: run scripts/setup.sh" when it is not installed.
  explicit tinyproxy(tinyproxy_options options = {});
  ~tinyproxy();  ///< stops it (SIGTERM, then SIGKILL) and removes its directory
  tinyproxy(const tinyproxy&) = delete;
  tinyproxy& operator=(const tinyproxy&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  /// `127.0.0.1:PORT`, as the client names a proxy.
  std::string authority() const { return "127.0.0.1:" + std::to_string(port_); }
  /// `http://127.0.0.1:PORT`, without credentials.
  std::string url() const { return "http://" + authority(); }
  /// `http://user:password@127.0.0.1:PORT`.
  std::string url_with(const std::string& user, const std::string& password) const {
    return "http://" + user + ":" + password + "@" + authority();
  }

  /// What it has logged so far.
  std::string log() const;
  /// Connections it accepted, and CONNECT requests it read, by its log.
  std::size_t connections_seen() const;
  std::size_t tunnels_requested() const;

 private:
  bool start(const tinyproxy_options& options);
  void stop() noexcept;

  std::string directory_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace humm_test
