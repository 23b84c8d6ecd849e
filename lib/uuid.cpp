#include <humm/analyst/uuid.hpp>

#include <boost/uuid/uuid_io.hpp>

namespace humm::analyst {
namespace {

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<uuid> parse_uuid(std::string_view text) noexcept {
  if (text.size() != 36) return std::nullopt;
  uuid result{};
  std::size_t byte = 0;
  for (std::size_t i = 0; i < 36;) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (text[i] != '-') return std::nullopt;
      ++i;
      continue;
    }
    const int high = hex_value(text[i]);
    const int low = hex_value(text[i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    result.data[byte++] = static_cast<std::uint8_t>(high << 4 | low);
    i += 2;
  }
  return result;
}

std::string format_uuid(const uuid& id) { return boost::uuids::to_string(id); }

}  // namespace humm::analyst
