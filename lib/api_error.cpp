#include <humm/analyst/api_error.hpp>

namespace humm::analyst {

namespace {
std::string describe(const std::error_code& code, const error_details& d) {
  std::string text = d.message.empty() ? code.message() : d.message;
  if (d.http_status != 0 && text.find(std::to_string(d.http_status)) == std::string::npos)
    text += " (HTTP " + std::to_string(d.http_status) + ")";
  return text;
}
}  // namespace

api_error::api_error(std::error_code code, error_details details)
    : std::system_error(code), details_(std::move(details)), what_(describe(code, details_)) {}

}  // namespace humm::analyst
