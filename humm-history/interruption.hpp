#pragma once
// Ctrl-C and SIGTERM during a batch: the first stops it cleanly (what is finished is kept,
// the exit code is 130 or 143, as a shell reports a process killed by the signal); a second
// exits at once, for a user who will not wait.

#include <boost/asio/io_context.hpp>

#include <functional>
#include <memory>
#include <string>

namespace humm_history {

class interruption {
 public:
  /// Listens on `io` (the tool's one thread): `on_first(signal)` runs for the first signal,
  /// as a handler of `io`; a second one prints `second_message` and exits with 128 + its number.
  interruption(boost::asio::io_context& io, std::function<void(int)> on_first, std::string second_message);
  ~interruption() { stop_listening(); }
  interruption(const interruption&) = delete;
  interruption& operator=(const interruption&) = delete;

  /// The first signal received, or 0.
  int received() const;
  /// 128 + the first signal: what a shell shows for a process the signal ended.
  int exit_code() const { return 128 + received(); }
  /// Back to the default actions (a signal ends the process), and lets io.run() return. A
  /// signal already received but not yet handled is then ignored: `on_first` may refer to
  /// what no longer exists.
  void stop_listening();

 private:
  struct state;
  static void wait(const std::shared_ptr<state>& s);

  std::shared_ptr<state> state_;  // shared with the pending wait, which may complete after this object is gone
};

}  // namespace humm_history
