// append_json (encode.hpp): the models' JSON written straight into a string, without the DOM
// that value_from builds. It walks the same Boost.Describe members as the value_from mapping
// (models_json.cpp), in the same order, and copies Boost.JSON 1.81's serializer where a
// choice exists (string escapes); the one DOM a model holds, `pagination`, goes through that
// serializer itself, numbers included. tests/unit/model_writer_test.cpp compares the two
// byte for byte.

#include <humm/analyst/encode.hpp>

#include "bounded_append.hpp"
#include "value_text.hpp"

#include <boost/describe/members.hpp>
#include <boost/json/serializer.hpp>
#include <boost/mp11/algorithm.hpp>

#include <algorithm>
#include <array>
#include <concepts>
#include <utility>

namespace humm::analyst {
namespace {

// What Boost.JSON's serializer writes for each byte (its `esc` table, impl/serializer.ipp):
// 0 for the byte itself, 'u' for \u00XX, else the letter after a backslash.
constexpr std::array<char, 256> escape_of = [] {
  std::array<char, 256> table{};
  for (int c = 0; c < 0x20; ++c) table[c] = 'u';
  table['\b'] = 'b';
  table['\t'] = 't';
  table['\n'] = 'n';
  table['\f'] = 'f';
  table['\r'] = 'r';
  table['"'] = '"';
  table['\\'] = '\\';
  return table;
}();

// Each write(room, p, value) stores `value` at `p` and returns the byte after it, within the
// most bytes max_bytes(value) says, for which `room` was made before writing.
using detail::bounded_append;
using detail::put;

// Each byte as \u00XX, in quotes: quick to know, and little to reserve for short texts. A long
// text is measured instead, so that room never grows to six times a large page.
constexpr std::size_t escaped_max(std::size_t bytes) { return 6 * bytes + 2; }
constexpr std::size_t measured_from_bytes = 4096;

std::size_t escaped_size(std::string_view text) {
  std::size_t bytes = 2;
  for (const char c : text) {
    const char escape = escape_of[static_cast<unsigned char>(c)];
    bytes += escape == 0 ? 1 : escape == 'u' ? 6 : 2;
  }
  return bytes;
}

std::size_t text_max(std::string_view text) {
  return text.size() < measured_from_bytes ? escaped_max(text.size()) : escaped_size(text);
}

char* write_string(char* p, std::string_view text) {
  *p++ = '"';
  const char* at = text.data();
  const char* const end = at + text.size();
  while (at != end) {
    const char* const plain = at;
    while (at != end && escape_of[static_cast<unsigned char>(*at)] == 0) ++at;
    p = put(p, std::string_view(plain, static_cast<std::size_t>(at - plain)));
    if (at == end) break;
    const auto byte = static_cast<unsigned char>(*at++);
    const char escape = escape_of[byte];
    *p++ = '\\';
    if (escape == 'u') {
      static constexpr char hex[] = "0123456789abcdef";
      const char code[] = {'u', '0', '0', hex[byte >> 4], hex[byte & 15]};
      p = put(p, std::string_view(code, sizeof code));
    } else {
      *p++ = escape;
    }
  }
  *p++ = '"';
  return p;
}

std::size_t max_bytes(const std::string& text) { return text_max(text); }
char* write(bounded_append&, char* p, const std::string& text) { return write_string(p, text); }

// Exactly bool: a member of another type (a future integer) must not convert to it silently.
template <std::same_as<bool> B>
std::size_t max_bytes(B) { return 5; }
template <std::same_as<bool> B>
char* write(bounded_append&, char* p, B b) { return put(p, b ? "true" : "false"); }

// Hex digits and dashes: nothing to escape.
std::size_t max_bytes(const uuid&) { return detail::uuid_chars + 2; }
char* write(bounded_append&, char* p, const uuid& id) {
  *p++ = '"';
  p = detail::write_uuid(p, id);
  *p++ = '"';
  return p;
}

// Nothing to escape either: digits, "-T:.Z", and for a year before 0 (which no decoded time
// has) the characters just below '0' (from '\'' on), never a quote, a backslash or a control.
std::size_t max_bytes(timestamp) { return detail::max_timestamp_chars + 2; }
char* write(bounded_append&, char* p, timestamp t) {
  *p++ = '"';
  p = detail::write_timestamp(p, t);
  *p++ = '"';
  return p;
}

template <class E>
std::size_t max_bytes(const open_enum<E>& e) {
  return text_max(e.str());
}
template <class E>
char* write(bounded_append&, char* p, const open_enum<E>& e) {
  return write_string(p, e.str());
}

// The keys `pagination` holds are a DOM already: Boost.JSON writes it, so that its numbers
// (doubles in particular) read exactly as serialize writes them.
std::size_t max_bytes(const pagination&) { return 0; }
char* write(bounded_append& room, char* p, const pagination& page) {
  return room.put_unbounded(p, [&page](std::string& text) {
    boost::json::serializer serializer;
    serializer.reset(&page.fields());
    char chunk[BOOST_JSON_STACK_BUFFER_SIZE];
    while (!serializer.done()) text += serializer.read(chunk);
  });
}

template <class T>
std::size_t max_bytes(const std::optional<T>& member) {
  return member ? std::max<std::size_t>(4, max_bytes(*member)) : 4;
}
template <class T>
char* write(bounded_append& room, char* p, const std::optional<T>& member) {
  return member ? write(room, p, *member) : put(p, "null");
}

template <class T>
  requires boost::describe::has_describe_members<T>::value
std::size_t max_bytes(const T& model);
template <class T>
  requires boost::describe::has_describe_members<T>::value
char* write(bounded_append& room, char* p, const T& model);

template <class T>
std::size_t max_bytes(const std::vector<T>& items) {
  std::size_t bytes = 2;
  for (const T& item : items) bytes += max_bytes(item) + 1;
  return bytes;
}
template <class T>
char* write(bounded_append& room, char* p, const std::vector<T>& items) {
  *p++ = '[';
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) *p++ = ',';
    p = write(room, p, items[i]);
  }
  *p++ = ']';
  return p;
}

template <class T>
using members_of = boost::describe::describe_members<T, boost::describe::mod_public>;

template <class T>
  requires boost::describe::has_describe_members<T>::value
std::size_t max_bytes(const T& model) {
  std::size_t bytes = 2;
  boost::mp11::mp_for_each<members_of<T>>(
      [&](auto d) { bytes += std::string_view(d.name).size() + 4 + max_bytes(model.*d.pointer); });
  return bytes;
}

// Keys are C++ member names, which hold nothing to escape. A fold rather than mp_for_each
// over a lambda: a pointer captured by reference would be reloaded after every byte stored.
template <class T, template <class...> class List, class... Member, std::size_t... I>
char* write_members(bounded_append& room, char* p, const T& model, List<Member...>, std::index_sequence<I...>) {
  ((p = put(p, I == 0 ? "\"" : ",\""), p = put(p, Member::name), p = put(p, "\":"),
    p = write(room, p, model.*Member::pointer)),
   ...);
  return p;
}

template <class T>
  requires boost::describe::has_describe_members<T>::value
char* write(bounded_append& room, char* p, const T& model) {
  *p++ = '{';
  p = write_members(room, p, model, members_of<T>{},
                    std::make_index_sequence<boost::mp11::mp_size<members_of<T>>::value>{});
  *p++ = '}';
  return p;
}

}  // namespace

#define HUMM_ANALYST_DEFINE_APPEND_JSON(model, members)   \
  void append_json(std::string& out, const model& value) { \
    bounded_append room(out, max_bytes(value));             \
    room.finish(write(room, room.begin(), value));          \
  }
HUMM_ANALYST_FOR_EACH_MODEL(HUMM_ANALYST_DEFINE_APPEND_JSON)
#undef HUMM_ANALYST_DEFINE_APPEND_JSON

}  // namespace humm::analyst
