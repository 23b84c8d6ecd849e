#include <humm/analyst/uuid.hpp>

#include <boost/uuid/uuid_io.hpp>

#include <array>
#include <cstdint>

namespace humm::analyst {
namespace {

// Nibble values of hex digits; 0xff for every other byte.
constexpr auto hex_values = [] {
  std::array<std::uint8_t, 256> table{};
  table.fill(0xff);
  for (int c = 0; c < 10; ++c) table['0' + c] = static_cast<std::uint8_t>(c);
  for (int c = 0; c < 6; ++c) {
    table['a' + c] = static_cast<std::uint8_t>(10 + c);
    table['A' + c] = static_cast<std::uint8_t>(10 + c);
  }
  return table;
}();

}  // namespace

std::optional<uuid> parse_uuid(std::string_view text) noexcept {
  if (text.size() != 36) return std::nullopt;
  if (text[8] != '-' || text[13] != '-' || text[18] != '-' || text[23] != '-') return std::nullopt;
  // Where each byte's two hex digits start in the canonical form.
  static constexpr std::uint8_t starts[16] = {0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34};
  uuid result{};
  unsigned invalid = 0;
  for (std::size_t b = 0; b < 16; ++b) {
    const std::uint8_t high = hex_values[static_cast<unsigned char>(text[starts[b]])];
    const std::uint8_t low = hex_values[static_cast<unsigned char>(text[starts[b] + 1])];
    invalid |= high | low;
    result.data[b] = static_cast<std::uint8_t>(high << 4 | low);
  }
  if (invalid & 0xf0) return std::nullopt;
  return result;
}

std::string format_uuid(const uuid& id) { return boost::uuids::to_string(id); }

}  // namespace humm::analyst
