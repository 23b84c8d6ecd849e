#include <humm/analyst/uuid.hpp>

#include <boost/endian/conversion.hpp>
#include <boost/uuid/uuid_io.hpp>

#include <cstdint>
#include <cstring>

namespace humm::analyst {
namespace {

// Eight hex digits at `p` to four bytes at `out`, all eight at once in one 64-bit word (a
// page holds about 80 UUIDs, so this is on the decoder's hot path). False if any byte is
// not a hex digit.
bool hex8(const char* p, std::uint8_t* out) noexcept {
  constexpr std::uint64_t ones = 0x0101010101010101, high_bits = 0x8080808080808080;
  std::uint64_t word;
  std::memcpy(&word, p, 8);
  word = boost::endian::little_to_native(word);  // p[0] in the lowest byte
  if (word & high_bits) return false;
  // With every byte below 0x80, byte + (0x80 - n) sets the byte's high bit exactly when
  // byte >= n, and never carries into the next byte.
  auto at_least = [](std::uint64_t w, std::uint8_t n) { return w + ones * (0x80 - n); };
  const std::uint64_t digit = at_least(word, '0') & ~at_least(word, '9' + 1) & high_bits;
  const std::uint64_t folded = word | ones * 0x20;  // 'A'-'F' to 'a'-'f'
  const std::uint64_t letter = at_least(folded, 'a') & ~at_least(folded, 'f' + 1) & high_bits;
  if ((digit | letter) != high_bits) return false;
  // A digit's value is its low nibble; a letter's is its low nibble + 9.
  const std::uint64_t nibbles = (word & ones * 0x0f) + (letter >> 7) * 9;
  // Join each even byte (the high nibble) with the odd byte after it, then gather the pairs.
  std::uint64_t bytes = (nibbles << 4 | nibbles >> 8) & 0x00ff00ff00ff00ff;
  bytes = (bytes | bytes >> 8) & 0x0000ffff0000ffff;
  bytes = (bytes | bytes >> 16) & 0xffffffff;
  const auto packed = boost::endian::native_to_little(static_cast<std::uint32_t>(bytes));
  std::memcpy(out, &packed, 4);
  return true;
}

}  // namespace

std::optional<uuid> parse_uuid(std::string_view text) noexcept {
  if (text.size() != 36) return std::nullopt;
  if (text[8] != '-' || text[13] != '-' || text[18] != '-' || text[23] != '-') return std::nullopt;
  // The 32 digits side by side, without the dashes of the 8-4-4-4-12 groups.
  char digits[32];
  const char* t = text.data();
  std::memcpy(digits, t, 8);
  std::memcpy(digits + 8, t + 9, 4);
  std::memcpy(digits + 12, t + 14, 4);
  std::memcpy(digits + 16, t + 19, 4);
  std::memcpy(digits + 20, t + 24, 12);
  uuid result;
  for (int i = 0; i < 4; ++i)
    if (!hex8(digits + 8 * i, result.data + 4 * i)) return std::nullopt;
  return result;
}

std::string format_uuid(const uuid& id) { return boost::uuids::to_string(id); }

}  // namespace humm::analyst
