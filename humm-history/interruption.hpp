#pragma once
// Ctrl-C and SIGTERM during a batch: the first stops it cleanly (what is finished is kept,
// the exit code is 130 or 143, as a shell reports a process killed by the signal); a second
// exits at once, for a user who will not wait.

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <functional>
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
  int received() const { return first_; }
  /// 128 + the first signal: what a shell shows for a process the signal ended.
  int exit_code() const { return 128 + first_; }
  /// "SIGINT" or "SIGTERM", for messages.
  std::string name() const;
  /// Back to the default actions (the signal ends the process), and lets io.run() return.
  void stop_listening();

 private:
  void wait();

  boost::asio::signal_set signals_;
  std::function<void(int)> on_first_;
  std::string second_message_;
  int first_ = 0;
};

}  // namespace humm_history
