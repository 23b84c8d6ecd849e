#pragma once
// Reads the models from JSON events, as boost::json::basic_parser (or, for the usual
// documents, the faster json/json_reader.hpp) produces them while it parses: a body
// becomes models in one pass over its bytes, with no DOM in between. A
// parsed boost::json::value is read by replaying it as events (replay()), so that both
// paths share every decoding rule (the README's "What decoding promises"): unknown keys
// ignored, missing or null optional members absent, documented defaults kept, a key read
// twice in one object rejected, nesting capped at max_depth, and a failure named by its
// JSON path.
//
// After a failure the reader ignores the rest, so that the parser still finds a syntax
// error further on (text that is not JSON is reported as such first).

#include <humm/analyst/decode.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_stack.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace humm::analyst::detail {

/// One JSON value as a reader's rules see it: a scalar, or the kind of container that
/// stands where a scalar was expected (for the message).
struct json_scalar {
  boost::json::kind kind = boost::json::kind::null;
  std::string_view text;  ///< a string's characters
  union {
    std::int64_t int64;
    std::uint64_t uint64;
    double double_;
    bool bool_;
  } number{0};  ///< the member that `kind` names
};

class model_reader;

/// What one C++ type does with the JSON value meant for it.
struct sink_ops {
  bool (*scalar)(void* target, const json_scalar& value, std::string& reason);  ///< false: reason says why
  void (*open_object)(model_reader& reader, void* target);  ///< nullptr: an object is wrong here
  void (*open_array)(model_reader& reader, void* target);   ///< nullptr: an array is wrong here
};

/// Where the next JSON value goes.
struct sink {
  const sink_ops* ops = nullptr;
  void* target = nullptr;
};

/// One member of a model: its JSON key, where its value goes, and what happens when the
/// key is missing (`missing`) or null.
struct member_rule {
  std::string_view key;
  sink (*value)(void* model);
  bool (*absent)(void* model, bool missing, std::string& reason);
};

struct member_table {
  const member_rule* rules;
  std::size_t size;
};

/// The sink of a whole model; defined for each model of HUMM_ANALYST_FOR_EACH_MODEL.
template <class T>
sink model_sink(T& model);

/// A handler for boost::json::basic_parser that fills a model.
class model_reader {
 public:
  static constexpr std::size_t max_object_size = boost::json::object::max_size();
  static constexpr std::size_t max_array_size = boost::json::array::max_size();
  static constexpr std::size_t max_key_size = boost::json::string::max_size();
  static constexpr std::size_t max_string_size = boost::json::string::max_size();
  /// Containers nested in one another, at most, counting the root: far beyond any page, and
  /// low enough that a hostile one costs no unbounded stack (the parser recurses per level).
  /// Parsers that read text for this reader stop one level deeper (parser_max_depth), so
  /// that this reader is the one that names the place.
  static constexpr std::size_t max_depth = 1000;
  static constexpr std::size_t parser_max_depth = max_depth + 1;

  explicit model_reader(sink root) : root_(root) { stack_.reserve(8); }  // deeper than any model

  bool failed() const noexcept { return failed_; }
  decode_failure take_failure() { return std::move(failure_); }

  // Called by the sinks of containers.
  void push_model(const member_table& table, void* model);
  void push_array(void* vector, sink (*element)(void* vector));
  void push_skip();
  void push_dom(boost::json::object* destination);

  // The basic_parser handler interface.
  bool on_document_begin(boost::json::error_code&) { return true; }
  bool on_document_end(boost::json::error_code&) { return true; }
  bool on_object_begin(boost::json::error_code&);
  bool on_object_end(std::size_t size, boost::json::error_code&);
  bool on_array_begin(boost::json::error_code&);
  bool on_array_end(std::size_t size, boost::json::error_code&);
  bool on_key_part(std::string_view part, std::size_t, boost::json::error_code&);
  bool on_key(std::string_view part, std::size_t, boost::json::error_code&);
  bool on_string_part(std::string_view part, std::size_t, boost::json::error_code&);
  bool on_string(std::string_view part, std::size_t, boost::json::error_code&);
  bool on_number_part(std::string_view, boost::json::error_code&) { return true; }
  bool on_int64(std::int64_t i, std::string_view, boost::json::error_code&);
  bool on_uint64(std::uint64_t u, std::string_view, boost::json::error_code&);
  bool on_double(double d, std::string_view, boost::json::error_code&);
  bool on_bool(bool b, boost::json::error_code&);
  bool on_null(boost::json::error_code&);
  bool on_comment_part(std::string_view, boost::json::error_code&) { return true; }
  bool on_comment(std::string_view, boost::json::error_code&) { return true; }

  // For a reader that can check a key's raw bytes before it scans them (json_reader): the
  // key the open model expects next, the member after the last one read (empty when no
  // model is open), and taking it as read, on_key without the search. Keys are C++ member
  // names, so their raw bytes never hold an escape.
  std::string_view expected_key() const noexcept {
    if (failed_ || stack_.empty() || stack_.back().kind != frame_kind::model) return {};
    const frame& top = stack_.back();
    return top.table->rules[top.next].key;
  }
  void on_expected_key() { take_member(stack_.back(), stack_.back().next); }

 private:
  enum class frame_kind : std::uint8_t { model, array, skip, dom };

  // One open container, and where its values go.
  struct frame {
    frame_kind kind = frame_kind::model;
    void* target = nullptr;                      // model, array: the C++ object filled
    const member_table* table = nullptr;         // model
    std::size_t member = 0;                      // model: the rule of the key just read
    std::size_t next = 0;                        // model: the rule tried first for the next key
    std::string_view key;                        // model: the key just read, for paths
    std::uint64_t seen = 0;                      // model: the members met, by rule index
    sink (*element)(void* vector) = nullptr;     // array: appends an element
    std::size_t elements = 0;                    // array: elements begun
    boost::json::object* destination = nullptr;  // dom
    std::size_t depth = 0;                       // skip, dom: containers open
  };

  sink next_sink(frame& top);
  void select_member(frame& model, std::string_view key);
  void take_member(frame& model, std::size_t rule) {
    model.member = rule;
    model.key = model.table->rules[rule].key;
    model.next = rule + 1 == model.table->size ? 0 : rule + 1;
    const std::uint64_t bit = std::uint64_t{1} << rule;
    if (model.seen & bit) [[unlikely]]
      return fail("repeated key");
    model.seen |= bit;
  }
  void open_dom_level(bool is_object);
  bool close_dom_level(bool is_object);
  void value(const json_scalar& v);
  void collect(const json_scalar& v);  // a scalar inside a subtree collected as a DOM
  void open(bool is_object);
  void close(std::size_t size, bool is_object);
  // Fails at the value being read. Inside a collected DOM the path goes down to that value,
  // or names its first `dom_levels_named` levels only (too deep a nesting: by the member
  // that holds it, as for a skipped subtree).
  void fail(std::string reason, std::size_t dom_levels_named = static_cast<std::size_t>(-1));

  sink root_;
  bool failed_ = false;
  decode_failure failure_;
  std::vector<frame> stack_;
  std::size_t depth_ = 0;    // containers open
  std::string unknown_key_;  // the unknown key of the open model, for the path of a skipped subtree
  // The containers open inside a collected DOM (pagination), and the keys met in its open
  // objects, level after level: for repeated keys and for paths.
  struct dom_level {
    bool is_object = false;
    std::size_t first_key = 0;  // object: its first key in dom_keys_
    std::size_t elements = 0;   // array: elements begun
  };
  std::vector<dom_level> dom_levels_;
  std::vector<std::string> dom_keys_;
  std::string key_buffer_, string_buffer_;  // keys and strings that arrive in parts
  // Room for the DOM collection's working stack (pagination's few members need no more), so
  // that only the collected object itself is allocated.
  unsigned char dom_scratch_[512];
  boost::json::value_stack dom_{{}, dom_scratch_, sizeof dom_scratch_};
};

/// Feeds a parsed value to `reader` as the parser's events would.
void replay(const boost::json::value& value, model_reader& reader);

}  // namespace humm::analyst::detail
