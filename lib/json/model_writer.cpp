// append_json (encode.hpp): the models' JSON written straight into a string, without the DOM
// that value_from builds. It walks the same Boost.Describe members as the value_from mapping
// (models_json.cpp), in the same order, and copies Boost.JSON 1.81's serializer where a
// choice exists (string escapes); the one DOM a model holds, `pagination`, goes through that
// serializer itself, numbers included. tests/unit/model_writer_test.cpp compares the two
// byte for byte.

#include <humm/analyst/encode.hpp>

#include "value_text.hpp"

#include <boost/describe/members.hpp>
#include <boost/json/serializer.hpp>
#include <boost/mp11/algorithm.hpp>

#include <array>

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

void write_string(std::string& out, std::string_view text) {
  out += '"';
  const char* p = text.data();
  const char* const end = p + text.size();
  while (p != end) {
    const char* const plain = p;
    while (p != end && escape_of[static_cast<unsigned char>(*p)] == 0) ++p;
    out.append(plain, p);
    if (p == end) break;
    const auto byte = static_cast<unsigned char>(*p++);
    const char escape = escape_of[byte];
    if (escape == 'u') {
      static constexpr char hex[] = "0123456789abcdef";
      const char sequence[] = {'\\', 'u', '0', '0', hex[byte >> 4], hex[byte & 15]};
      out.append(sequence, sizeof sequence);
    } else {
      const char sequence[] = {'\\', escape};
      out.append(sequence, sizeof sequence);
    }
  }
  out += '"';
}

void write(std::string& out, const std::string& text) { write_string(out, text); }
void write(std::string& out, bool b) { out += b ? std::string_view("true") : std::string_view("false"); }

// Hex digits and dashes only: nothing to escape.
void write(std::string& out, const uuid& id) {
  char text[detail::uuid_chars + 2];
  text[0] = '"';
  char* end = detail::write_uuid(text + 1, id);
  *end++ = '"';
  out.append(text, end);
}

// Escaped like any string: a year before 0 (which no decoded time has) writes odd characters.
void write(std::string& out, timestamp t) {
  char text[detail::max_timestamp_chars];
  write_string(out, std::string_view(text, detail::write_timestamp(text, t)));
}

template <class E>
void write(std::string& out, const open_enum<E>& e) {
  write_string(out, e.str());
}

// The keys `pagination` holds are a DOM already: Boost.JSON writes it, so that its numbers
// (doubles in particular) read exactly as serialize writes them.
void write(std::string& out, const pagination& p) {
  boost::json::serializer serializer;
  serializer.reset(&p.fields());
  char chunk[BOOST_JSON_STACK_BUFFER_SIZE];
  while (!serializer.done()) out += serializer.read(chunk);
}

template <class T>
void write(std::string& out, const std::optional<T>& member) {
  if (member)
    write(out, *member);
  else
    out += std::string_view("null");
}

template <class T>
  requires boost::describe::has_describe_members<T>::value
void write(std::string& out, const T& model);

template <class T>
void write(std::string& out, const std::vector<T>& items) {
  out += '[';
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    write(out, items[i]);
  }
  out += ']';
}

// Keys are C++ member names, which hold nothing to escape.
template <class T>
  requires boost::describe::has_describe_members<T>::value
void write(std::string& out, const T& model) {
  using members = boost::describe::describe_members<T, boost::describe::mod_public>;
  out += '{';
  bool first = true;
  boost::mp11::mp_for_each<members>([&](auto d) {
    out += first ? std::string_view("\"") : std::string_view(",\"");
    first = false;
    out += std::string_view(d.name);
    out += std::string_view("\":");
    write(out, model.*d.pointer);
  });
  out += '}';
}

}  // namespace

#define HUMM_ANALYST_DEFINE_APPEND_JSON(model, members) \
  void append_json(std::string& out, const model& value) { write(out, value); }
HUMM_ANALYST_FOR_EACH_MODEL(HUMM_ANALYST_DEFINE_APPEND_JSON)
#undef HUMM_ANALYST_DEFINE_APPEND_JSON

}  // namespace humm::analyst
