// Fuzz target: decoding from text, differential. Every input is decoded as each model that
// a response carries (schedule_history, run_details) by try_decode (the fast reader, or
// Boost.JSON's basic_parser when it gives up) and, as a reference, by boost::json::parse
// then value_to. They must agree: both accept with equal models, or both reject (with the
// same message when the text parses). A DOM cannot show a repeated key, so the harness
// finds repeated keys itself, walking its own tree of the text along the model's members:
// when a key the model reads is repeated, try_decode must reject, whatever the reference
// says. Both sides cap nesting at the same depth. A decoded model is then written both ways:
// append_json (encode.hpp) must give the bytes of serialize(value_from).

#include "json/model_reader.hpp"

#include <humm/analyst/decode.hpp>
#include <humm/analyst/encode.hpp>

#include <boost/describe/members.hpp>
#include <boost/json.hpp>
#include <boost/json/basic_parser_impl.hpp>
#include <boost/mp11/algorithm.hpp>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ha = humm::analyst;
namespace json = boost::json;

namespace {

constexpr std::size_t max_depth = ha::detail::model_reader::max_depth;

[[noreturn]] void broken(const char* rule, std::string_view text, const std::string& detail) {
  std::fprintf(stderr, "broken rule: %s\n  %s\n  input: %.*s\n", rule, detail.c_str(),
               static_cast<int>(std::min<std::size_t>(text.size(), 2000)), text.data());
  std::abort();
}

// The text as a tree that keeps every member of an object, repeated keys included.
struct node {
  json::kind kind = json::kind::null;
  std::vector<std::string> keys;  // object: the key of each child
  std::vector<node> children;     // object: member values, in order; array: elements
};

// A basic_parser handler building a node tree.
class tree_builder {
 public:
  static constexpr std::size_t max_object_size = json::object::max_size();
  static constexpr std::size_t max_array_size = json::array::max_size();
  static constexpr std::size_t max_key_size = json::string::max_size();
  static constexpr std::size_t max_string_size = json::string::max_size();

  node root;

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_object_begin(json::error_code&) { return open(json::kind::object); }
  bool on_object_end(std::size_t, json::error_code&) { return close(); }
  bool on_array_begin(json::error_code&) { return open(json::kind::array); }
  bool on_array_end(std::size_t, json::error_code&) { return close(); }
  bool on_key_part(std::string_view s, std::size_t, json::error_code&) { return key_.append(s), true; }
  bool on_key(std::string_view s, std::size_t, json::error_code&) {
    key_.append(s);
    open_.back()->keys.push_back(std::move(key_));
    key_.clear();
    return true;
  }
  bool on_string_part(std::string_view, std::size_t, json::error_code&) { return true; }
  bool on_string(std::string_view, std::size_t, json::error_code&) { return scalar(json::kind::string); }
  bool on_number_part(std::string_view, json::error_code&) { return true; }
  bool on_int64(std::int64_t, std::string_view, json::error_code&) { return scalar(json::kind::int64); }
  bool on_uint64(std::uint64_t, std::string_view, json::error_code&) { return scalar(json::kind::uint64); }
  bool on_double(double, std::string_view, json::error_code&) { return scalar(json::kind::double_); }
  bool on_bool(bool, json::error_code&) { return scalar(json::kind::bool_); }
  bool on_null(json::error_code&) { return scalar(json::kind::null); }
  bool on_comment_part(std::string_view, json::error_code&) { return true; }
  bool on_comment(std::string_view, json::error_code&) { return true; }

 private:
  // The node the next value fills: the root, or a new child of the innermost container.
  node& slot() { return open_.empty() ? root : open_.back()->children.emplace_back(); }
  bool scalar(json::kind k) {
    slot().kind = k;
    return true;
  }
  bool open(json::kind k) {
    node& n = slot();
    n.kind = k;
    open_.push_back(&n);  // stable while open: only the innermost container's children grow
    return true;
  }
  bool close() {
    open_.pop_back();
    return true;
  }
  std::vector<node*> open_;
  std::string key_;
};

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};
template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {};

// Whether any object in `n` holds a key twice (pagination keeps every key, at every level).
bool any_repeated(const node& n) {
  std::vector<std::string_view> keys(n.keys.begin(), n.keys.end());
  std::sort(keys.begin(), keys.end());
  if (std::adjacent_find(keys.begin(), keys.end()) != keys.end()) return true;
  return std::any_of(n.children.begin(), n.children.end(), any_repeated);
}

// Whether `n`, read as a T, holds a repeated key that T's decoding reads.
template <class T>
bool repeated_known_key(const node& n) {
  if constexpr (is_optional<T>::value) {
    return repeated_known_key<typename T::value_type>(n);
  } else if constexpr (is_vector<T>::value) {
    if (n.kind != json::kind::array) return false;
    return std::any_of(n.children.begin(), n.children.end(),
                       [](const node& e) { return repeated_known_key<typename T::value_type>(e); });
  } else if constexpr (std::is_same_v<T, ha::pagination>) {
    return n.kind == json::kind::object && any_repeated(n);
  } else if constexpr (boost::describe::has_describe_members<T>::value) {
    if (n.kind != json::kind::object) return false;
    bool found = false;
    boost::mp11::mp_for_each<boost::describe::describe_members<T, boost::describe::mod_public>>([&](auto d) {
      using member_type = std::remove_cvref_t<decltype(std::declval<T&>().*d.pointer)>;
      std::size_t count = 0;
      for (std::size_t i = 0; i < n.keys.size(); ++i) {
        if (n.keys[i] != d.name) continue;
        ++count;
        found = found || repeated_known_key<member_type>(n.children[i]);
      }
      found = found || count > 1;
    });
    return found;
  } else {
    return false;  // a scalar
  }
}

json::parse_options reference_options() {
  json::parse_options options;
  options.max_depth = max_depth;
  return options;
}

template <class T>
void check(std::string_view text) {
  const ha::decode_result<T> ours = ha::try_decode<T>(text);

  json::error_code ec;
  const json::value dom = json::parse(text, ec, {}, reference_options());
  if (ec) {
    if (ours) broken("text the reference cannot parse is decoded", text, ec.message());
    return;
  }
  json::basic_parser<tree_builder> tree_parser(reference_options());
  tree_parser.write_some(false, text.data(), text.size(), ec);
  if (ec) broken("the harness's tree parser disagrees with json::parse", text, ec.message());
  if (repeated_known_key<T>(tree_parser.handler().root)) {
    if (ours) broken("a repeated known key is accepted", text, "");
    if (ours.error().reason != "repeated key" && ours.error().reason.find("expected") != 0 &&
        ours.error().reason != "required field is missing")
      broken("an unexpected reason for a page with a repeated key", text, ours.error().message());
    return;
  }

  std::optional<T> reference;
  std::string reference_error;
  try {
    reference = json::value_to<T>(dom);
  } catch (const ha::decode_error& e) {
    reference_error = e.what();
  }
  if (ours.has_value() != reference.has_value())
    broken("text and DOM decoding disagree on acceptance", text,
           ours ? "DOM: " + reference_error : "text: " + ours.error().message());
  if (ours) {
    if (!(*ours == *reference))
      broken("text and DOM decoding give different models", text,
             json::serialize(json::value_from(*ours)) + " != " + json::serialize(json::value_from(*reference)));
    // value_from writes what value_to reads back.
    if (!(json::value_to<T>(json::value_from(*ours)) == *ours)) broken("a decoded model does not round-trip", text, "");
    std::string written;
    ha::append_json(written, *ours);
    if (written != json::serialize(json::value_from(*ours)))
      broken("append_json and serialize(value_from) write different bytes", text, written);
  } else if (ours.error().message() != reference_error) {
    broken("text and DOM decoding fail differently", text, ours.error().message() + " | " + reference_error);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  check<ha::schedule_history>(text);
  check<ha::run_details>(text);
  return 0;
}
