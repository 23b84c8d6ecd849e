#pragma once
// The runs a walk has handed out, so that each is handed out once, whatever the server
// repeats: offset pages shift when runs are created during a walk, and a hostile server may
// cycle through the same pages. Every id is kept (16 bytes each, in one flat table at most
// half full: 32 to 64 bytes a run), which is what lets a walk tell that its pages stopped
// bringing new runs.

#include <humm/analyst/uuid.hpp>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace humm::analyst::detail {

class run_ledger {
 public:
  run_ledger();

  /// Records `id`; false when it was recorded before.
  bool admit(const uuid& id);
  std::size_t size() const noexcept { return size_; }

 private:
  std::size_t slot_of(const uuid& id) const noexcept;
  void grow();

  // Open addressing with linear probing; the all-zero uuid marks a free slot, so the nil
  // uuid itself is tracked apart. The hash is seeded per ledger: ids chosen by a server to
  // collide cannot make it slow.
  std::vector<uuid> slots_;
  std::size_t size_ = 0;
  bool has_nil_ = false;
  std::uint64_t seed_;
};

}  // namespace humm::analyst::detail
