#pragma once
// Decoding response bodies into models: a throwing and a non-throwing form, both naming
// the JSON path and the reason of a failure, e.g.
//   runs[3].started_at: expected an RFC 3339 date-time, got "yesterday"

#include <humm/analyst/error.hpp>
#include <humm/analyst/models.hpp>

#include <boost/json/value.hpp>
#include <boost/system/result.hpp>

#include <string>
#include <string_view>
#include <system_error>

namespace humm::analyst {

/// Where and why a decode failed. `path` is empty for the document root and for text
/// that is not JSON (then `reason` gives the line and column).
struct decode_failure {
  std::string path;
  std::string reason;

  /// "path: reason", or just the reason at the root.
  std::string message() const;
};

/// Thrown by `boost::json::value_to` on the models and by `decode`; code() is errc::decode.
class decode_error : public std::system_error {
 public:
  explicit decode_error(decode_failure failure);
  const char* what() const noexcept override { return what_.c_str(); }  ///< "path: reason"
  const decode_failure& failure() const noexcept { return failure_; }

 private:
  decode_failure failure_;
  std::string what_;
};

template <class T>
using decode_result = boost::system::result<T, decode_failure>;

/// Lets `decode_result<T>::value()` throw decode_error.
[[noreturn]] void throw_exception_from_error(const decode_failure& failure,
                                             const boost::source_location& location);

// try_decode is defined in the library for each model of HUMM_ANALYST_FOR_EACH_MODEL (models.hpp).

/// Decodes a parsed JSON value, never throwing for bad input. A boost::json::value cannot
/// hold a key twice (the parser that built it kept one of them, Boost.JSON's the last), so
/// the repeated-key rule below has nothing to see here.
template <class T>
decode_result<T> try_decode(const boost::json::value& json);

/// Parses and decodes JSON text, never throwing for bad input. Text that is not JSON fails
/// with its line and column. A key that a model reads (a member of a model, or any key of
/// `pagination`, which keeps them all) given twice in one object fails, naming it
/// ("runs[2].status: repeated key"): readers disagree on which of the two counts, and none
/// should have to guess (as in RFC 7493, I-JSON). Repeated unknown keys are skipped, as any
/// unknown key is. Both forms fail on containers nested deeper than 1000 levels, naming the
/// member that holds them ("runs[0].trace: nested deeper than 1000 levels").
template <class T>
decode_result<T> try_decode(std::string_view json_text);

/// The throwing forms: decode_error on bad input.
template <class T>
T decode(const boost::json::value& json) {
  return try_decode<T>(json).value();
}
template <class T>
T decode(std::string_view json_text) {
  return try_decode<T>(json_text).value();
}

}  // namespace humm::analyst
