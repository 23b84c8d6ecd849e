// The tests' own tinyproxy (tinyproxy.hpp): a configuration in a temporary directory, the
// process spawned in the foreground, a wait until it accepts, and its log read back.

#include "tinyproxy.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

extern char** environ;

namespace humm_test {

namespace {

using namespace std::chrono_literals;

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

// A port nothing listens on now: the kernel's choice for a socket bound and closed.
std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address = loopback(0);
  socklen_t size = sizeof address;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), size) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0)
    throw std::runtime_error("cannot find a free port for tinyproxy");
  ::close(fd);
  return ntohs(address.sin_port);
}

// Whether something listens on 127.0.0.1:`port`, told by the kernel's table rather than a
// connection: tinyproxy would log one, and the tests count what it logs.
bool listening(std::uint16_t port) {
  char wanted[32];
  std::snprintf(wanted, sizeof wanted, "0100007F:%04X", static_cast<unsigned>(port));
  std::ifstream table("/proc/net/tcp");
  std::string line;
  std::getline(table, line);  // the column names
  while (std::getline(table, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, state;
    fields >> slot >> local >> remote >> state;
    if (local == wanted && state == "0A") return true;  // 0A: LISTEN
  }
  return false;
}

std::string read_file(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

}  // namespace

tinyproxy::tinyproxy(tinyproxy_options options) {
  char pattern[] = "/tmp/humm-tinyproxy-XXXXXX";
  if (!::mkdtemp(pattern)) throw std::runtime_error("cannot make a directory for tinyproxy");
  directory_ = pattern;
  try {
    // Another process may take the free port before tinyproxy binds it: then try another.
    for (int attempt = 0; attempt < 5; ++attempt)
      if (start(options)) return;
    throw std::runtime_error("tinyproxy did not start listening: " + read_file(directory_ + "/output") +
                             read_file(directory_ + "/log"));
  } catch (...) {  // no destructor runs for an object never made
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
    throw;
  }
}

tinyproxy::~tinyproxy() {
  stop();
  std::error_code ignored;
  std::filesystem::remove_all(directory_, ignored);
}

bool tinyproxy::start(const tinyproxy_options& options) {
  port_ = free_port();
  const std::string conf = directory_ + "/tinyproxy.conf";
  {
    // No ConnectPort line: CONNECT may reach every port (tinyproxy.conf(5)).
    std::ofstream out(conf);
    out << "Port " << port_ << "\nListen 127.0.0.1\nAllow 127.0.0.1\nTimeout 60\nMaxClients 64\n"
        << "LogLevel Connect\nLogFile \"" << directory_ << "/log\"\nPidFile \"" << directory_ << "/pid\"\n";
    if (options.user) out << "BasicAuth " << *options.user << " " << options.password << "\n";
  }
  std::filesystem::remove(directory_ + "/log");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  const std::string output = directory_ + "/output";
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  std::vector<std::string> args{"tinyproxy", "-d", "-c", conf};
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const int spawned = ::posix_spawnp(&pid_, "tinyproxy", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned == ENOENT) throw std::runtime_error("tinyproxy not found: run scripts/setup.sh");
  if (spawned != 0) throw std::runtime_error(std::string("cannot start tinyproxy: ") + std::strerror(spawned));

  const auto give_up = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < give_up) {
    if (listening(port_)) return true;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {  // it ended: the port was taken, or the conf refused
      pid_ = -1;
      return false;
    }
    std::this_thread::sleep_for(10ms);
  }
  stop();
  return false;
}

void tinyproxy::stop() noexcept {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  int status = 0;
  for (int i = 0; i < 200 && ::waitpid(pid_, &status, WNOHANG) == 0; ++i) std::this_thread::sleep_for(10ms);
  if (::waitpid(pid_, &status, WNOHANG) == 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
  }
  pid_ = -1;
}

std::string tinyproxy::log() const { return read_file(directory_ + "/log"); }

std::size_t tinyproxy::connections_seen() const { return count_of(log(), "]: Connect (file descriptor"); }

std::size_t tinyproxy::tunnels_requested() const { return count_of(log(), "): CONNECT "); }

}  // namespace humm_test
