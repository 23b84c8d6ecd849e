// UUIDs: the canonical 8-4-4-4-12 form parsed with vector instructions, and formatted.

#include <humm/analyst/uuid.hpp>

#include "value_text.hpp"

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>

namespace humm::analyst {
namespace {

// Sixteen bytes side by side (GCC and Clang vector extensions: SSE2 on x86-64, NEON on
// ARM, plain words elsewhere). A page holds about 80 UUIDs, so this is on the decoder's
// hot path.
using bytes16 = std::uint8_t __attribute__((vector_size(16)));
using words2 = std::uint64_t __attribute__((vector_size(16)));

// The 8 bytes at `p`, and the 4 at `a` followed by the 4 at `b`, as words whose bytes lie
// in memory in that order.
std::uint64_t load8(const char* p) {
  std::uint64_t w;
  std::memcpy(&w, p, 8);
  return w;
}
std::uint64_t load4_4(const char* a, const char* b) {
  std::uint32_t first, second;
  std::memcpy(&first, a, 4);
  std::memcpy(&second, b, 4);
  if constexpr (std::endian::native == std::endian::little)
    return first | std::uint64_t{second} << 32;
  else
    return std::uint64_t{first} << 32 | second;
}

}  // namespace

std::optional<uuid> parse_uuid(std::string_view text) noexcept {
  if (text.size() != 36) return std::nullopt;
  if (text[8] != '-' || text[13] != '-' || text[18] != '-' || text[23] != '-') return std::nullopt;
  // The 32 digits side by side, without the dashes of the 8-4-4-4-12 groups, gathered in
  // registers (a copy through memory would make the vector loads wait for the stores).
  const char* t = text.data();
  const bytes16 chars[2] = {bytes16(words2{load8(t), load4_4(t + 9, t + 14)}),
                             bytes16(words2{load4_4(t + 19, t + 24), load8(t + 28)})};
  bytes16 nibbles[2], bad{};
  for (int i = 0; i < 2; ++i) {
    // A comparison gives each byte all ones (true) or zero.
    const bytes16 c = chars[i], folded = c | 0x20;  // 'A'-'F' to 'a'-'f'
    const auto digit = bytes16(c >= '0') & bytes16(c <= '9');
    const auto letter = bytes16(folded >= 'a') & bytes16(folded <= 'f');
    bad |= ~(digit | letter);
    nibbles[i] = (c & 0x0f) + (letter & 9);  // a letter's value is its low nibble + 9
  }
  std::uint64_t bad_words[2];
  std::memcpy(bad_words, &bad, 16);
  if (bad_words[0] | bad_words[1]) return std::nullopt;
  // Each byte of the UUID joins an even digit (its high nibble) with the odd one after it.
  const bytes16 high = __builtin_shufflevector(nibbles[0], nibbles[1], 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22,
                                               24, 26, 28, 30);
  const bytes16 low = __builtin_shufflevector(nibbles[0], nibbles[1], 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23,
                                              25, 27, 29, 31);
  const bytes16 joined = (high << 4) | low;
  uuid result;
  std::memcpy(result.data, &joined, 16);
  return result;
}

namespace {

// Each byte's two lowercase hex digits: one store per byte.
constexpr auto hex_pairs = [] {
  std::array<char, 512> pairs{};
  constexpr char hex[] = "0123456789abcdef";
  for (int i = 0; i < 256; ++i) {
    pairs[2 * i] = hex[i >> 4];
    pairs[2 * i + 1] = hex[i & 15];
  }
  return pairs;
}();

// The digits of `count` bytes from `bytes`.
char* put_hex(char* out, const std::uint8_t* bytes, std::size_t count) noexcept {
  for (std::size_t i = 0; i < count; ++i, out += 2) std::memcpy(out, &hex_pairs[2 * bytes[i]], 2);
  return out;
}

}  // namespace

char* detail::write_uuid(char* out, const uuid& id) noexcept {
  out = put_hex(out, id.data, 4);
  *out++ = '-';
  out = put_hex(out, id.data + 4, 2);
  *out++ = '-';
  out = put_hex(out, id.data + 6, 2);
  *out++ = '-';
  out = put_hex(out, id.data + 8, 2);
  *out++ = '-';
  return put_hex(out, id.data + 10, 6);
}

std::string format_uuid(const uuid& id) {
  char buffer[detail::uuid_chars];
  return std::string(buffer, detail::write_uuid(buffer, id));
}

}  // namespace humm::analyst
