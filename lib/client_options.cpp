#include <humm/analyst/client_options.hpp>

#include <cstdlib>

namespace humm::analyst {

client_options client_options::from_env() {
  client_options options;
  auto get = [](const char* name) -> const char* {
    const char* value = std::getenv(name);
    return value && *value ? value : nullptr;
  };
  if (const char* token = get("HUMM_API_TOKEN"))
    options.token = token;
  else if (const char* pat = get("HUMM_PAT"))
    options.token = pat;
  if (const char* base_url = get("HUMM_BASE_URL")) options.base_url = base_url;
  return options;
}

}  // namespace humm::analyst
