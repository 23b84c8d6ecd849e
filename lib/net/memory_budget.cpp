// Growing a body buffer within its cap and the client's budget (memory_budget.hpp).

#include "net/memory_budget.hpp"

namespace humm::analyst::detail {

std::size_t heap_bytes(std::size_t capacity) noexcept {
  static const std::size_t in_place = std::string().capacity();  // short strings live in the object
  return capacity > in_place ? capacity : 0;
}

growth make_room(std::string& buffer, std::size_t more, std::size_t cap, budget_share& share) {
  const std::size_t size = buffer.size();
  if (more > cap || size > cap - more) return growth::too_large;
  const std::size_t needed = size + more;
  const std::size_t old_capacity = buffer.capacity();
  if (needed <= old_capacity) return growth::ok;
  constexpr std::size_t smallest = 4096;
  const std::size_t doubled = old_capacity > cap / 2 ? cap : std::max(old_capacity * 2, smallest);
  const std::size_t capacity = std::max(needed, std::min(doubled, cap));
  if (!share.take(capacity)) return growth::over_budget;
  // Not buffer.reserve(capacity): libstdc++ rounds a reserve below twice the old capacity up
  // to twice it, past the cap. A fresh string reserves exactly what it is asked for.
  std::string bigger;
  bigger.reserve(capacity);
  bigger.append(buffer);
  buffer.swap(bigger);
  bigger = std::string();
  share.give_back(heap_bytes(old_capacity));
  return growth::ok;
}

}  // namespace humm::analyst::detail
