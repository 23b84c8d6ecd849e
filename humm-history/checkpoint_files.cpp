// The journal, output and spool files of `batch --state` (checkpoint_files.hpp): POSIX
// calls, each failure told with the file's path and errno's text.

#include "checkpoint_files.hpp"

#include "journal.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

namespace humm_history {

namespace {

// The errno of the last failure, for last_failure_worth_retrying(); 0 for a refusal of the
// file itself (not a regular file, shorter than committed).
thread_local int failure_errno = 0;

bool fail(std::string& why, const std::string& what, const std::string& path, int error = errno) {
  failure_errno = error;
  why = "cannot " + what + " '" + path + "': " + std::strerror(error);
  return false;
}

bool refuse(std::string& why, std::string text, int error = 0) {
  failure_errno = error;
  why = std::move(text);
  return false;
}

bool write_all(int fd, std::string_view data, const std::string& path, std::string& why) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(why, "write", path);
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

bool sync(int fd, const std::string& path, std::string& why) {
  while (::fdatasync(fd) != 0)
    if (errno != EINTR) return fail(why, "sync", path);
  return true;
}

// A rename is durable once the directory that holds it is synced.
bool sync_directory(const std::string& directory, std::string& why) {
  const unique_fd dir(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir) return fail(why, "open the directory", directory);
  if (::fsync(dir.get()) != 0 && errno != EINVAL) return fail(why, "sync the directory", directory);
  return true;
}

}  // namespace

bool worth_retrying(int error) {
  switch (error) {
    case EWOULDBLOCK:  // another batch holds the lock (EAGAIN on Linux)
    case EIO:
    case ENOSPC:
    case EDQUOT:
    case EINTR:
    case ENOMEM:
    case EMFILE:
    case ENFILE:
    case ENOLCK:
    case ETIMEDOUT:
    case ESTALE:  // an NFS server's
      return true;
    default:  // EACCES, ENOENT, ENOTDIR, EROFS...: the path must change
      return false;
  }
}

bool last_failure_worth_retrying() { return worth_retrying(failure_errno); }

unique_fd& unique_fd::operator=(unique_fd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.release();
  }
  return *this;
}

unique_fd::~unique_fd() {
  if (fd_ >= 0) ::close(fd_);
}

std::string directory_of(const std::string& path) {
  const auto parent = std::filesystem::absolute(path).parent_path();
  return parent.empty() ? "." : parent.string();
}

// Only the file this object created and still has open is removed: another batch, or the
// user, may have put another file at the path since (a rename over it), and that one stays.
// (A rename between this check and the unlink remains possible, but only in that instant.)
journal_file::~journal_file() {
  if (!created_ || written_) return;
  struct stat at_path {}, ours {};
  if (::stat(path_.c_str(), &at_path) == 0 && ::fstat(fd_.get(), &ours) == 0 && at_path.st_dev == ours.st_dev &&
      at_path.st_ino == ours.st_ino)
    ::unlink(path_.c_str());
}

bool journal_file::open(const std::string& path, std::string& text, std::string& why) {
  path_ = path;
  for (int attempt = 1;; ++attempt) {
    fd_ = unique_fd(::open(path.c_str(), O_RDWR | O_CLOEXEC));
    bool creating = false;
    if (!fd_ && errno == ENOENT) {
      fd_ = unique_fd(::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
      creating = bool(fd_);
    }
    if (!fd_) return fail(why, "open the journal", path);
    struct stat info {};
    if (::fstat(fd_.get(), &info) != 0) return fail(why, "read the journal", path);
    if (!S_ISREG(info.st_mode)) return refuse(why, "--state: '" + path + "' is not a regular file");
    if (::flock(fd_.get(), LOCK_EX | LOCK_NB) != 0) {
      if (errno == EWOULDBLOCK)
        return refuse(why, "--state: '" + path + "' is in use by another humm-history batch", EWOULDBLOCK);
      return fail(why, "lock the journal", path);
    }
    // The file locked may no longer be the journal: a batch that replaced it (a new
    // generation) between our open and our lock, and has ended since. Then the new one.
    struct stat at_path {};
    if (::stat(path.c_str(), &at_path) == 0 && at_path.st_dev == info.st_dev && at_path.st_ino == info.st_ino) {
      // Ours to remove only once locked: a batch that opened the new file and locked it
      // first owns it, and this one's destructor must leave it.
      created_ = creating;
      break;
    }
    if (attempt == 3)
      return refuse(why, "--state: '" + path + "' keeps being replaced by another humm-history batch", EWOULDBLOCK);
  }
  remove_stale_replacements();
  // Read with bounds, so that a --state naming a large file that is no journal (a typo) is
  // refused after its first line, not read whole into memory: line 1 must be a journal header,
  // and no line may be longer than max_journal_line.
  std::array<char, 65536> buffer;
  std::size_t line = 1, line_start = 0;
  for (ssize_t n; (n = ::read(fd_.get(), buffer.data(), buffer.size())) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(why, "read the journal", path);
    std::size_t scanned = text.size();
    text.append(buffer.data(), static_cast<std::size_t>(n));
    for (std::size_t end; (end = text.find('\n', scanned)) != std::string::npos; scanned = end + 1) {
      if (end - line_start > max_journal_line) break;
      if (line == 1 && !parse_journal(std::string_view(text).substr(0, end + 1), path, why)) {
        failure_errno = 0;  // a refusal of the file: exit 2, as parse_journal's of the whole
        return false;
      }
      ++line, line_start = end + 1;
    }
    if (text.size() - line_start > max_journal_line)
      return refuse(why, path + ":" + std::to_string(line) + ": a line longer than " +
                             std::to_string(max_journal_line >> 20) + " MiB: not a humm-history batch journal");
  }
  return true;
}

// A crash (or SIGKILL) during replace() leaves its temporary file, PATH.new-XXXXXX. Once the
// journal is locked, no other batch can be replacing it (it would hold the lock), so what is
// left under such a name is stale. A failure to remove one is no reason to stop the batch.
void journal_file::remove_stale_replacements() {
  const std::filesystem::path journal = std::filesystem::absolute(path_);
  const std::string prefix = journal.filename().string() + ".new-";
  std::error_code ec;
  for (std::filesystem::directory_iterator it(journal.parent_path(), ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() == prefix.size() + 6 && name.starts_with(prefix) && it->is_regular_file(ec))
      std::filesystem::remove(it->path(), ec);
  }
}

bool journal_file::truncate(std::uint64_t length, std::string& why) {
  if (::ftruncate(fd_.get(), static_cast<off_t>(length)) != 0) return fail(why, "truncate the journal", path_);
  if (::lseek(fd_.get(), static_cast<off_t>(length), SEEK_SET) < 0) return fail(why, "seek in the journal", path_);
  return sync(fd_.get(), path_, why);
}

bool journal_file::replace(std::string_view lines, std::string& why) {
  std::string temporary = path_ + ".new-XXXXXX";
  unique_fd fresh(::mkostemp(temporary.data(), O_CLOEXEC));
  if (!fresh) return fail(why, "create a journal beside", path_);
  // Locked before it takes the journal's name: a batch that opens the name then finds it
  // taken. It keeps the journal's permissions (mkstemp's are 0600).
  struct stat old {};
  const bool written = ::flock(fresh.get(), LOCK_EX) == 0 && ::fstat(fd_.get(), &old) == 0 &&
                       ::fchmod(fresh.get(), old.st_mode & 07777) == 0 &&
                       write_all(fresh.get(), lines, temporary, why) && sync(fresh.get(), temporary, why);
  if (!written || ::rename(temporary.c_str(), path_.c_str()) != 0) {
    if (why.empty()) fail(why, "replace the journal", path_);
    ::unlink(temporary.c_str());
    return false;
  }
  written_ = true;
  replaced_ = std::move(fd_);
  fd_ = std::move(fresh);
  return sync_directory(directory_of(path_), why);
}

bool journal_file::append(std::string_view lines, std::string& why) {
  written_ = true;
  return write_all(fd_.get(), lines, path_, why) && sync(fd_.get(), path_, why);
}

bool output_file::open(const std::string& path, std::string& why) {
  path_ = path;
  fd_ = unique_fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
  if (!fd_) return fail(why, "open the output", path);
  struct stat info {};
  if (::fstat(fd_.get(), &info) != 0) return fail(why, "read the output", path);
  if (!S_ISREG(info.st_mode)) return refuse(why, "--output: '" + path + "' is not a regular file (a journal needs one)");
  // Two batches with their own --state but one --output would cut back and append to each
  // other's runs: the output is locked for as long as this object lives, as the journal is.
  if (::flock(fd_.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK) return fail(why, "lock the output", path);
    return refuse(why, "--output: '" + path + "' is in use by another humm-history batch (another --state)", EWOULDBLOCK);
  }
  // A file just created must survive a crash as the journal's lines about it do.
  return sync_directory(directory_of(path), why);
}

bool output_file::cut_to(std::uint64_t committed, std::string& why) {
  struct stat info {};
  if (::fstat(fd_.get(), &info) != 0) return fail(why, "read the output", path_);
  if (static_cast<std::uint64_t>(info.st_size) < committed)
    return refuse(why, "--output: '" + path_ + "' holds " + std::to_string(info.st_size) + " bytes, fewer than the " +
                           std::to_string(committed) +
                           " its journal committed: it was changed since; restore it, or start again with another "
                           "--state file");
  // Bytes past the committed length belong to schedules the journal does not record: they
  // are walked again, so they go.
  if (::ftruncate(fd_.get(), static_cast<off_t>(committed)) != 0) return fail(why, "truncate the output", path_);
  if (::lseek(fd_.get(), static_cast<off_t>(committed), SEEK_SET) < 0) return fail(why, "seek in the output", path_);
  length_ = committed;
  return true;
}

bool output_file::append(std::string_view text, std::string& why) {
  if (!write_all(fd_.get(), text, path_, why)) return false;
  length_ += text.size();
  return true;
}

bool output_file::append_file(int from, std::uint64_t length, std::string& why) {
  std::vector<char> buffer(1 << 20);
  for (std::uint64_t done = 0; done < length;) {
    const ssize_t n = ::pread(from, buffer.data(), std::min<std::uint64_t>(buffer.size(), length - done),
                              static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail(why, "read back a spooled schedule for", path_, n == 0 ? EIO : errno);
    if (!append({buffer.data(), static_cast<std::size_t>(n)}, why)) return false;
    done += static_cast<std::uint64_t>(n);
  }
  return true;
}

bool output_file::sync(std::string& why) { return humm_history::sync(fd_.get(), path_, why); }

void schedule_spool::spill() {
  if (error_.empty() && !file_) {
    std::string name = directory_ + "/.humm-history-spool-XXXXXX";
    file_ = unique_fd(::mkostemp(name.data(), O_CLOEXEC));
    if (file_)
      ::unlink(name.c_str());
    else
      fail(error_, "spool a schedule's runs beside", directory_);
  }
  if (error_.empty() && write_all(file_.get(), text_, directory_, error_)) spilled_ += text_.size();
  text_.clear();  // after a failure too: copy_to reports it, and memory stays bounded
}

bool schedule_spool::copy_to(output_file& out, std::string& why) {
  if (!error_.empty()) return why = error_, false;
  if (spilled_ > 0 && !out.append_file(file_.get(), spilled_, why)) return false;
  return out.append(text_, why);
}

}  // namespace humm_history
