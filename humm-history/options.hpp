#pragma once
// The options several commands share, each registered by one function so that its name,
// check and help read the same everywhere, and the client options they make.

#include "output.hpp"

#include <humm/analyst/client_options.hpp>

#include <CLI/App.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace humm_history {

/// Where the API is and how to talk to it. The token is never an argument: arguments are
/// visible to every user of the machine (ps) and kept in shell histories.
struct connection_settings {
  std::string base_url = "https://analyst.heyhumm.ai";
  bool allow_insecure_http = false;
  std::string token_file;
  std::string ca_file;
  std::size_t max_connections = 16;
  double timeout_s = 60;
  int retries = 2;
  double rate = 0;  // --rate: requests per second at most, 0 for no limit of our own
  std::vector<std::string> headers;  // --header 'Name: value', each as given
  std::optional<std::string> proxy;  // --proxy URL; unset: the environment's (HTTPS_PROXY, ...)
  bool no_proxy = false;             // --no-proxy: direct, whatever the environment says
  std::string token_argument;  // the hidden --token, only to explain why it is refused
};

/// What is shown, and where.
struct output_settings {
  std::string format;  // empty: table on a terminal, ndjson otherwise
  bool stats = false;
  bool progress = false;
  bool verbose = false;
};

/// --schedule, required: the schedule's id (a UUID; check_schedule_id tells why not).
void add_schedule_option(CLI::App& sub, std::string& schedule_id);
/// --org, required: the organization that owns the schedules.
void add_organization_option(CLI::App& sub, std::string& organization_id);
/// --page-size: runs per request of a walk, 1 to 100; the default is `page_size`'s value.
void add_page_size_option(CLI::App& sub, std::int64_t& page_size);
/// --deadline SECONDS: how long `what` may take in all (retries and waits included).
void add_deadline_option(CLI::App& sub, std::optional<std::chrono::milliseconds>& deadline, const std::string& what);

void add_connection_options(CLI::App& sub, connection_settings& settings);
/// `with_progress` for the commands that show a progress bar (walk, batch).
void add_output_options(CLI::App& sub, output_settings& settings, bool with_progress);

/// The client options, or nullopt after printing why on stderr (exit 2): no token, an
/// unreadable token file, --token given. `token_source` names where the token came from.
std::optional<humm::analyst::client_options> make_client_options(const connection_settings& settings,
                                                                 std::string& token_source);

/// Whether `id`, given as `option` (--schedule, --run), is a UUID; if not, says so on stderr
/// (exit 2, before any request).
bool check_id(std::string_view option, const std::string& id);
inline bool check_schedule_id(const std::string& id) { return check_id("--schedule", id); }

output_format resolve_format(const output_settings& settings);

/// A table as wide as the terminal on standard output, in color there unless NO_COLOR is set.
table_style terminal_table_style(bool with_schedule);

/// The columns of the terminal on `fd`, else $COLUMNS, else 0.
std::size_t terminal_width(int fd);

}  // namespace humm_history
