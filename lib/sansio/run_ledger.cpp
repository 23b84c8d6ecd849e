// The flat table of run_ledger.hpp.

#include "sansio/run_ledger.hpp"

#include <cstring>
#include <random>

namespace humm::analyst::detail {

namespace {

bool is_nil(const uuid& id) noexcept { return id.is_nil(); }

std::uint64_t mix(std::uint64_t x) noexcept {  // the finaliser of SplitMix64
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

run_ledger::run_ledger() : slots_(64), seed_(std::random_device{}()) {}

std::size_t run_ledger::slot_of(const uuid& id) const noexcept {
  std::uint64_t words[2];
  std::memcpy(words, id.data, sizeof words);
  return static_cast<std::size_t>(mix(words[0] ^ seed_) ^ mix(words[1] + seed_)) & (slots_.size() - 1);
}

bool run_ledger::admit(const uuid& id) {
  if (is_nil(id)) {
    const bool fresh = !has_nil_;
    has_nil_ = true;
    size_ += fresh;
    return fresh;
  }
  for (std::size_t i = slot_of(id);; i = (i + 1) & (slots_.size() - 1)) {
    if (slots_[i] == id) return false;
    if (is_nil(slots_[i])) {
      slots_[i] = id;
      ++size_;
      if (2 * size_ > slots_.size()) grow();  // at most half full keeps probes short
      return true;
    }
  }
}

void run_ledger::grow() {
  std::vector<uuid> old(slots_.size() * 2);
  old.swap(slots_);
  for (const uuid& id : old)
    if (!is_nil(id))
      for (std::size_t i = slot_of(id);; i = (i + 1) & (slots_.size() - 1))
        if (is_nil(slots_[i])) {
          slots_[i] = id;
          break;
        }
}

}  // namespace humm::analyst::detail
