// Every model of HUMM_ANALYST_FOR_EACH_MODEL (models.hpp), whatever it holds: it encodes and
// decodes back to itself through every entry point, and each member missing or null is treated
// as its declaration says (optional: absent; in members_with_default: its initialiser; else an
// error naming it). A model added to the list is covered here without a line of its own.

#include <humm/analyst/decode.hpp>
#include <humm/analyst/testing/dataset.hpp>

#include <boost/describe/enumerators.hpp>
#include <boost/describe/members.hpp>
#include <boost/json.hpp>
#include <boost/mp11/algorithm.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

namespace ha = humm::analyst;
namespace json = boost::json;

namespace {

template <class T>
using members_of = boost::describe::describe_members<T, boost::describe::mod_public>;

// ---- a sample: every member set, to a value other than its default ------------------------

// `n` makes the values of one sample differ from member to member where the type allows.
void fill(ha::uuid& v, int n) { v = ha::testing::make_uuid(static_cast<std::uint64_t>(n)); }
void fill(std::string& v, int n) { v = "text " + std::to_string(n); }
void fill(bool& v, int) { v = !v; }
void fill(ha::timestamp& v, int n) { v = ha::timestamp{} + std::chrono::hours{24 * 365 * 50 + n}; }
void fill(ha::pagination& v, int n) { v.fields()["total"] = n; }

template <class E>
void fill(ha::open_enum<E>& v, int) {
  bool changed = false;
  boost::mp11::mp_for_each<boost::describe::describe_enumerators<E>>([&](auto d) {
    if (!changed && d.value != E::unknown && !(v == d.value)) {
      v = d.value;
      changed = true;
    }
  });
}

template <class T>
void fill(std::optional<T>& v, int n);
template <class T>
void fill(std::vector<T>& v, int n);
template <class T>
  requires boost::describe::has_describe_members<T>::value
void fill(T& model, int n);

template <class T>
void fill(std::optional<T>& v, int n) {
  fill(v.emplace(), n);
}

template <class T>
void fill(std::vector<T>& v, int n) {
  v.resize(2);
  fill(v[0], n);
  fill(v[1], n + 100);
}

template <class T>
  requires boost::describe::has_describe_members<T>::value
void fill(T& model, int n) {
  boost::mp11::mp_for_each<members_of<T>>([&](auto d) { fill(model.*d.pointer, ++n); });
}

template <class T>
T sample() {
  T model;
  fill(model, 0);
  return model;
}

// ---- checks -------------------------------------------------------------------------------

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

// Whether `pointer` is in T's members_with_default (models.hpp).
template <class T, class Pointer>
bool listed_with_default(Pointer pointer) {
  if constexpr (requires { T::members_with_default; }) {
    auto same = [&](auto listed) {
      if constexpr (std::is_same_v<decltype(listed), Pointer>)
        return listed == pointer;
      else
        return false;
    };
    return std::apply([&](auto... listed) { return (same(listed) || ...); }, T::members_with_default);
  } else {
    return false;
  }
}

// `model` encodes, and decodes back to itself from the value, from its text and by value_to.
template <class T>
void check_round_trip(const T& model) {
  const json::value encoded = json::value_from(model);
  BOOST_TEST(encoded.as_object().size() == boost::mp11::mp_size<members_of<T>>::value);  // one key per member
  const auto from_value = ha::try_decode<T>(encoded);
  BOOST_REQUIRE_MESSAGE(from_value, from_value.error().message());
  BOOST_TEST((*from_value == model));
  const auto from_text = ha::try_decode<T>(std::string_view(json::serialize(encoded)));
  BOOST_REQUIRE_MESSAGE(from_text, from_text.error().message());
  BOOST_TEST((*from_text == model));
  BOOST_TEST((json::value_to<T>(encoded) == model));
}

// Each member of a full sample in turn, missing then null: what its declaration says it becomes.
template <class T>
void check_missing_and_null_members() {
  const T full = sample<T>();
  const json::object encoded = json::value_from(full).as_object();
  boost::mp11::mp_for_each<members_of<T>>([&](auto d) {
    using member_type = std::remove_cvref_t<decltype(full.*d.pointer)>;
    const bool may_be_absent = is_optional<member_type>::value || listed_with_default<T>(d.pointer);
    for (const bool as_null : {false, true}) {
      BOOST_TEST_CONTEXT(d.name << (as_null ? " null" : " missing")) {
        json::object changed = encoded;
        if (as_null)
          changed[d.name] = nullptr;
        else
          changed.erase(d.name);
        const auto decoded = ha::try_decode<T>(json::value(changed));
        const auto decoded_text = ha::try_decode<T>(std::string_view(json::serialize(changed)));
        if (may_be_absent) {
          T expected = full;
          expected.*d.pointer = T{}.*d.pointer;  // absent, or the initialiser
          BOOST_REQUIRE_MESSAGE(decoded, decoded.error().message());
          BOOST_TEST((*decoded == expected));
          BOOST_REQUIRE_MESSAGE(decoded_text, decoded_text.error().message());
          BOOST_TEST((*decoded_text == expected));
        } else {
          BOOST_REQUIRE(!decoded);
          BOOST_TEST(decoded.error().path == d.name);
          BOOST_TEST(decoded.error().reason.find(as_null ? "got null" : "required field is missing") !=
                     std::string::npos);
          BOOST_REQUIRE(!decoded_text);
          BOOST_TEST(decoded_text.error().message() == decoded.error().message());
        }
      }
    }
  });
}

// The listed models as one type list, for the test case templates below (the leading void
// takes the first comma).
#define HUMM_TEST_LISTED_TYPE(model, members) , ha::model
using every_listed_model =
    boost::mp11::mp_pop_front<std::tuple<void HUMM_ANALYST_FOR_EACH_MODEL(HUMM_TEST_LISTED_TYPE)>>;
#undef HUMM_TEST_LISTED_TYPE

}  // namespace

BOOST_AUTO_TEST_SUITE(listed_models)

BOOST_AUTO_TEST_CASE_TEMPLATE(round_trips_with_every_member_set_and_default_constructed, Model, every_listed_model) {
  check_round_trip(sample<Model>());
  check_round_trip(Model{});
}

BOOST_AUTO_TEST_CASE_TEMPLATE(each_member_missing_or_null_is_absent_defaulted_or_required, Model, every_listed_model) {
  check_missing_and_null_members<Model>();
}

BOOST_AUTO_TEST_SUITE_END()
