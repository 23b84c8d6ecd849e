// humm-history decode [FILE|-]: validate a saved Get Schedule History response and print
// its normalized JSON (UTC `Z` times, lowercase UUIDs, the documented keys).

#include "commands.hpp"
#include "text.hpp"
#include "input.hpp"
#include "output.hpp"

#include <humm/analyst/decode.hpp>

#include <iostream>
#include <memory>

namespace humm_history {

command add_decode_command(CLI::App& app) {
  CLI::App* sub = app.add_subcommand("decode", "Validate a saved response and print it normalized");
  sub->footer(
      "Reads a saved Get Schedule History response (JSON) and prints it normalized: UTC times ending "
      "in Z, lowercase UUIDs, every documented key. Exits 2 with the JSON path and the reason when "
      "the response does not match the API's models.");
  auto path = std::make_shared<std::string>("-");
  sub->add_option("file", *path, "The response to read; - (the default) reads standard input");

  return [path] {
    std::string text, why;
    if (!read_all(*path, text, why)) {
      std::cerr << message_line(why) << '\n';
      return int{bad_input};
    }
    auto history = humm::analyst::try_decode<humm::analyst::schedule_history>(text);
    if (!history) {
      std::cerr << message_line(source_name(*path) + ": " + history.error().message()) << '\n';
      return int{bad_input};
    }
    output out;
    write_json_line(out, *history);
    out.flush();
    if (out.error().empty()) return int{success};  // a reader that went away is no failure
    std::cerr << message_line("cannot write the output: " + out.error()) << '\n';
    return int{failure};
  };
}

}  // namespace humm_history
