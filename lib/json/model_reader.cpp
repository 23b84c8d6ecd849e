// model_reader (model_reader.hpp): the sinks that say what each C++ type of the models does
// with its JSON value, the member tables built once per model from its description, and the
// event handler that walks them.

#include "json/model_reader.hpp"

#include "json/short_equal.hpp"

#include <boost/describe/members.hpp>
#include <boost/json/serialize.hpp>
#include <boost/mp11/algorithm.hpp>

#include <algorithm>
#include <array>
#include <tuple>
#include <type_traits>

namespace humm::analyst::detail {
namespace {

namespace json = boost::json;

// ---- leaf values ------------------------------------------------------------------------

// How an offending value is shown in a reason: strings quoted and shortened, others by kind.
std::string describe(const json_scalar& v) {
  switch (v.kind) {
    case json::kind::string: {
      constexpr std::size_t max_shown = 60;
      if (v.text.size() <= max_shown) return json::serialize(v.text);
      return json::serialize(v.text.substr(0, max_shown)) + "...";
    }
    case json::kind::object: return "an object";
    case json::kind::array: return "an array";
    case json::kind::null: return "null";
    case json::kind::int64: return "the number or boolean " + json::serialize(json::value(v.number.int64));
    case json::kind::uint64: return "the number or boolean " + json::serialize(json::value(v.number.uint64));
    case json::kind::double_: return "the number or boolean " + json::serialize(json::value(v.number.double_));
    case json::kind::bool_: return v.number.bool_ ? "the number or boolean true" : "the number or boolean false";
  }
  return "a value";  // every kind is handled above
}

bool expected(std::string& reason, std::string_view what, const json_scalar& v) {
  reason = "expected " + std::string(what) + ", got " + describe(v);
  return false;
}

bool read(const json_scalar& v, std::string& out, std::string& reason) {
  if (v.kind != json::kind::string) return expected(reason, "a string", v);
  out.assign(v.text);
  return true;
}

bool read(const json_scalar& v, bool& out, std::string& reason) {
  if (v.kind != json::kind::bool_) return expected(reason, "true or false", v);
  out = v.number.bool_;
  return true;
}

bool read(const json_scalar& v, uuid& out, std::string& reason) {
  std::optional<uuid> id;
  if (v.kind == json::kind::string) id = parse_uuid(v.text);
  if (!id) return expected(reason, "a UUID", v);
  out = *id;
  return true;
}

bool read(const json_scalar& v, timestamp& out, std::string& reason) {
  if (v.kind != json::kind::string) return expected(reason, "an RFC 3339 date-time", v);
  std::string_view why;
  const std::optional<timestamp> t = parse_timestamp(v.text, &why);
  if (!t) {
    expected(reason, "an RFC 3339 date-time", v);
    reason += " (" + std::string(why) + ")";
    return false;
  }
  out = *t;
  return true;
}

template <class E>
bool read(const json_scalar& v, open_enum<E>& out, std::string& reason) {
  if (v.kind != json::kind::string) return expected(reason, "a string", v);
  out = open_enum<E>::from_string(v.text);
  return true;
}

// ---- sinks: what each C++ type does with its JSON value ----------------------------------

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

template <class T>
constexpr bool is_model = boost::describe::has_describe_members<T>::value;

template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {};

template <class T>
const sink_ops& ops_for();

template <class T>
const member_table& members_of();

template <class T>
sink sink_of(T& target) {
  return {&ops_for<T>(), &target};
}

template <class T>
const sink_ops& ops_for() {
  if constexpr (is_model<T>) {
    static constexpr sink_ops ops{
        [](void*, const json_scalar& v, std::string& reason) { return expected(reason, "an object", v); },
        [](model_reader& reader, void* target) { reader.push_model(members_of<T>(), target); }, nullptr};
    return ops;
  } else if constexpr (is_vector<T>::value) {
    static constexpr sink_ops ops{
        [](void*, const json_scalar& v, std::string& reason) { return expected(reason, "an array", v); }, nullptr,
        [](model_reader& reader, void* target) {
          T& items = *static_cast<T*>(target);
          items.clear();
          items.reserve(20);  // the API's default page size: most pages need no reallocation
          reader.push_array(target, [](void* vector) { return sink_of(static_cast<T*>(vector)->emplace_back()); });
        }};
    return ops;
  } else if constexpr (std::is_same_v<T, pagination>) {
    // Free-form: every key is kept, so the object is collected as a DOM.
    static constexpr sink_ops ops{
        [](void*, const json_scalar& v, std::string& reason) { return expected(reason, "an object", v); },
        [](model_reader& reader, void* target) { reader.push_dom(&static_cast<pagination*>(target)->fields()); },
        nullptr};
    return ops;
  } else {
    static constexpr sink_ops ops{
        [](void* target, const json_scalar& v, std::string& reason) { return read(v, *static_cast<T*>(target), reason); },
        nullptr, nullptr};
    return ops;
  }
}

// ---- models: a table of member rules, built once from each model's description ----------

// A model's `members_with_default` (models.hpp): the members whose initialiser is a documented
// default; none when the model declares no such list.
template <class T>
constexpr auto members_with_default() {
  if constexpr (requires { T::members_with_default; })
    return T::members_with_default;
  else
    return std::tuple<>();
}

// Whether two member pointers, of any types, name the same member.
template <class A, class B>
constexpr bool same_member(A a, B b) {
  if constexpr (std::is_same_v<A, B>)
    return a == b;
  else
    return false;
}

// Whether the member `Pointer` of T is in its members_with_default.
template <class T, auto Pointer>
constexpr bool has_documented_default() {
  return std::apply([](auto... listed) { return (same_member(listed, Pointer) || ...); }, members_with_default<T>());
}

template <class T, class Descriptor>
member_rule make_rule(Descriptor) {
  using member_type = std::remove_cvref_t<decltype(std::declval<T&>().*Descriptor::pointer)>;
  member_rule rule;
  rule.key = Descriptor::name;
  rule.value = [](void* model) {
    auto& member = static_cast<T*>(model)->*Descriptor::pointer;
    if constexpr (is_optional<member_type>::value)
      return sink_of(member.emplace());
    else
      return sink_of(member);
  };
  rule.absent = [](void* model, bool missing, std::string& reason) {
    auto& member = static_cast<T*>(model)->*Descriptor::pointer;
    if constexpr (is_optional<member_type>::value) {
      member.reset();
      return true;
    } else {
      if constexpr (has_documented_default<T, Descriptor::pointer>()) return true;  // keep the initialiser
      if (missing) {
        reason = "required field is missing";
        return false;
      }
      return sink_of(member).ops->scalar(&member, json_scalar{}, reason);  // says what was expected
    }
  };
  return rule;
}

template <class T>
const member_table& members_of() {
  using members = boost::describe::describe_members<T, boost::describe::mod_public>;
  static constexpr std::size_t count = boost::mp11::mp_size<members>::value;
  static_assert(count <= 64, "the seen-members mask is 64 bits");
  // A member given a default but missing from the model's description would never be read.
  static_assert([] {
    std::size_t described_with_default = 0;
    boost::mp11::mp_for_each<members>(
        [&](auto d) { described_with_default += has_documented_default<T, decltype(d)::pointer>(); });
    return described_with_default == std::tuple_size_v<decltype(members_with_default<T>())>;
  }(), "every member in members_with_default is one of the model's described members");
  static const std::array<member_rule, count> rules = [] {
    std::array<member_rule, count> table{};
    std::size_t i = 0;
    boost::mp11::mp_for_each<members>([&](auto d) { table[i++] = make_rule<T>(d); });
    return table;
  }();
  static const member_table table{rules.data(), rules.size()};
  return table;
}

}  // namespace

template <class T>
sink model_sink(T& model) {
  return sink_of(model);
}

#define HUMM_ANALYST_INSTANTIATE_MODEL_SINK(model, members) template sink model_sink<model>(model&);
HUMM_ANALYST_FOR_EACH_MODEL(HUMM_ANALYST_INSTANTIATE_MODEL_SINK)
#undef HUMM_ANALYST_INSTANTIATE_MODEL_SINK

// ---- the event handler --------------------------------------------------------------------

namespace {

// The value of a key no model knows: ignored, with all it contains.
constexpr sink_ops skip_ops{[](void*, const json_scalar&, std::string&) { return true; },
                            [](model_reader& reader, void*) { reader.push_skip(); },
                            [](model_reader& reader, void*) { reader.push_skip(); }};

constexpr std::size_t unknown_member = static_cast<std::size_t>(-1);

// A key or string: its last part, joined to the parts buffered before it if there were any.
std::string_view whole(std::string& earlier_parts, std::string_view last_part) {
  return earlier_parts.empty() ? last_part : std::string_view(earlier_parts.append(last_part));
}

json_scalar scalar(std::int64_t i) {
  json_scalar v;
  v.kind = json::kind::int64;
  v.number.int64 = i;
  return v;
}
json_scalar scalar(std::uint64_t u) {
  json_scalar v;
  v.kind = json::kind::uint64;
  v.number.uint64 = u;
  return v;
}
json_scalar scalar(double d) {
  json_scalar v;
  v.kind = json::kind::double_;
  v.number.double_ = d;
  return v;
}
json_scalar scalar(bool b) {
  json_scalar v;
  v.kind = json::kind::bool_;
  v.number.bool_ = b;
  return v;
}

}  // namespace

void model_reader::push_model(const member_table& table, void* model) {
  frame f;
  f.kind = frame_kind::model;
  f.target = model;
  f.table = &table;
  stack_.push_back(f);
}

void model_reader::push_array(void* vector, sink (*element)(void*)) {
  frame f;
  f.kind = frame_kind::array;
  f.target = vector;
  f.element = element;
  stack_.push_back(f);
}

void model_reader::push_skip() {
  frame f;
  f.kind = frame_kind::skip;
  f.depth = 1;
  stack_.push_back(f);
}

void model_reader::push_dom(json::object* destination) {
  frame f;
  f.kind = frame_kind::dom;
  f.destination = destination;
  f.depth = 1;
  stack_.push_back(f);
  dom_.reset();
  dom_levels_.clear();
  dom_keys_.clear();
  open_dom_level(true);
}

void model_reader::open_dom_level(bool is_object) {
  if (!dom_levels_.empty() && !dom_levels_.back().is_object) ++dom_levels_.back().elements;
  dom_levels_.push_back({is_object, dom_keys_.size(), 0});
}

// Ends the innermost container of a collected DOM; false (and failed) when an object held a
// key twice. The keys are sorted to find a twin: O(n log n) however many a server sends.
bool model_reader::close_dom_level(bool is_object) {
  const dom_level level = dom_levels_.back();
  if (is_object) {
    if (dom_keys_.size() - level.first_key > 1) {
      std::vector<std::string_view> keys(dom_keys_.begin() + static_cast<std::ptrdiff_t>(level.first_key),
                                         dom_keys_.end());
      std::sort(keys.begin(), keys.end());
      if (const auto twin = std::adjacent_find(keys.begin(), keys.end()); twin != keys.end()) {
        std::string key(*twin);
        dom_keys_.push_back(std::move(key));  // last, as the key being read: the path names it
        fail("repeated key");
        return false;
      }
    }
    dom_keys_.resize(level.first_key);
  }
  dom_levels_.pop_back();
  return true;
}

// Where the next value in an array or a model goes; an unknown member's value is skipped.
sink model_reader::next_sink(frame& top) {
  if (top.kind == frame_kind::array) {
    ++top.elements;
    return top.element(top.target);
  }
  if (top.member == unknown_member) return {&skip_ops, nullptr};
  return top.table->rules[top.member].value(top.target);
}

void model_reader::value(const json_scalar& v) {
  if (failed_) return;
  sink s = root_;
  if (!stack_.empty()) {
    frame& top = stack_.back();
    if (top.kind == frame_kind::skip) return;
    if (top.kind == frame_kind::dom) {
      if (!dom_levels_.back().is_object) ++dom_levels_.back().elements;
      return collect(v);
    }
    if (v.kind == json::kind::null && top.kind == frame_kind::model && top.member != unknown_member) {
      std::string reason;  // a null member is settled by its rule
      if (!top.table->rules[top.member].absent(top.target, false, reason)) fail(std::move(reason));
      return;
    }
    s = next_sink(top);
  }
  std::string reason;
  if (!s.ops->scalar(s.target, v, reason)) fail(std::move(reason));
}

void model_reader::collect(const json_scalar& v) {
  switch (v.kind) {
    case json::kind::string: dom_.push_string(v.text); break;
    case json::kind::int64: dom_.push_int64(v.number.int64); break;
    case json::kind::uint64: dom_.push_uint64(v.number.uint64); break;
    case json::kind::double_: dom_.push_double(v.number.double_); break;
    case json::kind::bool_: dom_.push_bool(v.number.bool_); break;
    case json::kind::null: dom_.push_null(); break;
    case json::kind::object:
    case json::kind::array: break;  // containers are built by close()
  }
}

void model_reader::open(bool is_object) {
  if (failed_) return;
  if (depth_ == max_depth) return fail("nested deeper than " + std::to_string(max_depth) + " levels", 1);
  ++depth_;
  sink s = root_;
  if (!stack_.empty()) {
    frame& top = stack_.back();
    if (top.kind == frame_kind::skip || top.kind == frame_kind::dom) {
      ++top.depth;
      if (top.kind == frame_kind::dom) open_dom_level(is_object);
      return;
    }
    s = next_sink(top);
  }
  if (auto opener = is_object ? s.ops->open_object : s.ops->open_array) {
    opener(*this, s.target);
    return;
  }
  json_scalar container;
  container.kind = is_object ? json::kind::object : json::kind::array;
  std::string reason;
  s.ops->scalar(s.target, container, reason);  // fails, saying what was expected instead
  fail(std::move(reason));
}

void model_reader::close(std::size_t size, bool is_object) {
  if (failed_) return;
  --depth_;
  frame& top = stack_.back();
  switch (top.kind) {
    case frame_kind::skip:
      if (--top.depth == 0) stack_.pop_back();
      return;
    case frame_kind::dom:
      if (!close_dom_level(is_object)) return;
      if (is_object)
        dom_.push_object(size);
      else
        dom_.push_array(size);
      if (--top.depth == 0) {
        *top.destination = std::move(dom_.release().as_object());
        stack_.pop_back();
      }
      return;
    case frame_kind::array:
      stack_.pop_back();
      return;
    case frame_kind::model:
      for (std::size_t i = 0; i < top.table->size; ++i) {
        if (top.seen >> i & 1) continue;
        const member_rule& rule = top.table->rules[i];
        top.key = rule.key;
        std::string reason;
        if (!rule.absent(top.target, true, reason)) return fail(std::move(reason));
      }
      stack_.pop_back();
      return;
  }
}

// Keys are matched in one pass over the object. Servers send keys in a stable order, mostly
// the documented one, so the member after the last match is tried first.
void model_reader::select_member(frame& model, std::string_view key) {
  const member_table& table = *model.table;
  std::size_t i = model.next;
  for (std::size_t tried = 0; tried < table.size; ++tried, i = i + 1 == table.size ? 0 : i + 1) {
    if (!same_key(table.rules[i].key, key)) continue;
    return take_member(model, i);
  }
  model.member = unknown_member;  // the API has grown
  unknown_key_.assign(key);        // kept: the key's text may not outlive this call
  model.key = unknown_key_;
}

void model_reader::fail(std::string reason, std::size_t dom_levels_named) {
  failed_ = true;
  std::string path;
  const auto add_key = [&path](std::string_view key) {
    if (!path.empty()) path += '.';
    path += key;
  };
  const auto add_index = [&path](std::size_t elements) { path += '[' + std::to_string(elements - 1) + ']'; };
  for (const frame& f : stack_) {
    if (f.kind == frame_kind::model) {
      add_key(f.key);
    } else if (f.kind == frame_kind::array) {
      add_index(f.elements);
    } else if (f.kind == frame_kind::dom) {
      // Each level names the key or element being read in it: an object's last key so far.
      for (std::size_t i = 0; i < std::min(dom_levels_.size(), dom_levels_named); ++i) {
        const dom_level& level = dom_levels_[i];
        const std::size_t keys_end = i + 1 < dom_levels_.size() ? dom_levels_[i + 1].first_key : dom_keys_.size();
        if (level.is_object && keys_end > level.first_key)
          add_key(dom_keys_[keys_end - 1]);
        else if (!level.is_object && level.elements > 0)
          add_index(level.elements);
      }
    }
  }
  failure_ = {std::move(path), std::move(reason)};
}

bool model_reader::on_object_begin(json::error_code&) {
  open(true);
  return true;
}

bool model_reader::on_object_end(std::size_t size, json::error_code&) {
  close(size, true);
  return true;
}

bool model_reader::on_array_begin(json::error_code&) {
  open(false);
  return true;
}

bool model_reader::on_array_end(std::size_t size, json::error_code&) {
  close(size, false);
  return true;
}

bool model_reader::on_key_part(std::string_view part, std::size_t, json::error_code&) {
  key_buffer_.append(part);
  return true;
}

bool model_reader::on_key(std::string_view part, std::size_t, json::error_code&) {
  const std::string_view key = whole(key_buffer_, part);
  if (!failed_) {
    frame& top = stack_.back();
    if (top.kind == frame_kind::model)
      select_member(top, key);
    else if (top.kind == frame_kind::dom) {
      dom_.push_key(key);
      dom_keys_.emplace_back(key);
    }
  }
  key_buffer_.clear();
  return true;
}

bool model_reader::on_string_part(std::string_view part, std::size_t, json::error_code&) {
  string_buffer_.append(part);
  return true;
}

bool model_reader::on_string(std::string_view part, std::size_t, json::error_code&) {
  value({json::kind::string, whole(string_buffer_, part), {0}});
  string_buffer_.clear();
  return true;
}

bool model_reader::on_int64(std::int64_t i, std::string_view, json::error_code&) {
  value(scalar(i));
  return true;
}

bool model_reader::on_uint64(std::uint64_t u, std::string_view, json::error_code&) {
  value(scalar(u));
  return true;
}

bool model_reader::on_double(double d, std::string_view, json::error_code&) {
  value(scalar(d));
  return true;
}

bool model_reader::on_bool(bool b, json::error_code&) {
  value(scalar(b));
  return true;
}

bool model_reader::on_null(json::error_code&) {
  value({});
  return true;
}

void replay(const json::value& v, model_reader& reader) {
  json::error_code ec;
  switch (v.kind()) {
    case json::kind::object:
      if (reader.failed()) return;  // nothing more is read: this also bounds the recursion
      reader.on_object_begin(ec);
      for (const json::key_value_pair& entry : v.get_object()) {
        reader.on_key(entry.key(), entry.key().size(), ec);
        replay(entry.value(), reader);
      }
      reader.on_object_end(v.get_object().size(), ec);
      break;
    case json::kind::array:
      if (reader.failed()) return;
      reader.on_array_begin(ec);
      for (const json::value& element : v.get_array()) replay(element, reader);
      reader.on_array_end(v.get_array().size(), ec);
      break;
    case json::kind::string: reader.on_string(v.get_string(), v.get_string().size(), ec); break;
    case json::kind::int64: reader.on_int64(v.get_int64(), {}, ec); break;
    case json::kind::uint64: reader.on_uint64(v.get_uint64(), {}, ec); break;
    case json::kind::double_: reader.on_double(v.get_double(), {}, ec); break;
    case json::kind::bool_: reader.on_bool(v.get_bool(), ec); break;
    case json::kind::null: reader.on_null(ec); break;
  }
}

}  // namespace humm::analyst::detail
