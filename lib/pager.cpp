// Walks: a window of page requests kept ahead of the consumer, pages handed out strictly in
// offset order, requests cancelled when the walk is abandoned.
//
// Without a known total, the page after k is only known once page k has arrived (a chain:
// one page ahead). Once a page tells the total, the offsets ahead are known too and up to
// max_in_flight of them are requested at once, at the stride the first page showed (so a
// server that silently clamps the page size leaves no gaps).

#include <humm/analyst/pager.hpp>

#include "sansio/pagination.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <set>
#include <mutex>

namespace humm::analyst {
namespace asio = boost::asio;

namespace detail {

class walk_state : public std::enable_shared_from_this<walk_state> {
 public:
  walk_state(client& c, std::string schedule_id, walk_options options)
      : client_(c),
        schedule_id_(std::move(schedule_id)),
        options_(std::move(options)),
        window_(std::max<std::size_t>({options_.prefetch, options_.max_in_flight, 1})),
        wake_(c.get_executor(), window_ + 2),
        next_yield_(options_.start_offset) {
    stats_.next_offset = next_yield_;
  }

  asio::awaitable<std::optional<history_page>> next() {
    for (;;) {
      {
        std::unique_lock lock(mutex_);
        if (!started_) {
          started_ = true;
          pending_.insert(next_yield_);
          fill_window();
        }
        if (next_yield_ >= end_) co_return std::nullopt;
        auto it = slots_.find(next_yield_);
        if (it != slots_.end() && it->second.done) {
          slot arrived = std::move(it->second);
          slots_.erase(it);
          if (arrived.code) fail(arrived.code, std::move(arrived.details));
          if (!older_than_yielded(arrived)) co_return yield(std::move(arrived));
          pending_.insert(next_yield_);  // fetch it again: see older_than_yielded
          fill_window();
        }
      }
      auto [ec] = co_await wake_.async_receive(asio::as_tuple(asio::use_awaitable));
      if (ec) {
        cancel_all();
        error_details details;
        details.message = "the walk was cancelled";
        details.resume_offset = next_yield_;
        throw api_error(errc::cancelled, std::move(details));
      }
    }
  }

  void cancel_all() {
    std::lock_guard lock(mutex_);
    end_ = std::min(end_, next_yield_);  // nothing more will be handed out
    pending_.clear();
    for (auto& [offset, s] : slots_)
      if (!s.done) s.cancel->emit(asio::cancellation_type::terminal);
  }

  walk_stats stats() const {
    std::lock_guard lock(mutex_);
    return stats_;
  }

 private:
  struct slot {
    bool done = false;
    std::error_code code;
    error_details details;
    schedule_history page;
    std::unique_ptr<asio::cancellation_signal> cancel = std::make_unique<asio::cancellation_signal>();
    std::uint64_t sequence = 0;  // the order in which pages were answered
  };

  // Called with the lock held. Throws the failure of the page the consumer is waiting for.
  [[noreturn]] void fail(std::error_code code, error_details details) {
    details.resume_offset = next_yield_;
    end_ = next_yield_;
    pending_.clear();
    for (auto& [offset, s] : slots_)
      if (!s.done) s.cancel->emit(asio::cancellation_type::terminal);
    throw api_error(code, std::move(details));
  }

  // Called with the lock held, for the page at next_yield_.
  history_page yield(slot arrived) {
    const std::int64_t offset = next_yield_;
    const continuation c = continue_after(offset, options_.page_size, arrived.page);
    if (repeats_previous(arrived.page)) {
      error_details details;
      details.message = "the server returned the same page again at offset " + std::to_string(offset) +
                        ": the walk cannot advance";
      fail(errc::repeated_page, std::move(details));
    }
    next_yield_ = c.last ? offset + static_cast<std::int64_t>(arrived.page.runs.size()) : c.next_offset;
    if (c.last) end_ = std::min(end_, next_yield_);
    drop_slots_before(next_yield_);
    if (const auto total = arrived.page.pagination.total()) yielded_total_ = std::max(yielded_total_.value_or(0), *total);
    last_yielded_sequence_ = arrived.sequence;
    ++stats_.pages;
    stats_.runs += arrived.page.runs.size();
    stats_.next_offset = next_yield_;
    fill_window();
    return {offset, std::move(arrived.page)};
  }

  // Pages fetched in parallel can be answered out of order. A page answered before new runs
  // were created, handed out after a lower page answered after them, would skip the runs
  // the creation pushed across the boundary between the two: it was answered before the
  // page handed out last, and its smaller total gives it away. (A page fetched again is
  // answered later, so a shrinking history cannot make this loop.)
  bool older_than_yielded(const slot& s) const {
    const auto total = s.page.pagination.total();
    return s.sequence < last_yielded_sequence_ && total && yielded_total_ && *total < *yielded_total_;
  }

  // Pages requested at a stride that turned out wrong (a short page in the middle) are
  // never handed out: drop them so that they do not hold the window.
  // A request still running keeps its cancellation signal (the operation refers to it)
  // until arrived() retires it.
  void drop_slots_before(std::int64_t offset) {
    for (auto it = slots_.begin(); it != slots_.end() && it->first < offset;) {
      if (!it->second.done) {
        it->second.cancel->emit(asio::cancellation_type::terminal);
        dropped_.emplace(it->first, std::move(it->second.cancel));
      }
      it = slots_.erase(it);
    }
  }

  // A server that ignores the offset hands out the same runs again. (New runs shift pages
  // too, but a whole page's worth between two requests would take days at one run per
  // 15 minutes.)
  bool repeats_previous(const schedule_history& page) {
    std::vector<uuid> ids;
    ids.reserve(page.runs.size());
    for (const auto& run : page.runs) ids.push_back(run.id);
    const bool repeated = !ids.empty() && ids == previous_ids_;
    previous_ids_ = std::move(ids);
    return repeated;
  }

  // Called with the lock held: requests whatever the window allows now.
  void fill_window() {
    const std::size_t max_in_flight = std::max<std::size_t>(1, options_.max_in_flight);
    while (slots_.size() < window_ && in_flight_ < max_in_flight) {
      std::int64_t offset;
      if (!pending_.empty()) {
        offset = *pending_.begin();
        pending_.erase(pending_.begin());
      } else if (total_ && stride_ > 0 && std::max(highest_requested_ + stride_, next_yield_) < std::min(end_, *total_)) {
        offset = std::max(highest_requested_ + stride_, next_yield_);
        highest_requested_ = offset;  // advances even when the offset is skipped below
      } else {
        return;
      }
      if (offset >= end_ || offset < next_yield_ || slots_.count(offset)) continue;
      launch(offset);
    }
  }

  // Called with the lock held.
  void launch(std::int64_t offset) {
    slot& s = slots_[offset];
    ++in_flight_;
    highest_requested_ = std::max(highest_requested_, offset);
    auto details = std::make_shared<error_details>();
    history_query query{options_.organization_id, options_.page_size, offset, options_.call};
    client_.async_get_schedule_history(
        schedule_id_, std::move(query),
        asio::bind_cancellation_slot(s.cancel->slot(),
                                     [self = shared_from_this(), offset, details](boost::system::error_code ec,
                                                                                  schedule_history page) {
                                       self->arrived(offset, ec, std::move(*details), std::move(page));
                                     }),
        details.get());
  }

  void arrived(std::int64_t offset, std::error_code code, error_details details, schedule_history page) {
    {
      std::lock_guard lock(mutex_);
      --in_flight_;
      ++stats_.requests;
      dropped_.erase(offset);
      auto it = slots_.find(offset);
      if (it == slots_.end()) return;
      slot& s = it->second;
      s.done = true;
      s.sequence = ++answers_;
      s.code = code;
      s.details = std::move(details);
      if (!code) {
        const continuation c = continue_after(offset, options_.page_size, page);
        // The total grows while new runs are created: the largest seen bounds the fan-out;
        // only a last page ends the walk.
        if (c.total) stats_.total = total_ = std::max(total_.value_or(0), *c.total);
        if (c.last) {
          end_ = std::min(end_, offset + static_cast<std::int64_t>(page.runs.size()));
        } else {
          if (stride_ == 0) stride_ = static_cast<std::int64_t>(page.runs.size());
          if (!slots_.count(c.next_offset)) pending_.insert(c.next_offset);
        }
        s.page = std::move(page);
      }
      fill_window();
    }
    wake_.try_send(boost::system::error_code{});
  }

  client& client_;
  const std::string schedule_id_;
  const walk_options options_;
  const std::size_t window_;  // pages requested and not yet handed out, at most
  asio::experimental::concurrent_channel<void(boost::system::error_code)> wake_;

  mutable std::mutex mutex_;  // guards everything below
  bool started_ = false;
  std::int64_t next_yield_;                                         // the next page handed out
  std::int64_t end_ = std::numeric_limits<std::int64_t>::max();     // no page starts here or after
  std::optional<std::int64_t> total_;
  std::optional<std::int64_t> yielded_total_;  // the largest total of the pages handed out
  std::uint64_t last_yielded_sequence_ = 0;
  std::uint64_t answers_ = 0;
  std::int64_t stride_ = 0;  // runs per full page, learned from the first page
  std::int64_t highest_requested_ = -1;
  std::size_t in_flight_ = 0;
  std::set<std::int64_t> pending_;     // offsets known to be needed, not yet requested
  std::map<std::int64_t, slot> slots_; // requested pages, in flight or waiting for the consumer
  std::map<std::int64_t, std::unique_ptr<asio::cancellation_signal>> dropped_;  // still running
  std::vector<uuid> previous_ids_;
  walk_stats stats_;
};

}  // namespace detail

page_stream::page_stream(std::shared_ptr<detail::walk_state> state) : state_(std::move(state)) {}
page_stream::page_stream(page_stream&&) noexcept = default;
page_stream& page_stream::operator=(page_stream&& other) noexcept {
  if (state_ && state_ != other.state_) state_->cancel_all();
  state_ = std::move(other.state_);
  return *this;
}
page_stream::~page_stream() {
  if (state_) state_->cancel_all();
}

asio::awaitable<std::optional<history_page>> page_stream::next() {
  auto state = state_;  // the walk lives while this call runs, even if the stream is moved or destroyed
  co_return co_await state->next();
}
walk_stats page_stream::stats() const { return state_->stats(); }

bool detail::repeated_runs::check(const uuid& id) {
  // The first eight bytes are compared first: random in the API's ids, they rule out nearly
  // every other id in one comparison.
  auto head = [](const uuid& u) {
    std::uint64_t word;
    std::memcpy(&word, u.data, sizeof word);
    return word;
  };
  const std::uint64_t wanted = head(id);
  const bool repeated =
      std::any_of(ids_.begin(), ids_.end(), [&](const uuid& seen) { return head(seen) == wanted && seen == id; });
  ids_.push_back(id);
  ++page_sizes_.back();
  repeats_ += repeated;
  return repeated;
}

void detail::repeated_runs::end_page() {
  page_sizes_.push_back(0);  // the next page's
  if (page_sizes_.size() > remembered_pages + 1) {
    ids_.erase(ids_.begin(), ids_.begin() + static_cast<std::ptrdiff_t>(page_sizes_.front()));
    page_sizes_.erase(page_sizes_.begin());
  }
}

run_stream::run_stream(page_stream pages) : pages_(std::move(pages)) {}

asio::awaitable<std::optional<command_run>> run_stream::next() {
  for (;;) {
    if (current_ && index_ < current_->history.runs.size()) {
      command_run& run = current_->history.runs[index_++];
      if (repeats_.check(run.id)) continue;
      ++runs_;
      co_return std::move(run);
    }
    if (current_) repeats_.end_page();
    current_ = co_await pages_.next();
    index_ = 0;
    if (!current_) co_return std::nullopt;
  }
}

walk_stats run_stream::stats() const {
  walk_stats s = pages_.stats();
  s.runs = runs_;
  s.duplicates_skipped = repeats_.count();
  return s;
}

page_stream client::history_pages(std::string schedule_id, walk_options options) {
  return page_stream(std::make_shared<detail::walk_state>(*this, std::move(schedule_id), std::move(options)));
}

run_stream client::history_runs(std::string schedule_id, walk_options options) {
  return run_stream(history_pages(std::move(schedule_id), std::move(options)));
}

}  // namespace humm::analyst
