#pragma once
// Appending to a std::string through a plain pointer: room is made once for the most the text
// can take, bytes are stored without a capacity check each, and the string is cut to what was
// written at the end. The writers of encode.hpp spend most of their time here, so each byte
// costs a store rather than a call. Writers pass the pointer along and return it advanced: a
// pointer kept in an object would be reloaded after every store (a char may alias anything).

#include <cassert>
#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

namespace humm::analyst::detail {

/// Stores `text` at `p`; returns the byte after it. An empty view may have no data at all,
/// which memcpy must not be given.
inline char* put(char* p, std::string_view text) noexcept {
  if (!text.empty()) std::memcpy(p, text.data(), text.size());
  return p + text.size();
}

class bounded_append {
 public:
  /// Makes room for `room` bytes past the end of `out`; begin() is where they go.
  bounded_append(std::string& out, std::size_t room) : out_(out), end_(out.size()) { out.resize(end_ + room); }
  /// Cuts `out` to what finish() was given: to what it held before, when a writer threw.
  ~bounded_append() { out_.resize(end_); }
  bounded_append(const bounded_append&) = delete;
  bounded_append& operator=(const bounded_append&) = delete;

  char* begin() noexcept { return out_.data() + end_; }
  /// Takes the end of what was written. A writer that went past its room would be a bug of
  /// its bound: debug builds (the sanitizers' tests) stop there.
  void finish(char* end) noexcept {
    assert(offset_of(end) <= out_.size());
    end_ = offset_of(end);
  }

  /// Appends text of a length not known in advance, at `p`, through `append_to(std::string&)`;
  /// keeps the room that was left for what follows. Returns where the next byte goes.
  template <class AppendTo>
  char* put_unbounded(char* p, AppendTo&& append_to) {
    const std::size_t room_left = out_.size() - offset_of(p);
    out_.resize(offset_of(p));
    append_to(out_);
    const std::size_t used = out_.size();
    out_.resize(used + room_left);
    return out_.data() + used;
  }

 private:
  std::size_t offset_of(const char* p) const noexcept { return static_cast<std::size_t>(p - out_.data()); }

  std::string& out_;
  std::size_t end_;
};

}  // namespace humm::analyst::detail
