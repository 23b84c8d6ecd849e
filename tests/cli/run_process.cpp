// Running a program with fork and exec, feeding its standard input and collecting its
// output and exit code (run_process.hpp).

#include "run_process.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <map>
#include <stdexcept>

extern char** environ;

namespace humm_test {

namespace {

// The child's environment, built before fork: after fork, a multithreaded parent's child
// may only call async-signal-safe functions (setenv is not).
std::vector<std::string> child_environment(const process_options& options) {
  std::map<std::string, std::string> vars;
  for (char** e = environ; *e; ++e) {
    const std::string entry(*e);
    const auto eq = entry.find('=');
    if (eq != std::string::npos) vars[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  for (const auto& [name, value] : options.env) {
    if (value)
      vars[name] = *value;
    else
      vars.erase(name);
  }
  std::vector<std::string> entries;
  for (const auto& [name, value] : vars) entries.push_back(name + "=" + value);
  return entries;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> result;
  for (auto& s : strings) result.push_back(s.data());
  result.push_back(nullptr);
  return result;
}

// A child started with pipes on its standard input, output and error.
struct started_child {
  pid_t pid = -1;
  int in = -1, out = -1, err = -1;  // the parent's ends
  std::chrono::steady_clock::time_point started{};
};

started_child start(const std::string& program, const std::vector<std::string>& args, const process_options& options) {
  std::vector<std::string> argv_strings{program};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<std::string> env_strings = child_environment(options);
  std::vector<char*> argv = pointers(argv_strings), envp = pointers(env_strings);

  int in[2], out[2], err[2];
  if (pipe(in) != 0 || pipe(out) != 0 || pipe(err) != 0) throw std::runtime_error("pipe failed");
  started_child child;
  child.started = std::chrono::steady_clock::now();
  child.pid = fork();
  if (child.pid < 0) throw std::runtime_error("fork failed");
  if (child.pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]}) close(fd);
    execve(program.c_str(), argv.data(), envp.data());
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  close(err[1]);
  child.in = in[1];
  child.out = out[0];
  child.err = err[0];
  return child;
}

// Feeds stdin and drains both outputs together, so that no pipe fills up and blocks, until
// the child closes its outputs (or is killed at the timeout). The child is not reaped.
void collect(started_child& child, const process_options& options, process_result& result) {
  signal(SIGPIPE, SIG_IGN);
  std::size_t written = 0;
  int stdin_fd = child.in;
  if (options.input.empty()) close(stdin_fd), stdin_fd = -1;
  std::array<char, 65536> buffer;
  int open_outputs = 2;
  const auto deadline = child.started + options.timeout;
  while (open_outputs > 0) {
    pollfd fds[3] = {{child.out, POLLIN, 0}, {child.err, POLLIN, 0}, {stdin_fd, POLLOUT, 0}};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      kill(child.pid, SIGKILL);
      result.timed_out = true;
      break;
    }
    poll(fds, stdin_fd >= 0 ? 3 : 2, static_cast<int>(std::min<long long>(left.count(), 1000)));
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t n = read(fds[i].fd, buffer.data(), buffer.size());
      if (n > 0) (i == 0 ? result.out : result.err).append(buffer.data(), static_cast<std::size_t>(n));
      const bool enough = i == 0 && options.close_stdout_after_lines > 0 &&
                          static_cast<std::size_t>(std::count(result.out.begin(), result.out.end(), '\n')) >=
                              options.close_stdout_after_lines;
      if (n <= 0 || enough) {
        close(fds[i].fd);
        (i == 0 ? child.out : child.err) = -1;
        --open_outputs;
      }
    }
    if (stdin_fd >= 0 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
      const ssize_t n = write(stdin_fd, options.input.data() + written, options.input.size() - written);
      if (n > 0) written += static_cast<std::size_t>(n);
      if (n <= 0 || written == options.input.size()) close(stdin_fd), stdin_fd = -1;
    }
  }
  for (int fd : {stdin_fd, child.out, child.err})
    if (fd >= 0) close(fd);
}

void take_status(int status, const started_child& child, process_result& result) {
  result.elapsed = std::chrono::steady_clock::now() - child.started;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

process_result run_process(const std::string& program, const std::vector<std::string>& args,
                           const process_options& options) {
  started_child child = start(program, args, options);
  process_result result;
  collect(child, options, result);
  int status = 0;
  waitpid(child.pid, &status, 0);
  take_status(status, child, result);
  return result;
}

struct background_process::child : started_child {};

background_process::background_process(const std::string& program, const std::vector<std::string>& args,
                                       const process_options& options)
    : child_(std::make_unique<child>(child{start(program, args, options)})) {
  collector_ = std::thread([this, options] {
    collect(*child_, options, result_);
    // Waits for the end without reaping: until reaped, the id cannot name another process.
    siginfo_t info{};
    while (waitid(P_PID, child_->pid, &info, WEXITED | WNOWAIT) != 0 && errno == EINTR) {
    }
    std::lock_guard lock(mutex_);
    int status = 0;
    waitpid(child_->pid, &status, 0);
    take_status(status, *child_, result_);
    reaped_ = true;
  });
}

background_process::~background_process() {
  signal(SIGKILL);
  if (collector_.joinable()) collector_.join();
}

void background_process::signal(int signal) {
  std::lock_guard lock(mutex_);
  if (!reaped_) kill(child_->pid, signal);
}

bool background_process::ended() const {
  std::lock_guard lock(mutex_);
  return reaped_;
}

process_result background_process::wait() {
  if (collector_.joinable()) collector_.join();
  return result_;
}

}  // namespace humm_test
