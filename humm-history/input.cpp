// Reading a whole file or standard input (input.hpp), with the reason when it fails.

#include "input.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace humm_history {

bool read_all(const std::string& path, std::string& text, std::string& why) {
  const bool from_stdin = path == "-";
  std::FILE* file = from_stdin ? stdin : std::fopen(path.c_str(), "rb");
  const std::string name = from_stdin ? "standard input" : "'" + path + "'";
  if (!file) return why = "cannot read " + name + ": " + std::strerror(errno), false;
  char buffer[65536];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0) text.append(buffer, n);
  const bool failed = std::ferror(file);
  const int error = errno;
  if (!from_stdin) std::fclose(file);
  if (failed) return why = "cannot read " + name + ": " + std::strerror(error), false;
  if (text.starts_with("\xEF\xBB\xBF")) text.erase(0, 3);
  return true;
}

std::string source_name(const std::string& path) { return path == "-" ? "<stdin>" : path; }

}  // namespace humm_history
