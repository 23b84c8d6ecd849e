#pragma once
// Equality of short byte strings (JSON keys) without a call to memcmp: the decoder compares
// a few hundred keys per page, and nearly all are 4 to 16 bytes long.

#include <cstdint>
#include <cstring>
#include <string_view>

namespace humm::analyst::detail {

// Whether the n bytes at `a` and `b` are equal, compared as two overlapping words
// (sizeof(Word) <= n <= 2 sizeof(Word)).
template <class Word>
bool same_words(const char* a, const char* b, std::size_t n) {
  auto load = [](const char* p) {
    Word w;
    std::memcpy(&w, p, sizeof w);
    return w;
  };
  return load(a) == load(b) && load(a + n - sizeof(Word)) == load(b + n - sizeof(Word));
}

/// Whether the `n` bytes at `a` and at `b` are equal.
inline bool same_bytes(const char* a, const char* b, std::size_t n) {
  if (n >= 8 && n <= 16) return same_words<std::uint64_t>(a, b, n);
  if (n >= 4 && n < 8) return same_words<std::uint32_t>(a, b, n);
  return std::memcmp(a, b, n) == 0;
}

/// Whether two keys are equal.
inline bool same_key(std::string_view a, std::string_view b) {
  return a.size() == b.size() && same_bytes(a.data(), b.data(), a.size());
}

}  // namespace humm::analyst::detail
