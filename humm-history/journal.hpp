#pragma once
// The journal of `batch --state`: what a batch has committed to its --output file, in JSON
// lines, so that a batch stopped at any point (SIGKILL included) resumes with every run in
// the output exactly once. Pure: journal text in, state out, and the lines to append; the
// files themselves are handled by checkpoint_files.*.
//
// A journal holds one generation of a batch (a new one replaces it: --incremental):
//   {"humm_history_batch_journal":1,"generation":G,"org":...,...}   the header, always line 1
//     (version 1 still: "base_url" was added later, optional; older readers ignore it)
//   {"synced":ID,"newest":T}   carried from earlier generations: the newest run walked of ID
//   {"done":ID,"runs":N,"newest":T,"output_length":L}
//   {"failed":ID,"runs":N,"newest":T,"resume_offset":K,"oldest":T,"oldest_ids":[...],"error":E,"output_length":L}
//   {"end":true,"output_length":L}   every schedule of the generation has a record
// A record's output_length is the output's length once its runs were written: bytes past the
// last record's length are uncommitted, and a resume truncates them. A line is appended only
// after the output bytes it commits were flushed to disk, so the journal never claims more
// than the output holds.

#include <humm/analyst/timestamp.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace humm_history {

/// What must be the same to resume a generation; the journal's header records it.
struct batch_identity {
  std::string organization{};
  std::string format{};           ///< ndjson or csv
  std::string schedules{};        ///< fingerprint of the list of ids (schedules_fingerprint)
  std::size_t schedule_count = 0;
  std::string output{};           ///< the --output file, as an absolute path
  std::string since{};            ///< --since as given ("" without); a duration counts from the generation's start
  bool incremental = false;
  std::int64_t overlap_s = 0;     ///< --overlap in seconds, with --incremental
  /// --base-url as given, less any user:password@ (added later: "" in an older journal, which
  /// then resumes against any server)
  std::string base_url{};

  bool operator==(const batch_identity&) const = default;
};

/// The first line of a journal.
struct journal_header {
  std::uint64_t generation = 1;
  batch_identity identity{};
  std::optional<humm::analyst::timestamp> since_time{};  ///< --since, resolved when the generation began
};

/// The outcome of one schedule's walk in a generation, as committed.
struct schedule_record {
  bool failed = false;
  std::string schedule_id{};
  std::uint64_t runs = 0;  ///< runs this record committed to the output
  /// The newest created_at walked of this schedule in this generation (earlier records' included).
  std::optional<humm::analyst::timestamp> newest{};
  // A failed walk: where to go on (--retry-failed), and which runs it already committed, so
  // that pages shifted by new runs do not repeat them.
  std::int64_t resume_offset = 0;
  std::string error{};
  std::optional<humm::analyst::timestamp> oldest{};  ///< the oldest created_at committed
  std::vector<std::string> oldest_ids{};             ///< the ids committed with exactly that created_at
  std::uint64_t output_length = 0;
};

/// A journal read back: its header, then each schedule's latest record.
struct journal_state {
  journal_header header{};
  std::map<std::string, humm::analyst::timestamp> synced{};
  std::map<std::string, schedule_record> records{};
  bool ended = false;
  std::uint64_t output_length = 0;  ///< the output's committed length
  /// Bytes of the journal up to its last whole line: a torn last line (a crash while it was
  /// appended) is ignored, and cut off before anything is appended again.
  std::size_t valid_bytes = 0;
};

/// Reads a journal's text. nullopt, with "PATH:LINE: reason" in `why`, when a line other than
/// the last is not a journal line, or the first line is not a header: a file that is no
/// journal of ours is never taken for an empty one (and never overwritten).
std::optional<journal_state> parse_journal(std::string_view text, const std::string& path, std::string& why);

/// The lines to append, each ending in '\n'. They hold ids, times, counts, paths and error
/// messages (already free of the token, api_error's promise); never an argument's secret.
std::string header_line(const journal_header& header);
std::string synced_line(const std::string& schedule_id, humm::analyst::timestamp newest);
std::string record_line(const schedule_record& record);
std::string end_line(std::uint64_t output_length);

/// The fingerprint of a batch's ids: FNV-1a 64 of the ids joined by newlines, in hex.
std::string schedules_fingerprint(const std::vector<std::string>& ids);

}  // namespace humm_history
