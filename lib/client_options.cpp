// client_options::from_env(): the settings a deployment gives through the environment.

#include <humm/analyst/client_options.hpp>
#include <humm/analyst/observer.hpp>
#include <humm/analyst/printable.hpp>

#include <cstdlib>
#include <iostream>
#include <optional>
#include <string_view>

namespace humm::analyst {

namespace {

// An environment variable without the white space around it (`export HUMM_API_TOKEN="$(cat
// file)"` keeps a newline, pasted values keep spaces); nothing when empty or unset.
std::optional<std::string> from_environment(const char* name) {
  const char* value = std::getenv(name);
  if (!value) return std::nullopt;
  const std::string_view text(value);
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return std::nullopt;
  return std::string(text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1));
}

}  // namespace

client_options client_options::from_env() {
  client_options options;
  if (auto token = from_environment("HUMM_API_TOKEN"))
    options.token = *std::move(token);
  else if (auto pat = from_environment("HUMM_PAT"))
    options.token = *std::move(pat);
  if (auto base_url = from_environment("HUMM_BASE_URL")) options.base_url = *std::move(base_url);
  if (auto level_text = from_environment("HUMM_LOG")) {
    if (const auto level = parse_log_level(*level_text))
      options.observer = make_log_observer(*level);
    else  // told where the log would have gone; a typo must not silence it unseen
      std::cerr << "humm-analyst: HUMM_LOG=" << printable(level_text->substr(0, 40))
                << " is not debug, info or warn; nothing is logged\n";
  }
  return options;
}

}  // namespace humm::analyst
