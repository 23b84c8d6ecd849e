// The fast JSON reader (lib/json/json_reader.hpp) against Boost.JSON's parser: whatever the
// fast reader accepts, Boost.JSON must accept with the same events, and the API's documents
// must be read by the fast reader (else the fast path would silently never run).

#include "../seed_response.hpp"
#include "json/json_reader.hpp"
#include "json/model_reader.hpp"

#include <humm/analyst/decode.hpp>
#include <humm/analyst/testing/dataset.hpp>

#include <boost/json.hpp>
#include <boost/json/basic_parser_impl.hpp>
#include <boost/test/unit_test.hpp>

#include <optional>
#include <random>
#include <string>
#include <vector>

namespace ha = humm::analyst;
namespace json = boost::json;

namespace {

// Writes each event as a line; string and key parts are joined first.
struct recorder {
  static constexpr std::size_t max_object_size = json::object::max_size();
  static constexpr std::size_t max_array_size = json::array::max_size();
  static constexpr std::size_t max_key_size = json::string::max_size();
  static constexpr std::size_t max_string_size = json::string::max_size();

  std::vector<std::string> events;
  std::string parts;

  bool add(std::string event) {
    events.push_back(std::move(event));
    return true;
  }
  bool on_document_begin(json::error_code&) { return add("begin"); }
  bool on_document_end(json::error_code&) { return add("end"); }
  bool on_object_begin(json::error_code&) { return add("{"); }
  bool on_object_end(std::size_t n, json::error_code&) { return add("} " + std::to_string(n)); }
  bool on_array_begin(json::error_code&) { return add("["); }
  bool on_array_end(std::size_t n, json::error_code&) { return add("] " + std::to_string(n)); }
  bool on_key_part(std::string_view s, std::size_t, json::error_code&) { return parts.append(s), true; }
  bool on_key(std::string_view s, std::size_t, json::error_code&) { return whole("key ", s); }
  bool on_string_part(std::string_view s, std::size_t, json::error_code&) { return parts.append(s), true; }
  bool on_string(std::string_view s, std::size_t, json::error_code&) { return whole("string ", s); }
  bool on_number_part(std::string_view, json::error_code&) { return true; }
  bool on_int64(std::int64_t i, std::string_view, json::error_code&) { return add("int64 " + std::to_string(i)); }
  bool on_uint64(std::uint64_t u, std::string_view, json::error_code&) { return add("uint64 " + std::to_string(u)); }
  bool on_double(double d, std::string_view, json::error_code&) { return add("double " + std::to_string(d)); }
  bool on_bool(bool b, json::error_code&) { return add(b ? "true" : "false"); }
  bool on_null(json::error_code&) { return add("null"); }
  bool on_comment_part(std::string_view, json::error_code&) { return true; }
  bool on_comment(std::string_view, json::error_code&) { return true; }

  bool whole(const char* kind, std::string_view last) {
    add(kind + parts.append(last));
    parts.clear();
    return true;
  }
};

using events = std::optional<std::vector<std::string>>;  // nullopt: rejected, or given up

events boost_events(std::string_view text) {
  json::basic_parser<recorder> parser({});
  json::error_code ec;
  const std::size_t consumed = parser.write_some(false, text.data(), text.size(), ec);
  if (ec || consumed != text.size()) return std::nullopt;
  return std::move(parser.handler().events);
}

events fast_events(std::string_view text) {
  recorder r;
  if (!ha::detail::read_json(text, r)) return std::nullopt;
  return std::move(r.events);
}

std::string shown(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    }
  }
  return out;
}

// Whether the fast reader accepted `text`; when it did, Boost.JSON must agree on every event.
bool agrees(std::string_view text) {
  const events fast = fast_events(text);
  if (!fast) return false;
  const events reference = boost_events(text);
  BOOST_TEST_INFO("input: " << shown(text));
  BOOST_TEST(reference.has_value());
  if (reference) BOOST_TEST(*fast == *reference, boost::test_tools::per_element());
  return true;
}

// The page decoded through Boost.JSON's parser alone (the path before the fast reader), or
// nullopt when that fails.
std::optional<ha::schedule_history> decoded_by_boost_json(std::string_view text) {
  ha::schedule_history result;
  json::basic_parser<ha::detail::model_reader> parser({}, ha::detail::model_sink(result));
  json::error_code ec;
  const std::size_t consumed = parser.write_some(false, text.data(), text.size(), ec);
  if (ec || consumed != text.size() || parser.handler().failed()) return std::nullopt;
  return result;
}

// try_decode (the fast reader, then Boost.JSON when it gives up) decodes `text` exactly as
// Boost.JSON's parser alone does.
void decodes_as_boost_json_does(std::string_view text) {
  const auto fast = ha::try_decode<ha::schedule_history>(text);
  const auto reference = decoded_by_boost_json(text);
  BOOST_TEST_INFO("input: " << shown(text));
  BOOST_TEST(fast.has_value() == reference.has_value());
  if (fast && reference) BOOST_TEST((*fast == *reference));
}

// A generated page of the fake server's data set, as the server writes it.
std::string generated_page(std::uint64_t seed, std::size_t limit) {
  const auto data = ha::testing::make_schedule_data(seed, 250, ha::testing::make_uuid(seed + 1));
  return json::serialize(json::value_from(ha::testing::make_page(data, 0, limit)));
}

// The escapes, non-ASCII text, numbers and nesting a document can hold.
const std::string varied_document =
    R"({"a\"b\\c\/d\b\f\n\r\t": "x\u0041\u00e9\u20ac\uffff\u0000y", "caf\u00e9": "naïve € 😀",
        "numbers": [0, 1, 12, 123456789012345678, 7], "flags": [true, false, null], "empty": [{}, [], ""],
        "nested": {"deeper": [[[{"k": "v"}]]]}})";

}  // namespace

BOOST_AUTO_TEST_SUITE(json_reader)

BOOST_AUTO_TEST_CASE(string_scans_stop_at_the_first_quote_backslash_control_or_non_ascii_byte) {
  // Both ways of finding the stop in 16 bytes: SSE2's (where the compiler has it) and the
  // portable one of other machines, over every length and position around the blocks.
  auto check = [](auto scan, const char* way) {
    const std::string ordinary = " !#[]~\x7f" "0aZ";  // the neighbours of the stops
    for (std::size_t length = 0; length <= 48; ++length) {
      std::string text;
      for (std::size_t i = 0; i < length; ++i) text += ordinary[i % ordinary.size()];
      BOOST_TEST(scan(text.data(), text.data() + length) - text.data() == static_cast<std::ptrdiff_t>(length), way);
      for (std::size_t at = 0; at < length; ++at) {
        for (char stop : {'"', '\\', '\0', '\x1f', '\x80', '\xc3', '\xff'}) {
          std::string with_stop = text;
          with_stop[at] = stop;
          if (at + 1 < length) with_stop[length - 1] = '"';  // a later stop must not be taken
          const auto found = scan(with_stop.data(), with_stop.data() + length) - with_stop.data();
          BOOST_TEST(found == static_cast<std::ptrdiff_t>(at), way << ": length " << length << ", stop at " << at);
        }
      }
    }
  };
  check(ha::detail::plain_run_end_with<false>, "portable");
  if constexpr (ha::detail::have_sse2) check(ha::detail::plain_run_end_with<ha::detail::have_sse2>, "SSE2");
}

BOOST_AUTO_TEST_CASE(the_api_documents_take_the_fast_path) {
  std::vector<std::string> pages{humm_test::seed_response_text()};
  for (std::uint64_t seed : {1, 2, 3}) {
    pages.push_back(generated_page(seed, 20));
    pages.push_back(generated_page(seed, 100));
  }
  BOOST_TEST(agrees(varied_document));
  for (const std::string& text : pages) {
    BOOST_TEST_INFO("input: " << shown(text.substr(0, 200)));
    BOOST_TEST(agrees(text));
    // Into a model too, where keys are matched by their bytes.
    ha::schedule_history page;
    ha::detail::model_reader reader(ha::detail::model_sink(page));
    BOOST_TEST((ha::detail::read_json(text, reader) && !reader.failed()));
    decodes_as_boost_json_does(text);
  }
}

BOOST_AUTO_TEST_CASE(whatever_it_accepts_boost_json_reads_the_same) {
  // Random damage to valid documents: a byte replaced by one that matters to JSON,
  // removed, or doubled. Most results are not JSON; the fast reader may give up on any.
  // Each result is also decoded as a page, both ways.
  const std::string bases[] = {humm_test::seed_response_text(), varied_document, generated_page(7, 20)};
  const std::string bytes = "\"\\{}[]:,0189-+.eE \n\t\r\v\f\x01\x1f\x7f\x80\xbf\xc2\xdf\xe0\xed\xef\xf0\xf4\xf5\xffuntfl/";
  std::mt19937_64 random(12345);
  int accepted = 0, given_up = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string text = bases[i % std::size(bases)];
    for (int damage = 1 + static_cast<int>(random() % 3); damage > 0; --damage) {
      const std::size_t at = random() % text.size();
      switch (random() % 3) {
        case 0: text[at] = bytes[random() % bytes.size()]; break;
        case 1: text.erase(at, 1); break;
        default: text.insert(at, 1, text[at]); break;
      }
    }
    (agrees(text) ? accepted : given_up)++;
    decodes_as_boost_json_does(text);
  }
  BOOST_TEST_MESSAGE("damaged documents: " << accepted << " read fast, " << given_up << " left to Boost.JSON");
  BOOST_TEST(accepted > 1000);  // damage to text inside strings often leaves valid JSON
  BOOST_TEST(given_up > 1000);
}

BOOST_AUTO_TEST_CASE(utf8_is_judged_as_boost_json_judges_it) {
  // Every sequence of one and two bytes, the three-byte ones with every lead and second
  // byte, and the four-byte ones with every lead and second byte, inside a string. Here
  // the fast reader must not even give up where Boost.JSON accepts.
  const unsigned char tails[] = {0x00, 0x20, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xff};
  auto check = [](std::initializer_list<unsigned> sequence) {
    std::string text = "\"a";
    for (unsigned b : sequence) text += static_cast<char>(b);
    text += "b\"";
    const bool fast = agrees(text);
    BOOST_TEST_INFO("input: " << shown(text));
    BOOST_TEST(fast == boost_events(text).has_value());
  };
  for (unsigned a = 0; a < 256; ++a) {
    check({a});
    for (unsigned b = 0; b < 256; ++b) {
      check({a, b});
      if (a < 0xe0) continue;
      for (unsigned char c : tails) {
        check({a, b, c});
        if (a >= 0xf0)
          for (unsigned char d : tails) check({a, b, c, d});
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(escapes_are_read_as_boost_json_reads_them) {
  for (unsigned c = 0; c < 256; ++c) agrees(std::string("\"a\\") + static_cast<char>(c) + "b\"");
  for (const char* text : {R"("\u0041")", R"("\u00e9")", R"("\u07FF")", R"("\u0800")", R"("\uFfFf")", R"("\u0000")",
                           R"("\uabcd\n\uD7FF")"})
    BOOST_TEST(agrees(text), text);
  // Surrogates and malformed escapes are Boost.JSON's to settle.
  for (const char* text : {R"("\ud83d\ude00")", R"("\ud83d")", R"("\ude00")", R"("\u12")", R"("\u12g4")", R"("\x41")"})
    BOOST_TEST(!agrees(text), text);
}

BOOST_AUTO_TEST_CASE(numbers_are_read_as_boost_json_reads_them) {
  for (const char* text : {"0", "7", "10", "123456789012345678", "[0,1]"}) BOOST_TEST(agrees(text), text);
  for (const char* text : {"-1", "-0", "01", "00", "1.5", "1e5", "1E5", "1.", ".5", "-", "+1", "1234567890123456789",
                           "9223372036854775807", "18446744073709551615", "99999999999999999999", "0x10"})
    BOOST_TEST(!agrees(text), text);
}

BOOST_AUTO_TEST_CASE(nesting_deeper_than_31_is_left_to_boost_json) {
  for (int depth = 1; depth <= 40; ++depth) {
    const std::string text = std::string(depth, '[') + std::string(depth, ']');
    BOOST_TEST(agrees(text) == (depth <= 31), "depth " << depth);
  }
}

BOOST_AUTO_TEST_CASE(white_space_literals_and_faults) {
  for (const char* text : {" \t\n\r{ \"a\" : [ true , false , null ] , \"b\" :{ } } \n", "[]", "{}", "\"\"", "null"})
    BOOST_TEST(agrees(text), text);
  for (const char* text : {"", " ", "tru", "nul", "truex", "[1,]", "{,}", "{\"a\":1,}", "[1 2]", "{}x", "{\"a\"}",
                           "{\"a\" 1}", "{1:2}", "[1,\v2]", "\f{}", "{}\x85", "\xef\xbb\xbf{}", "[\"a\x01\"]", "\"unterminated", "/* c */ {}"})
    BOOST_TEST(!agrees(text), shown(text));
}

BOOST_AUTO_TEST_CASE(keys_are_matched_by_their_bytes_only_when_they_are_the_expected_ones) {
  // The fast reader checks the raw bytes of the key the model expects next; a key that is
  // escaped, shorter, longer or out of order takes the full path. Decoded either way, the
  // result must equal Boost.JSON's.
  const std::string seed = humm_test::seed_response_text();
  auto with = [&seed](std::string_view from, std::string_view to) {
    std::string text = seed;
    text.replace(text.find(from), from.size(), to);
    return text;
  };
  for (const std::string& text :
       {with("\"user_id\":", "\"user\\u005fid\":"), with("\"user_id\"", "\"user_id\" "), with("\"status\"", "\"statu\""),
        with("\"status\"", "\"statuss\""), with("\"schedule_id\"", "\"x\":1,\"schedule_id\""),
        with("\"user_email\": \"<string>\",", "")}) {
    BOOST_REQUIRE(ha::try_decode<ha::schedule_history>(std::string_view(text)).has_value());
    decodes_as_boost_json_does(text);
  }
  // The escaped key is still read as user_id.
  const std::string escaped = with("\"user_id\": \"3c90c3cc", "\"user\\u005fid\": \"00000000");
  BOOST_TEST(ha::format_uuid(ha::try_decode<ha::schedule_history>(std::string_view(escaped))->runs[0].user_id) ==
             "00000000-0d44-4b50-8888-8dd25736052a");
}

BOOST_AUTO_TEST_SUITE_END()
