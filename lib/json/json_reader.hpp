#pragma once
// A fast reader for the JSON the API sends: a whole document in memory, parsed in one pass
// into the events of a boost::json::basic_parser handler (model_reader, json/model_reader.hpp).
//
// It knows the common forms only and gives up (returns false) at anything else: numbers
// with a sign, fraction or exponent, more than 18 digits, \u escapes of surrogates, nesting
// deeper than 31, any syntax error, or a handler that fails. The caller then parses the
// document again with Boost.JSON's parser, which settles and words every such case, so the
// two can differ only in speed. What it accepts, it reports exactly as Boost.JSON does
// (tests/unit/json_reader_test.cpp compares them).
//
// Where the time goes: strings are scanned 16 bytes at a time for a quote, backslash,
// control character or non-ASCII byte (GCC and Clang vector extensions), and non-ASCII
// bytes are checked as RFC 3629 UTF-8. A handler that knows which key comes next
// (model_reader) has it matched by its raw bytes, without a scan or a search.

#include "json/short_equal.hpp"

#include <boost/json/error.hpp>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace humm::analyst::detail {

#if defined(__SSE2__)
constexpr bool have_sse2 = true;
#else
constexpr bool have_sse2 = false;
#endif

// The first byte from `p` on that is a quote, a backslash, a control character or not
// ASCII, or `end`: 16 bytes at a time (GCC and Clang vector extensions). The first stop is
// found with SSE2's movemask where there is one, else from two 64-bit words (the portable
// way, which the tests run here too). Inlined: most strings need one block.
template <bool UseSse2>
[[gnu::always_inline]] inline const char* plain_run_end_with(const char* p, const char* end) {
  static_assert(!UseSse2 || have_sse2);
  using chars16 = signed char __attribute__((vector_size(16)));
  while (end - p >= 16) {
    chars16 c;
    std::memcpy(&c, p, 16);
    // As signed chars, control characters and non-ASCII bytes are both below 0x20.
    const chars16 stop = (c == '"') | (c == '\\') | (c < 0x20);
    if constexpr (UseSse2) {
#if defined(__SSE2__)
      if (const unsigned bits = static_cast<unsigned>(_mm_movemask_epi8(__m128i(stop))); bits != 0)
        return p + std::countr_zero(bits);
#endif
    } else {
      std::uint64_t halves[2];
      std::memcpy(halves, &stop, 16);
      // The byte that comes first in memory is a word's lowest on little-endian machines.
      auto first_set_byte = [](std::uint64_t w) {
        return (std::endian::native == std::endian::little ? std::countr_zero(w) : std::countl_zero(w)) / 8;
      };
      if (halves[0] != 0) return p + first_set_byte(halves[0]);
      if (halves[1] != 0) return p + 8 + first_set_byte(halves[1]);
    }
    p += 16;
  }
  for (; p != end; ++p) {
    const auto c = static_cast<unsigned char>(*p);
    if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
  }
  return p;
}

[[gnu::always_inline]] inline const char* plain_run_end(const char* p, const char* end) {
  return plain_run_end_with<have_sse2>(p, end);
}

template <class Handler>
class json_reader {
 public:
  json_reader(std::string_view text, Handler& handler)
      : begin_(text.data()), end_(text.data() + text.size()), h_(handler) {}

  /// Whether the whole text was one JSON value (with white space around it), all of whose
  /// events the handler took.
  bool read() {
    if (!h_.on_document_begin(ec_)) return false;
    const char* p = value(skip_space(begin_), 0);
    return p && skip_space(p) == end_ && h_.on_document_end(ec_);
  }

 private:
  static constexpr int max_depth = 31;  // Boost.JSON's default limit is 32: stay below it
  static constexpr int max_integer_digits = 18;  // always an int64

  // Each step reads from `p`, the first byte of its part, and returns where the part ends,
  // or nullptr when it gives up. The position is passed along (not kept in a member) so
  // that it stays in a register across the handler's calls.

  const char* value(const char* p, int depth) {
    if (p != end_ && *p == '"') return string(p, false);  // most values
    return not_string(p, depth);
  }

  // Containers, literals and integers: out of line, so that value() stays light for strings.
  [[gnu::noinline]] const char* not_string(const char* p, int depth) {
    if (p == end_) return nullptr;
    switch (*p) {
      case '{': return object(p, depth + 1);
      case '[': return array(p, depth + 1);
      case 't': return literal(p, "true") && h_.on_bool(true, ec_) ? p + 4 : nullptr;
      case 'f': return literal(p, "false") && h_.on_bool(false, ec_) ? p + 5 : nullptr;
      case 'n': return literal(p, "null") && h_.on_null(ec_) ? p + 4 : nullptr;
      default: return integer(p);
    }
  }

  const char* object(const char* p, int depth) {
    if (depth > max_depth || !h_.on_object_begin(ec_)) return nullptr;
    p = skip_space(p + 1);
    std::size_t members = 0;
    if (p != end_ && *p == '}') {
      ++p;
    } else {
      for (;;) {
        if (p == end_ || *p != '"') return nullptr;
        if (const char* after = expected_key_at(p)) {
          p = after;
        } else {
          if (!(p = string(p, true))) return nullptr;
          p = skip_space(p);
          if (p == end_ || *p != ':') return nullptr;
          ++p;
        }
        if (!(p = value(skip_space(p), depth))) return nullptr;
        ++members;
        p = skip_space(p);
        if (p == end_) return nullptr;
        const char next = *p++;
        if (next == '}') break;
        if (next != ',') return nullptr;
        p = skip_space(p);
      }
    }
    return h_.on_object_end(members, ec_) ? p : nullptr;
  }

  const char* array(const char* p, int depth) {
    if (depth > max_depth || !h_.on_array_begin(ec_)) return nullptr;
    p = skip_space(p + 1);
    std::size_t elements = 0;
    if (p != end_ && *p == ']') {
      ++p;
    } else {
      for (;;) {
        if (!(p = value(p, depth))) return nullptr;
        ++elements;
        p = skip_space(p);
        if (p == end_) return nullptr;
        const char next = *p++;
        if (next == ']') break;
        if (next != ',') return nullptr;
        p = skip_space(p);
      }
    }
    return h_.on_array_end(elements, ec_) ? p : nullptr;
  }

  // When the handler expects a key (model_reader does) and `"key":` is at `p`, tells the
  // handler and returns the end of it; else nullptr, and the key is read in full. Keys
  // come in the same order object after object, so this nearly always holds.
  const char* expected_key_at(const char* p) {
    if constexpr (requires { h_.expected_key(); }) {
      const std::string_view key = h_.expected_key();
      const std::size_t n = key.size();
      if (n == 0 || static_cast<std::size_t>(end_ - p) < n + 3 || p[n + 1] != '"' || p[n + 2] != ':' ||
          !same_bytes(p + 1, key.data(), n))
        return nullptr;
      h_.on_expected_key();
      return p + n + 3;
    } else {
      return nullptr;
    }
  }

  // A non-negative integer of at most 18 digits, without a leading zero unless it is 0.
  const char* integer(const char* p) {
    const char* first = p;
    std::int64_t n = 0;
    for (; p != end_ && *p >= '0' && *p <= '9'; ++p)
      if (p - first < max_integer_digits) n = n * 10 + (*p - '0');
    const auto digits = p - first;
    if (digits == 0 || digits > max_integer_digits || (digits > 1 && *first == '0')) return nullptr;
    if (p != end_ && (*p == '.' || *p == 'e' || *p == 'E')) return nullptr;
    return h_.on_int64(n, std::string_view(first, static_cast<std::size_t>(digits)), ec_) ? p : nullptr;
  }

  bool literal(const char* p, std::string_view word) const {
    return static_cast<std::size_t>(end_ - p) >= word.size() && std::memcmp(p, word.data(), word.size()) == 0;
  }

  const char* skip_space(const char* p) const {
    // Every white-space character is at most ' '; the API sends none between tokens.
    while (p != end_ && static_cast<unsigned char>(*p) <= ' ' && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
      ++p;
    return p;
  }

  // A string at its opening quote, given whole to on_key or on_string.
  const char* string(const char* p, bool is_key) {
    const char* first = p + 1;
    p = plain_run_end(first, end_);
    if (p == end_ || *p != '"') return string_with_escapes_or_utf8(p, first, is_key);
    return deliver(is_key, std::string_view(first, static_cast<std::size_t>(p - first))) ? p + 1 : nullptr;
  }

  // The rest of a string that has an escape, a non-ASCII byte or a fault, from `p`; `run`
  // is where the bytes not yet copied begin. The text is a view of the input while nothing
  // was unescaped, else the unescaped copy in scratch_.
  [[gnu::noinline]] const char* string_with_escapes_or_utf8(const char* p, const char* run, bool is_key) {
    bool escaped = false;
    for (;;) {
      if (p == end_) return nullptr;
      const auto c = static_cast<unsigned char>(*p);
      if (c == '"') break;
      if (c == '\\') {
        if (!escaped) scratch_.clear();
        escaped = true;
        scratch_.append(run, p);
        if (!(p = unescape(p))) return nullptr;
        run = p;
      } else if (const std::size_t length = c < 0x20 ? 0 : utf8_sequence(p, end_); length != 0) {
        p += length;
      } else {
        return nullptr;
      }
      p = plain_run_end(p, end_);
    }
    std::string_view text(run, static_cast<std::size_t>(p - run));
    if (escaped) text = scratch_.append(text);
    return deliver(is_key, text) ? p + 1 : nullptr;
  }

  bool deliver(bool is_key, std::string_view text) {
    return is_key ? h_.on_key(text, text.size(), ec_) : h_.on_string(text, text.size(), ec_);
  }

  // The length of the well-formed UTF-8 sequence at `p` (RFC 3629: no overlong forms, no
  // surrogates, nothing past U+10FFFF), or 0.
  static std::size_t utf8_sequence(const char* p, const char* end) {
    const auto byte = [p](int i) { return static_cast<unsigned char>(p[i]); };
    const auto continuation = [](unsigned char b) { return (b & 0xc0) == 0x80; };
    const auto available = end - p;
    const unsigned char lead = byte(0);
    if (lead >= 0xc2 && lead <= 0xdf) return available >= 2 && continuation(byte(1)) ? 2 : 0;
    if (lead >= 0xe0 && lead <= 0xef) {
      if (available < 3 || !continuation(byte(1)) || !continuation(byte(2))) return 0;
      if (lead == 0xe0 && byte(1) < 0xa0) return 0;   // overlong
      if (lead == 0xed && byte(1) >= 0xa0) return 0;  // a surrogate
      return 3;
    }
    if (lead >= 0xf0 && lead <= 0xf4) {
      if (available < 4 || !continuation(byte(1)) || !continuation(byte(2)) || !continuation(byte(3))) return 0;
      if (lead == 0xf0 && byte(1) < 0x90) return 0;   // overlong
      if (lead == 0xf4 && byte(1) >= 0x90) return 0;  // past U+10FFFF
      return 4;
    }
    return 0;
  }

  // The escape at the backslash `p`, appended to scratch_ unescaped; returns its end.
  const char* unescape(const char* p) {
    if (end_ - p < 2) return nullptr;
    const char kind = p[1];
    p += 2;
    switch (kind) {
      case '"': scratch_ += '"'; return p;
      case '\\': scratch_ += '\\'; return p;
      case '/': scratch_ += '/'; return p;
      case 'b': scratch_ += '\b'; return p;
      case 'f': scratch_ += '\f'; return p;
      case 'n': scratch_ += '\n'; return p;
      case 'r': scratch_ += '\r'; return p;
      case 't': scratch_ += '\t'; return p;
      case 'u': break;
      default: return nullptr;
    }
    if (end_ - p < 4) return nullptr;
    unsigned code = 0;
    for (int i = 0; i < 4; ++i) {
      const char h = *p++;
      const int digit = h >= '0' && h <= '9'   ? h - '0'
                        : h >= 'a' && h <= 'f' ? h - 'a' + 10
                        : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                               : -1;
      if (digit < 0) return nullptr;
      code = code * 16 + static_cast<unsigned>(digit);
    }
    if (code >= 0xd800 && code <= 0xdfff) return nullptr;  // pairs and lone halves: Boost.JSON's
    if (code < 0x80) {
      scratch_ += static_cast<char>(code);
    } else if (code < 0x800) {
      scratch_ += static_cast<char>(0xc0 | code >> 6);
      scratch_ += static_cast<char>(0x80 | (code & 0x3f));
    } else {
      scratch_ += static_cast<char>(0xe0 | code >> 12);
      scratch_ += static_cast<char>(0x80 | (code >> 6 & 0x3f));
      scratch_ += static_cast<char>(0x80 | (code & 0x3f));
    }
    return p;
  }

  const char* begin_;
  const char* end_;
  Handler& h_;
  std::string scratch_;
  boost::json::error_code ec_;
};

/// Reads `text` into `handler`'s events; false when it gives up (see above).
template <class Handler>
bool read_json(std::string_view text, Handler& handler) {
  return json_reader<Handler>(text, handler).read();
}

}  // namespace humm::analyst::detail
