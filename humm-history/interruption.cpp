// The first and the second SIGINT or SIGTERM of a batch (interruption.hpp).

#include "interruption.hpp"

#include "text.hpp"

#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <cstdlib>
#include <iostream>

namespace humm_history {

struct interruption::state {
  state(boost::asio::io_context& io, std::function<void(int)> first_handler, std::string second)
      : signals(io, SIGINT, SIGTERM), on_first(std::move(first_handler)), second_message(std::move(second)) {}

  boost::asio::signal_set signals;
  std::function<void(int)> on_first;
  std::string second_message;
  int first = 0;
  bool listening = true;
};

interruption::interruption(boost::asio::io_context& io, std::function<void(int)> on_first, std::string second_message)
    : state_(std::make_shared<state>(io, std::move(on_first), std::move(second_message))) {
  wait(state_);
}

void interruption::wait(const std::shared_ptr<state>& s) {
  s->signals.async_wait([s](const boost::system::error_code& ec, int signal) {
    if (ec || !s->listening) return;
    if (s->first != 0) {
      std::cerr << message_line(s->second_message) << std::endl;
      std::_Exit(128 + signal);
    }
    s->first = signal;
    wait(s);  // before on_first, so that a second signal is caught however long the first takes
    s->on_first(signal);
  });
}

int interruption::received() const { return state_->first; }

void interruption::stop_listening() {
  if (!state_->listening) return;
  state_->listening = false;
  boost::system::error_code ignored;
  state_->signals.clear(ignored);  // restores the default actions
  state_->signals.cancel(ignored);
}

}  // namespace humm_history
