// humm-history decode [FILE|-]: validate a saved Get Schedule History response and print
// its normalized JSON (UTC `Z` times, lowercase UUIDs, the documented keys).

#include "commands.hpp"

#include <humm/analyst/decode.hpp>

#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>

#include <cerrno>
#include <cstring>
#include <cstdio>
#include <iostream>
#include <memory>

namespace humm_history {
namespace {

// Reads all of `path` ("-" for standard input); on failure returns false with the reason.
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
  return true;
}

}  // namespace

command add_decode_command(CLI::App& app) {
  CLI::App* sub = app.add_subcommand(
      "decode",
      "Validate a saved Get Schedule History response (JSON) and print it normalized: UTC times "
      "ending in Z, lowercase UUIDs, every documented key. Exits 2 with the JSON path and the "
      "reason when the response does not match the API's models.");
  auto path = std::make_shared<std::string>("-");
  sub->add_option("file", *path, "The response to read; - (the default) reads standard input");

  return [path] {
    std::string text, why;
    if (!read_all(*path, text, why)) {
      std::cerr << "humm-history: " << why << '\n';
      return int{bad_input};
    }
    auto history = humm::analyst::try_decode<humm::analyst::schedule_history>(text);
    if (!history) {
      const std::string source = *path == "-" ? "<stdin>" : *path;
      std::cerr << "humm-history: " << source << ": " << history.error().message() << '\n';
      return int{bad_input};
    }
    std::cout << boost::json::serialize(boost::json::value_from(*history)) << '\n';
    std::cout.flush();
    return std::cout ? int{success} : int{failure};
  };
}

}  // namespace humm_history
