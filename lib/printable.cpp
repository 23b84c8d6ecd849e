// printable(): escaping what a terminal would act on (printable.hpp).

#include <humm/analyst/printable.hpp>

#include <cstdint>
#include <cstdio>

namespace humm::analyst {
namespace {

// The length of the valid UTF-8 sequence at `at` (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF) and its code point; 0 when the bytes are not one.
std::size_t utf8_sequence(std::string_view text, std::size_t at, char32_t& code) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[at + i]); };
  const unsigned char lead = byte(0);
  const std::size_t size = lead >= 0xC2 && lead <= 0xDF   ? 2
                           : lead >= 0xE0 && lead <= 0xEF ? 3
                           : lead >= 0xF0 && lead <= 0xF4 ? 4
                                                          : 0;
  if (size == 0 || text.size() - at < size) return 0;
  code = lead & (0x7F >> size);
  for (std::size_t i = 1; i < size; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
    code = (code << 6) | (byte(i) & 0x3F);
  }
  const bool overlong = (size == 3 && code < 0x800) || (size == 4 && code < 0x10000);
  if (overlong || (code >= 0xD800 && code <= 0xDFFF) || code > 0x10FFFF) return 0;
  return size;
}

void append_escape(std::string& out, const char* format, unsigned value) {
  char text[16];
  const int n = std::snprintf(text, sizeof text, format, value);
  out.append(text, static_cast<std::size_t>(n));
}

}  // namespace

bool acts_on_terminal(char32_t c) noexcept {
  return c < 0x20 || (c >= 0x7F && c < 0xA0)  // C0 controls, DEL, C1 controls (CSI, OSC, NEL, ...)
         || c == 0x2028 || c == 0x2029        // line and paragraph separators
         || (c >= 0x200E && c <= 0x200F)      // left-to-right and right-to-left marks
         || (c >= 0x202A && c <= 0x202E)      // embeddings and overrides
         || (c >= 0x2066 && c <= 0x2069);     // isolates
}

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t at = 0; at < text.size();) {
    const auto c = static_cast<unsigned char>(text[at]);
    if (c >= 0x20 && c < 0x7F) {
      out += static_cast<char>(c);
      ++at;
    } else if (c < 0x80) {
      switch (c) {
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default: append_escape(out, "\\x%02x", c);
      }
      ++at;
    } else if (char32_t code; const std::size_t size = utf8_sequence(text, at, code)) {
      if (acts_on_terminal(code))
        append_escape(out, "\\u{%04X}", static_cast<unsigned>(code));
      else
        out.append(text, at, size);
      at += size;
    } else {
      append_escape(out, "\\x%02x", c);
      ++at;
    }
  }
  return out;
}

}  // namespace humm::analyst
