#pragma once
// The schedule ids of a batch: one per line, blank lines and `#` comments ignored, and the
// shard of them this job walks.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace humm_history {

struct schedule_list {
  std::vector<std::string> ids;       ///< canonical (lowercase) ids, in file order, each once
  std::vector<std::string> problems;  ///< "SOURCE:LINE: reason" for each line that is not an id
  std::size_t repeated = 0;           ///< ids listed more than once (walked once)
};

/// Reads ids from `text`; `source` names it in problems ("ids.txt", "<stdin>").
schedule_list parse_schedule_list(std::string_view text, const std::string& source);

/// Shard K of N (`index` = K - 1), from the text "K/N".
struct shard {
  std::uint64_t index = 0;
  std::uint64_t count = 1;
};

/// nullopt, with the reason in `why`, for text that is not K/N with 1 <= K <= N.
std::optional<shard> parse_shard(std::string_view text, std::string& why);

/// Whether shard `s` walks `canonical_id`: FNV-1a 64 of the lowercase canonical id, modulo
/// N, equals K - 1. Any language computes the same split (see --help).
bool in_shard(const std::string& canonical_id, const shard& s);

}  // namespace humm_history
