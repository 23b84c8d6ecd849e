// The shared options of the commands, the token's sources, and the client options and
// terminal settings made from them (options.hpp).

#include "options.hpp"

#include "input.hpp"
#include "text.hpp"

#include <humm/analyst/uuid.hpp>

#include <sys/ioctl.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <iostream>

namespace humm_history {

namespace ha = humm::analyst;

void add_schedule_option(CLI::App& sub, std::string& schedule_id) {
  sub.add_option("--schedule", schedule_id, "The schedule's id (a UUID)")->required();
}

void add_organization_option(CLI::App& sub, std::string& organization_id) {
  sub.add_option("--org", organization_id, "The organization that owns the schedules")->required();
}

void add_page_size_option(CLI::App& sub, std::int64_t& page_size) {
  sub.add_option("--page-size", page_size, "Runs per request; 100, the API's maximum, needs the fewest requests")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
}

void add_deadline_option(CLI::App& sub, std::optional<std::chrono::milliseconds>& deadline, const std::string& what) {
  sub.add_option_function<double>(
         "--deadline",
         [&deadline](double seconds) {
           deadline = std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
         },
         "Seconds " + what + " may take in all, retries and waits included")
      ->check(CLI::Range(0.001, 31'536'000.0))
      ->type_name("SECONDS");
}

void add_connection_options(CLI::App& sub, connection_settings& s) {
  const std::string group = "Connection (token from HUMM_API_TOKEN or HUMM_PAT, or --token-file)";
  sub.add_option("--base-url", s.base_url, "The API's address")
      ->envname("HUMM_BASE_URL")
      ->capture_default_str()
      ->group(group);
  sub.add_flag("--allow-insecure-http", s.allow_insecure_http,
               "Allow an http:// base URL beyond localhost: the token then travels unencrypted")
      ->group(group);
  sub.add_option("--token-file", s.token_file, "Read the API token from this file (first line)")
      ->type_name("FILE")
      ->group(group);
  sub.add_option("--ca-file", s.ca_file, "Trust the CA certificates of this PEM file instead of the system's")
      ->type_name("PEM")
      ->group(group);
  sub.add_option("--max-connections", s.max_connections, "Open connections at most")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str()
      ->group(group);
  sub.add_option("--header", s.headers, "A header field sent with every request, 'Name: value' (repeatable)")
      ->type_name("'NAME: VALUE'")
      ->group(group);
  // As curl's --proxy and --noproxy '*': the environment's proxy variables apply otherwise.
  auto* proxy = sub.add_option_function<std::string>(
                       "--proxy", [&s](const std::string& url) { s.proxy = url; },
                       "Go through this HTTP proxy, http://[user:password@]host[:port] (default: HTTPS_PROXY, ALL_PROXY; "
                       "NO_PROXY lists hosts reached directly)")
                    ->type_name("URL")
                    ->group(group);
  sub.add_flag("--no-proxy", s.no_proxy, "Connect directly, whatever HTTPS_PROXY and the like say")
      ->excludes(proxy)
      ->group(group);
  sub.add_option("--rate", s.rate,
                 "Requests per second at most, across the command (for servers that send no rate-limit fields)")
      ->check(CLI::Range(0.001, 1e6))
      ->type_name("N")
      ->group(group);
  sub.add_option("--timeout", s.timeout_s, "Seconds one request attempt may take")
      ->check(CLI::Range(0.001, 86400.0))
      ->type_name("SECONDS")
      ->capture_default_str()
      ->group(group);
  sub.add_option("--retries", s.retries, "Retries of a request that failed transiently (5xx, 429, network)")
      ->check(CLI::Range(0, 100))
      ->capture_default_str()
      ->group(group);
  sub.add_option("--token", s.token_argument)->group("");  // hidden: only to explain the refusal
}

void add_output_options(CLI::App& sub, output_settings& s, bool with_progress) {
  const std::string group = "Output";
  sub.add_option("--format", s.format,
                 "table, json, ndjson or csv; default: table on a terminal, ndjson otherwise")
      ->check(CLI::IsMember({"table", "json", "ndjson", "csv"}))
      ->group(group);
  sub.add_flag("--stats", s.stats, "At the end, print statistics as one JSON line on stderr")->group(group);
  if (with_progress)
    sub.add_flag("--progress", s.progress, "Show progress on stderr even when it is not a terminal")->group(group);
  sub.add_flag("-v,--verbose", s.verbose, "Log requests and connections on stderr (never the token)")->group(group);
}

namespace {

const char* non_empty_env(const char* name) {
  const char* value = std::getenv(name);
  return value && *value ? value : nullptr;
}

// A token as written in a file: its first line, without surrounding white space.
std::string token_from(std::string_view text) {
  text = text.substr(0, text.find_first_of("\r\n"));
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return std::string(text.substr(first, text.find_last_not_of(" \t") - first + 1));
}

bool read_token_file(const std::string& path, std::string& token, std::string& why) {
  std::string text;
  if (!read_all(path, text, why)) return false;
  token = token_from(text);
  if (token.empty()) return why = "--token-file: '" + path + "' holds no token", false;
  return true;
}

bool find_token(const connection_settings& s, std::string& token, std::string& source, std::string& why) {
  if (!s.token_argument.empty()) {
    why = "--token is not accepted: arguments are visible to other users and kept in shell histories; "
          "set HUMM_API_TOKEN or use --token-file FILE";
    return false;
  }
  if (!s.token_file.empty()) return source = "--token-file", read_token_file(s.token_file, token, why);
  // The environment is read as the library reads it (client_options::from_env): trimmed.
  if (token = ha::client_options::from_env().token; !token.empty()) {
    const char* api_token = non_empty_env("HUMM_API_TOKEN");
    source = api_token && std::string_view(api_token).find_first_not_of(" \t\r\n") != std::string_view::npos
                 ? "HUMM_API_TOKEN"
                 : "HUMM_PAT";
    return true;
  }
  why = "no API token: set HUMM_API_TOKEN (or HUMM_PAT) to your personal access token, or use --token-file FILE";
  return false;
}

}  // namespace

std::optional<ha::client_options> make_client_options(const connection_settings& s, std::string& token_source) {
  ha::client_options options;
  std::string why;
  if (!find_token(s, options.token, token_source, why)) {
    std::cerr << message_line(why) << '\n';
    return std::nullopt;
  }
  options.base_url = s.base_url;
  options.allow_insecure_http = s.allow_insecure_http;
  options.tls.ca_file = s.ca_file;
  options.max_connections = s.max_connections;
  const auto timeout = std::chrono::milliseconds(static_cast<long long>(s.timeout_s * 1000));
  options.request_timeout = timeout;
  options.connect_timeout = std::min(options.connect_timeout, timeout);  // --timeout bounds the connect too
  options.retry.max_retries = s.retries;
  options.max_requests_per_second = s.rate;
  options.user_agent = std::string("humm-history/") + ha::version;  // after humm-analyst-cpp/VERSION
  if (s.no_proxy)
    options.proxy = "";  // "" means no proxy at all
  else if (s.proxy)
    options.proxy = *s.proxy;
  for (const std::string& header : s.headers) {
    // "Name: value", as curl's -H takes it; the library checks the name and the value.
    const auto colon = header.find(':');
    if (colon == std::string::npos) {
      // The argument is not repeated: a mistyped one may hold a secret.
      std::cerr << message_line("--header: expected 'Name: value' (no ':' found)") << '\n';
      return std::nullopt;
    }
    std::string value = header.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    value.erase(value.find_last_not_of(" \t") + 1);
    options.default_headers.emplace_back(header.substr(0, colon), std::move(value));
  }
  return options;
}

bool check_id(std::string_view option, const std::string& id) {
  if (ha::parse_uuid(id)) return true;
  std::cerr << message_line(std::string(option) + ": expected a UUID (8-4-4-4-12 hex digits), got \"" +
                            id.substr(0, 60) + "\"")
            << '\n';
  return false;
}

output_format resolve_format(const output_settings& s) {
  if (s.format == "table") return output_format::table;
  if (s.format == "json") return output_format::json;
  if (s.format == "csv") return output_format::csv;
  if (s.format == "ndjson") return output_format::ndjson;
  return isatty(STDOUT_FILENO) ? output_format::table : output_format::ndjson;
}

std::size_t terminal_width(int fd) {
  winsize size{};
  if (isatty(fd) && ioctl(fd, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  const char* columns = non_empty_env("COLUMNS");
  return columns ? std::strtoul(columns, nullptr, 10) : 0;
}

table_style terminal_table_style(bool with_schedule) {
  table_style style;
  style.with_schedule = with_schedule;
  if (const std::size_t width = terminal_width(STDOUT_FILENO)) style.width = width;
  const char* term = std::getenv("TERM");
  style.color = isatty(STDOUT_FILENO) && !non_empty_env("NO_COLOR") && term && std::string(term) != "dumb";
  return style;
}

}  // namespace humm_history
