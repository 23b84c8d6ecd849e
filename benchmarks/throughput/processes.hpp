#pragma once
// throughput_report's processes: each peer runs as a process of its own, so that its CPU time
// and peak RSS come from wait4(), and its TLS connections from nginx's stub_status counter,
// the same way for every peer.

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace peer {

struct finished_process {
  std::string out;
  rusage usage{};
};

// Runs argv with extra environment variables; stdout is captured, stderr passes through.
// With `stdout_file`, stdout goes to that file and stderr is captured instead.
inline finished_process run_process(const std::vector<std::string>& argv,
                             const std::vector<std::pair<std::string, std::string>>& env = {},
                             const std::filesystem::path& stdout_file = {}) {
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    if (stdout_file.empty()) {
      dup2(pipe_fds[1], STDOUT_FILENO);
    } else {
      const int file = open(stdout_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (file < 0) _exit(126);
      dup2(file, STDOUT_FILENO);
      dup2(pipe_fds[1], STDERR_FILENO);
      close(file);
    }
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    for (const auto& [key, value] : env) setenv(key.c_str(), value.c_str(), 1);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    std::perror(args[0]);
    _exit(127);
  }
  close(pipe_fds[1]);
  finished_process result;
  char buffer[4096];
  for (ssize_t n; (n = read(pipe_fds[0], buffer, sizeof buffer)) > 0;) result.out.append(buffer, static_cast<std::size_t>(n));
  close(pipe_fds[0]);
  int status = 0;
  wait4(pid, &status, 0, &result.usage);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error(argv[0] + " failed (status " + std::to_string(status) + "):\n" + result.out);
  return result;
}

inline double cpu_seconds(const rusage& u) {
  auto seconds = [](timeval t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return seconds(u.ru_utime) + seconds(u.ru_stime);
}

// nginx's count of accepted connections, read from stub_status (plain HTTP).
inline long accepted_connections(unsigned short status_port) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::address_v4::loopback(), status_port});
  boost::beast::http::request<boost::beast::http::empty_body> request{boost::beast::http::verb::get, "/status", 11};
  request.set(boost::beast::http::field::host, "127.0.0.1");
  boost::beast::http::write(socket, request);
  boost::beast::flat_buffer buffer;
  boost::beast::http::response<boost::beast::http::string_body> response;
  boost::beast::http::read(socket, buffer, response);
  // "Active connections: N \nserver accepts handled requests\n A H R \n..."
  std::istringstream body(response.body());
  std::string line;
  std::getline(body, line);
  std::getline(body, line);
  long accepts = -1;
  body >> accepts;
  if (accepts < 0) throw std::runtime_error("unexpected stub_status answer: " + response.body());
  return accepts;
}

}  // namespace peer
