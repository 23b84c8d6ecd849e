// The Boost.JSON customisation points of the models (models.hpp): value_from is one generic
// writer over the members each model's line in HUMM_ANALYST_FOR_EACH_MODEL describes; value_to
// is decode (lib/decode.cpp, then model_reader). Also the typed reads of `pagination`.
// model_writer.cpp writes the same text as serialize(value_from) without the DOM, over the
// same members.

#include <humm/analyst/decode.hpp>

#include <boost/describe/members.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>
#include <boost/mp11/algorithm.hpp>

#include <cstdint>

namespace humm::analyst {
namespace {

namespace json = boost::json;

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

#define HUMM_ANALYST_DEFINE_JSON_MAPPING(model, members)                                    \
  model tag_invoke(json::value_to_tag<model>, const json::value& in) { return decode<model>(in); } \
  void tag_invoke(json::value_from_tag, json::value& out, const model& value) { write(out, value); }
HUMM_ANALYST_FOR_EACH_MODEL(HUMM_ANALYST_DEFINE_JSON_MAPPING)
#undef HUMM_ANALYST_DEFINE_JSON_MAPPING

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
