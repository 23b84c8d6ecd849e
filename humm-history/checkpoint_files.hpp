#pragma once
// The files of `batch --state`, written so that a crash at any instant leaves them
// consistent: the journal (locked against a second batch, replaced atomically by a new
// generation, appended and synced line by line), the output (cut back to what the journal
// committed), and each schedule's text until it is committed, in memory and, past a limit,
// in an unlinked temporary file beside the output.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace humm_history {

/// A file descriptor closed at destruction.
class unique_fd {
 public:
  unique_fd() = default;
  explicit unique_fd(int fd) : fd_(fd) {}
  unique_fd(unique_fd&& other) noexcept : fd_(other.release()) {}
  unique_fd& operator=(unique_fd&& other) noexcept;
  ~unique_fd();
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }
  explicit operator bool() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

/// The longest journal line read: far more than a record holds (a failed one's oldest ids
/// are at most 1000).
inline constexpr std::size_t max_journal_line = std::size_t{1} << 20;

/// The journal file, locked (flock) for as long as this object lives, so that two batches
/// never write one journal.
class journal_file {
 public:
  journal_file() = default;
  journal_file(const journal_file&) = delete;
  journal_file& operator=(const journal_file&) = delete;
  /// A journal this object created and never wrote (the batch stopped before it began) is removed.
  ~journal_file();

  /// Opens and locks `path`, creating it empty when missing, and reads it into `text`; refuses
  /// a file whose first line is no journal header, or with a line over max_journal_line.
  bool open(const std::string& path, std::string& text, std::string& why);
  /// Cuts the journal to `length` bytes: a torn last line goes before anything is appended.
  bool truncate(std::uint64_t length, std::string& why);
  /// Replaces the whole journal by `lines`: written to a temporary file beside it, synced,
  /// then renamed over it, so a crash leaves either the old journal or the new one (and the
  /// temporary file, which the next open() removes).
  bool replace(std::string_view lines, std::string& why);
  /// Appends `lines` and waits until they are on disk.
  bool append(std::string_view lines, std::string& why);

 private:
  void remove_stale_replacements();

  std::string path_;
  unique_fd fd_;
  bool created_ = false, written_ = false;
  unique_fd replaced_;  // the file replace() renamed over, still locked: a batch that opened it before waits
};

/// The output file of a batch with a journal: only ever appended to at its committed end,
/// and locked (flock) for as long as this object lives, so that two batches never write it.
class output_file {
 public:
  /// Opens and locks `path`, creating it when missing; nothing is cut yet.
  bool open(const std::string& path, std::string& why);
  /// Cuts the file to `committed` bytes, the journal's length, and appends from there. A file
  /// shorter than that was changed since, and is refused; one replaced by a file at least as
  /// long is not noticed (the journal records no file identity).
  bool cut_to(std::uint64_t committed, std::string& why);
  bool append(std::string_view text, std::string& why);
  /// Appends `length` bytes of the file `from`, from its start.
  bool append_file(int from, std::uint64_t length, std::string& why);
  /// Waits until everything appended is on disk.
  bool sync(std::string& why);
  std::uint64_t length() const { return length_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  unique_fd fd_;
  std::uint64_t length_ = 0;
};

/// One schedule's text, held until the schedule ends, so that each schedule reaches the output
/// in one piece and a journal line can delimit it. Past `memory_limit` bytes the text moves
/// to a temporary file in `directory` (the output's: same disk, and /tmp may be small),
/// unlinked at once so that a crash leaves nothing behind.
class schedule_spool {
 public:
  schedule_spool(std::string directory, std::size_t memory_limit)
      : directory_(std::move(directory)), memory_limit_(memory_limit) {}

  /// Appends through `append_to(std::string&)`, as humm::analyst::append_json does.
  template <class AppendTo>
  void write_with(AppendTo&& append_to) {
    append_to(text_);
    if (text_.size() >= memory_limit_) spill();
  }
  /// Appends the whole text to `out`.
  bool copy_to(output_file& out, std::string& why);
  /// Why the text could not be kept (spilling failed), or "".
  const std::string& error() const { return error_; }

 private:
  void spill();

  std::string directory_;
  std::size_t memory_limit_;
  std::string text_;
  unique_fd file_;
  std::uint64_t spilled_ = 0;
  std::string error_;
};

/// Whether a file operation that failed with `error` may succeed when the batch is run again
/// (exit 1): another batch holds a lock, a full disk, an I/O error. Not so a path that cannot
/// be opened (EACCES, ENOENT): the arguments must change (exit 2).
bool worth_retrying(int error);
/// The same, for the last failure of the functions above in this thread (false for a refusal
/// of the file itself: not a regular file, or shorter than its journal committed).
bool last_failure_worth_retrying();

/// The directory of `path`, for temporary files beside it.
std::string directory_of(const std::string& path);

}  // namespace humm_history
