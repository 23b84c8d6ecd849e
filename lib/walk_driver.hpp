#pragma once
// The thin coroutine that carries out a walk_plan (sansio/walk_plan.hpp): it requests pages
// through the client's call loop, cancels them, hands pages out through the run_ledger, and
// throws what the plan decides. Everything it does runs on one serial executor, so a page's
// request, its cancellation and its answer never race; page_stream reaches it through
// async/run_on.hpp.

#include "client_core.hpp"
#include "sansio/run_ledger.hpp"
#include "sansio/walk_plan.hpp"

#include <humm/analyst/walk.hpp>

#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/experimental/channel.hpp>

#include <map>
#include <memory>
#include <mutex>
#include <optional>

namespace humm::analyst::detail {

class walk_driver : public std::enable_shared_from_this<walk_driver> {
 public:
  /// `executor` must run one handler at a time. Arguments are checked here; a problem makes
  /// the first next() throw errc::invalid_argument.
  walk_driver(std::shared_ptr<client_core> core, asio::any_io_executor executor, std::string schedule_id,
              walk_options options);

  const asio::any_io_executor& executor() const noexcept { return executor_; }

  /// On executor(): the next page, nullopt after the last; throws api_error. One at a time.
  /// A cancellation of the awaiting coroutine cancels the walk. It awaits nothing but the
  /// next answer, so it may run inside the consumer's own coroutine (whose throw_if_cancelled
  /// setting then applies, as to any operation it awaits).
  asio::awaitable<std::optional<history_page>> next();
  /// The same as a coroutine of its own (spawned by async/run_on.hpp), whose cancellation
  /// ends in api_error, never in Asio's operation_aborted.
  asio::awaitable<std::optional<history_page>> next_on_its_own();

  /// On executor(): the consumer is gone; cancels the requests in flight.
  void abandon();

  /// From any thread.
  walk_stats stats() const;

 private:
  void keep_window_full();
  void launch(std::int64_t offset);
  void cancel_request(std::int64_t offset);
  void on_answer(std::int64_t offset, std::exception_ptr failure, outcome<schedule_history> result);
  std::optional<history_page> hand_out(std::int64_t offset);
  [[noreturn]] void throw_failure(const walk_failure& failure);

  const std::shared_ptr<client_core> core_;
  const asio::any_io_executor executor_;
  const walk_options options_;
  uuid schedule_id_{};
  const std::string schedule_text_;  // as given, for the observer
  std::optional<std::string> argument_problem_;

  walk_plan plan_;
  run_ledger ledger_;
  std::map<std::int64_t, std::unique_ptr<asio::cancellation_signal>> requests_;  // in flight
  std::map<std::int64_t, history_page> answered_;         // pages kept for the consumer
  std::map<std::int64_t, error_details> failed_details_;  // why a page's request failed
  // Wakes next() when an answer arrives; a receive cancelled by the consumer cancels the walk.
  // (After a cancelled receive a Boost 1.81 channel drops later try_sends: harmless here, as
  // a cancelled walk never waits again.)
  asio::experimental::channel<void(boost::system::error_code)> wake_;

  mutable std::mutex stats_mutex_;  // stats() may be called from any thread
  walk_stats stats_;
};

}  // namespace humm::analyst::detail
