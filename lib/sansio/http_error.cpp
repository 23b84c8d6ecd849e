#include "sansio/http_error.hpp"

#include "sansio/retry.hpp"
#include "sansio/safe_text.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace humm::analyst::detail {

namespace json = boost::json;

namespace {

// A server's answer can be as long as max_response_bytes: what is kept of it is bounded.
constexpr std::size_t max_validation_items = 50;
constexpr std::size_t max_loc_parts = 16;

// A value of the detail, bounded, with the secret redacted before it is cut.
std::string text_of(const json::value& v, std::string_view secret) {
  if (const auto* s = v.if_string()) return excerpt(*s, max_body_excerpt, secret);
  return excerpt(json::serialize(v), max_body_excerpt, secret);
}

// FastAPI answers `{"detail": "message"}`, or for a 422 `{"detail": [{"loc", "msg", "type"}]}`.
void read_fastapi_detail(std::string_view body, std::string_view secret, error_details& out, std::string& summary) {
  json::error_code ec;
  const json::value doc = json::parse(body, ec);
  const json::value* detail = ec ? nullptr : doc.is_object() ? doc.as_object().if_contains("detail") : nullptr;
  if (!detail) return;
  if (detail->is_string()) {
    summary = text_of(*detail, secret);
    return;
  }
  const json::array* items = detail->if_array();
  if (!items) return;
  for (const json::value& item : *items) {
    const json::object* o = item.if_object();
    if (!o) continue;
    if (out.validation.size() == max_validation_items) break;
    validation_issue issue;
    if (const json::value* loc = o->if_contains("loc"); loc && loc->is_array())
      for (const json::value& part : loc->get_array()) {
        if (issue.loc.size() == max_loc_parts) break;
        issue.loc.push_back(text_of(part, secret));
      }
    if (const json::value* msg = o->if_contains("msg")) issue.msg = text_of(*msg, secret);
    if (const json::value* type = o->if_contains("type")) issue.type = text_of(*type, secret);
    if (!summary.empty()) summary += "; ";
    std::string where;
    for (const std::string& part : issue.loc) where += (where.empty() ? "" : ".") + part;
    summary += where.empty() ? issue.msg : where + ": " + issue.msg;
    out.validation.push_back(std::move(issue));
  }
}

}  // namespace

error_details describe_http_error(std::string_view what, unsigned status, std::string_view body,
                                  std::string_view request_id, std::string_view location, std::string_view secret) {
  error_details d;
  d.http_status = status;
  d.request_id = excerpt(request_id, max_request_id, secret);
  d.body_excerpt = excerpt(body, max_body_excerpt, secret);
  d.retryable = is_retryable_status(status);
  std::string summary;
  read_fastapi_detail(body, secret, d, summary);
  d.message = std::string(what) + ": HTTP " + std::to_string(status);
  if (status / 100 == 3 && !location.empty())
    d.message += " redirect to " + excerpt(location, max_location, secret) + " (redirects are not followed)";
  if (!summary.empty()) d.message += ": " + excerpt(summary, max_body_excerpt, {});
  if (!d.request_id.empty()) d.message += " (request id " + d.request_id + ")";
  make_safe(d, secret);
  return d;
}

}  // namespace humm::analyst::detail
