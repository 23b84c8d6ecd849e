// JSON mappings of the models. One generic reader and one generic writer walk the members
// that models.hpp describes (Boost.Describe); the policies of api/SPEC.md live here:
// unknown keys are ignored, missing or null optional members are absent, documented
// defaults apply, and a failure records its JSON path while it unwinds (no cost on success).

#include <humm/analyst/decode.hpp>

#include <boost/describe/members.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>
#include <boost/mp11/algorithm.hpp>

#include <array>
#include <cstdint>
#include <type_traits>

namespace humm::analyst {
namespace {

namespace json = boost::json;

// Collects the reason at the leaf, then the path segments as the failure unwinds.
class failure_builder {
 public:
  bool fail(std::string reason) {
    reason_ = std::move(reason);
    return false;
  }
  bool at_key(std::string_view key) {
    segments_.emplace_back(key);
    return false;
  }
  bool at_index(std::size_t index) {
    segments_.push_back('[' + std::to_string(index) + ']');
    return false;
  }
  decode_failure take() {
    decode_failure result;
    for (auto it = segments_.rbegin(); it != segments_.rend(); ++it) {
      if (!result.path.empty() && it->front() != '[') result.path += '.';
      result.path += *it;
    }
    result.reason = std::move(reason_);
    return result;
  }

 private:
  std::string reason_;
  std::vector<std::string> segments_;  // innermost first
};

// How an offending value is shown in a reason: strings quoted and shortened, others by kind.
std::string describe(const json::value& v) {
  switch (v.kind()) {
    case json::kind::string: {
      const json::string& s = v.get_string();
      constexpr std::size_t max_shown = 60;
      if (s.size() <= max_shown) return json::serialize(s);
      return json::serialize(json::string_view(s.data(), max_shown)) + "...";
    }
    case json::kind::object: return "an object";
    case json::kind::array: return "an array";
    case json::kind::null: return "null";
    default: return "the number or boolean " + json::serialize(v);
  }
}

bool expected(failure_builder& f, std::string_view what, const json::value& v) {
  return f.fail("expected " + std::string(what) + ", got " + describe(v));
}

bool read(const json::value& v, std::string& out, failure_builder& f) {
  const json::string* s = v.if_string();
  if (!s) return expected(f, "a string", v);
  out.assign(s->data(), s->size());
  return true;
}

bool read(const json::value& v, bool& out, failure_builder& f) {
  const bool* b = v.if_bool();
  if (!b) return expected(f, "true or false", v);
  out = *b;
  return true;
}

bool read(const json::value& v, uuid& out, failure_builder& f) {
  const json::string* s = v.if_string();
  std::optional<uuid> id;
  if (s) id = parse_uuid(*s);
  if (!id) return expected(f, "a UUID", v);
  out = *id;
  return true;
}

bool read(const json::value& v, timestamp& out, failure_builder& f) {
  const json::string* s = v.if_string();
  if (!s) return expected(f, "an RFC 3339 date-time", v);
  std::string_view why;
  std::optional<timestamp> t = parse_timestamp(*s, &why);
  if (!t) return f.fail("expected an RFC 3339 date-time, got " + describe(v) + " (" + std::string(why) + ")");
  out = *t;
  return true;
}

template <class E>
bool read(const json::value& v, open_enum<E>& out, failure_builder& f) {
  const json::string* s = v.if_string();
  if (!s) return expected(f, "a string", v);
  out = open_enum<E>::from_string(*s);
  return true;
}

bool read(const json::value& v, pagination& out, failure_builder& f) {
  const json::object* o = v.if_object();
  if (!o) return expected(f, "an object", v);
  out = pagination(*o);
  return true;
}

template <class T>
bool read(const json::value& v, std::vector<T>& out, failure_builder& f);

template <class T>
  requires boost::describe::has_describe_members<T>::value
bool read(const json::value& v, T& out, failure_builder& f);

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

// Members that api/SPEC.md gives a default for, kept as initialised when missing or null.
constexpr bool has_documented_default(const command_schedule*, std::string_view member) {
  return member == "timezone" || member == "enabled" || member == "run_mode";
}
constexpr bool has_documented_default(const schedule_history*, std::string_view member) {
  return member == "pagination";
}
constexpr bool has_documented_default(const void*, std::string_view) { return false; }

// What to do with one member of T: read it from a JSON value, or settle it when its key is
// missing or null. A model's members form a table, built once from its description.
template <class T>
struct member_rule {
  std::string_view key;
  bool (*read)(const json::value&, T&, failure_builder&);
  bool (*absent)(T&, bool missing, failure_builder&);  // missing key, or null
};

template <class T, class Descriptor>
member_rule<T> make_rule(Descriptor) {
  using member_type = std::remove_cvref_t<decltype(std::declval<T&>().*Descriptor::pointer)>;
  member_rule<T> rule;
  rule.key = Descriptor::name;
  rule.read = [](const json::value& v, T& out, failure_builder& f) {
    auto& member = out.*Descriptor::pointer;
    if constexpr (is_optional<member_type>::value)
      return read(v, member.emplace(), f) || f.at_key(Descriptor::name);
    else
      return read(v, member, f) || f.at_key(Descriptor::name);
  };
  rule.absent = [](T& out, bool missing, failure_builder& f) {
    if constexpr (is_optional<member_type>::value) {
      (out.*Descriptor::pointer).reset();
      return true;
    } else {
      if (has_documented_default(&out, Descriptor::name)) return true;  // keep the initialiser
      if (missing) f.fail("required field is missing");
      else read(json::value(nullptr), out.*Descriptor::pointer, f);  // says what was expected
      return f.at_key(Descriptor::name);
    }
  };
  return rule;
}

template <class T>
const auto& member_rules() {
  using members = boost::describe::describe_members<T, boost::describe::mod_public>;
  static const auto rules = [] {
    std::array<member_rule<T>, boost::mp11::mp_size<members>::value> table{};
    std::size_t i = 0;
    boost::mp11::mp_for_each<members>([&](auto d) { table[i++] = make_rule<T>(d); });
    return table;
  }();
  return rules;
}

// Keys are matched in one pass over the object. Servers send keys in a stable order, mostly
// the documented one, so the member after the last match is tried first.
template <class T>
  requires boost::describe::has_describe_members<T>::value
bool read(const json::value& v, T& out, failure_builder& f) {
  const json::object* object = v.if_object();
  if (!object) return expected(f, "an object", v);
  const auto& rules = member_rules<T>();
  static_assert(std::tuple_size_v<std::remove_cvref_t<decltype(rules)>> <= 64);
  std::uint64_t seen = 0;
  std::size_t next = 0;
  for (const json::key_value_pair& entry : *object) {
    const std::string_view key = entry.key();
    std::size_t i = next;
    for (std::size_t tried = 0; tried < rules.size() && rules[i].key != key; ++tried)
      i = i + 1 == rules.size() ? 0 : i + 1;
    if (rules[i].key != key) continue;  // unknown key: the API has grown
    next = i + 1 == rules.size() ? 0 : i + 1;
    seen |= std::uint64_t{1} << i;
    const bool ok = entry.value().is_null() ? rules[i].absent(out, false, f) : rules[i].read(entry.value(), out, f);
    if (!ok) return false;
  }
  for (std::size_t i = 0; i < rules.size(); ++i) {
    if (!(seen >> i & 1) && !rules[i].absent(out, true, f)) return false;
  }
  return true;
}

template <class T>
bool read(const json::value& v, std::vector<T>& out, failure_builder& f) {
  const json::array* array = v.if_array();
  if (!array) return expected(f, "an array", v);
  out.clear();
  out.reserve(array->size());
  for (std::size_t i = 0; i < array->size(); ++i) {
    if (!read((*array)[i], out.emplace_back(), f)) return f.at_index(i);
  }
  return true;
}

void write(json::value& out, const std::string& s) { out = json::string_view(s); }
void write(json::value& out, bool b) { out = b; }
void write(json::value& out, const uuid& id) { out = format_uuid(id); }
void write(json::value& out, timestamp t) { out = format_timestamp(t); }
void write(json::value& out, const pagination& p) { out = p.fields(); }

template <class E>
void write(json::value& out, const open_enum<E>& e) {
  out = e.str();
}

template <class T>
void write(json::value& out, const std::optional<T>& member) {
  if (member)
    write(out, *member);
  else
    out = nullptr;
}

template <class T>
  requires boost::describe::has_describe_members<T>::value
void write(json::value& out, const T& model);

template <class T>
void write(json::value& out, const std::vector<T>& items) {
  json::array& array = out.emplace_array();
  array.reserve(items.size());
  for (const T& item : items) write(array.emplace_back(nullptr), item);
}

template <class T>
  requires boost::describe::has_describe_members<T>::value
void write(json::value& out, const T& model) {
  using members = boost::describe::describe_members<T, boost::describe::mod_public>;
  json::object& object = out.emplace_object();
  object.reserve(boost::mp11::mp_size<members>::value);
  boost::mp11::mp_for_each<members>([&](auto d) { write(object[d.name], model.*d.pointer); });
}

}  // namespace

template <class T>
decode_result<T> try_decode(const json::value& json) {
  T result;
  failure_builder f;
  if (!read(json, result, f)) return f.take();
  return result;
}

template decode_result<command_schedule> try_decode<command_schedule>(const json::value&);
template decode_result<command_run> try_decode<command_run>(const json::value&);
template decode_result<schedule_history> try_decode<schedule_history>(const json::value&);
template decode_result<run_details> try_decode<run_details>(const json::value&);

command_schedule tag_invoke(json::value_to_tag<command_schedule>, const json::value& v) {
  return decode<command_schedule>(v);
}
command_run tag_invoke(json::value_to_tag<command_run>, const json::value& v) { return decode<command_run>(v); }
schedule_history tag_invoke(json::value_to_tag<schedule_history>, const json::value& v) {
  return decode<schedule_history>(v);
}
run_details tag_invoke(json::value_to_tag<run_details>, const json::value& v) { return decode<run_details>(v); }
void tag_invoke(json::value_from_tag, json::value& out, const command_schedule& m) { write(out, m); }
void tag_invoke(json::value_from_tag, json::value& out, const command_run& m) { write(out, m); }
void tag_invoke(json::value_from_tag, json::value& out, const schedule_history& m) { write(out, m); }
void tag_invoke(json::value_from_tag, json::value& out, const run_details& m) { write(out, m); }

std::optional<std::int64_t> pagination::count(std::string_view key) const noexcept {
  const json::value* v = fields_.if_contains(key);
  if (!v || !v->is_number()) return std::nullopt;
  json::error_code ec;
  const auto n = v->to_number<std::int64_t>(ec);
  if (ec || n < 0) return std::nullopt;
  return n;
}

std::optional<bool> pagination::has_more() const noexcept {
  const json::value* v = fields_.if_contains("has_more");
  if (!v || !v->is_bool()) return std::nullopt;
  return v->get_bool();
}

}  // namespace humm::analyst
