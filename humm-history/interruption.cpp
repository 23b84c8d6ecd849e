// The first and the second SIGINT or SIGTERM of a batch (interruption.hpp).

#include "interruption.hpp"

#include "text.hpp"

#include <csignal>
#include <cstdlib>
#include <iostream>

namespace humm_history {

interruption::interruption(boost::asio::io_context& io, std::function<void(int)> on_first, std::string second_message)
    : signals_(io, SIGINT, SIGTERM), on_first_(std::move(on_first)), second_message_(std::move(second_message)) {
  wait();
}

void interruption::wait() {
  // `this` is touched only when a signal came: a wait cancelled by stop_listening() may
  // complete after this object is gone.
  signals_.async_wait([this](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    if (first_ != 0) {
      std::cerr << message_line(second_message_) << std::endl;
      std::_Exit(128 + signal);
    }
    first_ = signal;
    wait();  // before on_first_, so that a second signal is caught however long the first takes
    on_first_(signal);
  });
}

std::string interruption::name() const { return first_ == SIGTERM ? "SIGTERM" : "SIGINT"; }

void interruption::stop_listening() {
  boost::system::error_code ignored;
  signals_.clear(ignored);  // restores the default actions
  signals_.cancel(ignored);
}

}  // namespace humm_history
