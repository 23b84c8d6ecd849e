// page_stream and run_stream: the consumer's side of a walk, reaching the walk's driver on
// its own executor through async/run_on.hpp.

#include <humm/analyst/walk.hpp>

#include "async/run_on.hpp"
#include "walk_driver.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/this_coro.hpp>

namespace humm::analyst {

namespace asio = boost::asio;

namespace {

void abandon(const std::shared_ptr<detail::walk_driver>& driver) {
  if (driver) asio::dispatch(driver->executor(), [driver] { driver->abandon(); });
}

}  // namespace

page_stream::page_stream(std::shared_ptr<detail::walk_driver> driver) : driver_(std::move(driver)) {}
page_stream::page_stream(page_stream&&) noexcept = default;
page_stream& page_stream::operator=(page_stream&& other) noexcept {
  if (driver_ != other.driver_) abandon(driver_);
  driver_ = std::move(other.driver_);
  return *this;
}
page_stream::~page_stream() { abandon(driver_); }

asio::awaitable<std::optional<history_page>> page_stream::next() {
  auto driver = driver_;  // the walk lives while this call runs, even if the stream is moved or destroyed
  // On the walk's own executor (a single-threaded client, walk_schedules' workers) no hop is
  // needed, and a page costs a coroutine spawn less.
  if ((co_await asio::this_coro::executor) == driver->executor()) co_return co_await driver->next();
  co_return co_await detail::run_on(driver->executor(), driver->next_on_its_own());
}

walk_stats page_stream::stats() const { return driver_->stats(); }

run_stream::run_stream(page_stream pages) : pages_(std::move(pages)) {}

asio::awaitable<std::optional<command_run>> run_stream::next() {
  for (;;) {
    if (current_ && index_ < current_->history.runs.size()) {
      ++runs_;
      co_return std::move(current_->history.runs[index_++]);
    }
    current_ = co_await pages_.next();
    index_ = 0;
    if (!current_) co_return std::nullopt;
  }
}

walk_stats run_stream::stats() const {
  walk_stats s = pages_.stats();
  s.runs = runs_;  // handed to this consumer, which may stop in the middle of a page
  return s;
}

}  // namespace humm::analyst
