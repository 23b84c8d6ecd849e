#pragma once
// Enumerations the API may extend: a known string maps to its enumerator, any other
// string is kept verbatim so that it is shown and re-encoded unchanged.

#include <boost/describe/enum.hpp>
#include <boost/describe/enum_to_string.hpp>
#include <boost/describe/enumerators.hpp>
#include <boost/mp11/algorithm.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace humm::analyst {

/// `E` is a described enum whose first enumerator is `unknown`.
template <class E>
class open_enum {
 public:
  open_enum() = default;
  open_enum(E value) : value_(value) {}  // NOLINT: implicit, so `status = run_status::failed` reads well

  /// Maps a wire string to its enumerator, or keeps it as an unknown value.
  static open_enum from_string(std::string_view text) {
    open_enum result;
    bool found = false;
    boost::mp11::mp_for_each<boost::describe::describe_enumerators<E>>([&](auto d) {
      if (!found && d.value != E::unknown && text == d.name) {
        result.value_ = d.value;
        found = true;
      }
    });
    if (!found) result.unknown_text_ = text;
    return result;
  }

  E value() const noexcept { return value_; }
  bool is_known() const noexcept { return value_ != E::unknown; }

  /// The wire string: the enumerator's name, or the unknown text as received.
  std::string_view str() const noexcept {
    if (unknown_text_) return *unknown_text_;
    return boost::describe::enum_to_string(value_, "unknown");
  }

  friend bool operator==(const open_enum&, const open_enum&) = default;
  friend bool operator==(const open_enum& a, E b) noexcept { return a.value_ == b; }

 private:
  E value_ = E::unknown;
  std::optional<std::string> unknown_text_;  // only for strings this version does not know
};

}  // namespace humm::analyst
