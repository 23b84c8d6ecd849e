#include "sansio/endpoint.hpp"

#include "sansio/field_values.hpp"

#include <humm/analyst/printable.hpp>
#include <humm/analyst/version.hpp>

#include <boost/asio/ip/address.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/grammar/ci_string.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <algorithm>
#include <array>

namespace humm::analyst::detail {

namespace {

bool reject(argument_problem& problem, std::string_view parameter, std::string reason) {
  problem = {std::string(parameter), std::move(reason)};
  return false;
}

// Every byte but the unreserved ones (RFC 3986: ALPHA DIGIT - . _ ~) is percent-encoded,
// so that '&', '=', '+' and '#' in an organization id cannot change the query's meaning.
std::string with_query(const endpoint& where, const std::string& path,
                       std::initializer_list<std::pair<std::string_view, std::string>> params) {
  std::string target = where.path_prefix + path;
  char separator = '?';
  for (const auto& [key, value] : params) {
    target += separator;
    target += key;
    target += '=';
    target += boost::urls::encode(value, boost::urls::unreserved_chars);
    separator = '&';
  }
  return target;
}

}  // namespace

bool is_loopback_host(std::string_view host) {
  if (host == "localhost") return true;
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(host, ec);
  if (ec) return false;
  if (address.is_v6() && address.to_v6().is_v4_mapped())
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6()).is_loopback();
  return address.is_loopback();
}

bool parse_base_url(std::string_view base_url, bool allow_insecure_http, endpoint& out, argument_problem& problem) {
  auto parsed = boost::urls::parse_absolute_uri(base_url);
  if (!parsed) return reject(problem, "base_url", "not an absolute URL: \"" + printable(base_url) + "\"");
  const boost::urls::url_view& url = *parsed;
  if (url.scheme() != "https" && url.scheme() != "http")
    return reject(problem, "base_url", "scheme must be https or http, not \"" + printable(url.scheme()) + "\"");
  if (url.has_userinfo()) return reject(problem, "base_url", "must not hold credentials; set the token instead");
  if (url.host().empty()) return reject(problem, "base_url", "has no host");
  if (url.has_query() || url.has_fragment()) return reject(problem, "base_url", "must not have a query or fragment");

  endpoint result;
  result.tls = url.scheme() == "https";
  result.host = url.host_address();
  for (const char c : result.host) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
      return reject(problem, "base_url",
                    "the host holds a control character or space once percent-decoded: \"" + printable(result.host) + "\"");
  }
  if (!result.tls && !allow_insecure_http && !is_loopback_host(result.host))
    return reject(problem, "base_url",
                  "plain http:// would send the token unencrypted to " + result.host +
                      "; use https://, or allow it for a trusted network (client_options::allow_insecure_http, "
                      "humm-history --allow-insecure-http)");
  result.port = url.has_port() ? std::string(url.port()) : (result.tls ? "443" : "80");
  result.host_header = std::string(url.encoded_host_and_port());
  result.path_prefix = url.encoded_path();
  while (!result.path_prefix.empty() && result.path_prefix.back() == '/') result.path_prefix.pop_back();
  out = std::move(result);
  return true;
}

bool check_header_value(std::string_view parameter, std::string_view value, argument_problem& problem) {
  for (const char c : value) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      return reject(problem, parameter, "contains a control character (CR, LF, ...)");
  }
  return true;
}

bool check_token(std::string_view token, argument_problem& problem) {
  if (!check_header_value("token", token, problem)) {
    problem.reason += "; the token was not sent";
    return false;
  }
  if (token.empty()) return reject(problem, "token", "is empty: set HUMM_API_TOKEN or client_options::token");
  return true;
}

bool check_uuid_argument(std::string_view parameter, std::string_view text, uuid& out, argument_problem& problem) {
  const auto id = parse_uuid(text);
  if (!id) {
    return reject(problem, parameter, "expected a UUID (8-4-4-4-12 hex digits), got \"" + printable(text.substr(0, 60)) + "\"");
  }
  out = *id;
  return true;
}

bool check_history_arguments(std::string_view organization_id, std::int64_t limit, std::int64_t offset,
                             argument_problem& problem) {
  if (organization_id.empty()) return reject(problem, "organization_id", "is required and must not be empty");
  if (limit < 1 || limit > 100)
    return reject(problem, "limit", "must be between 1 and 100, got " + std::to_string(limit));
  if (offset < 0) return reject(problem, "offset", "must be 0 or more, got " + std::to_string(offset));
  return true;
}

std::string history_target(const endpoint& where, const uuid& schedule_id, std::string_view organization_id,
                           std::int64_t limit, std::int64_t offset) {
  return with_query(where, "/reports/schedules/" + format_uuid(schedule_id) + "/runs",
                    {{"organization_id", std::string(organization_id)},
                     {"limit", std::to_string(limit)},
                     {"offset", std::to_string(offset)}});
}

std::string run_target(const endpoint& where, const uuid& run_id, std::string_view organization_id) {
  return with_query(where, "/reports/runs/" + format_uuid(run_id), {{"organization_id", std::string(organization_id)}});
}

namespace {

// RFC 9110 §5.6.2: tchar, in ASCII whatever the locale.
bool is_tchar(char c) {
  constexpr std::string_view specials = "!#$%&'*+-.^_`|~";
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         specials.find(c) != std::string_view::npos;
}

// Fields the client sets itself, or that frame the connection: another value would send
// the token elsewhere, break the framing, or contradict what the client decodes.
constexpr std::array<std::pair<std::string_view, std::string_view>, 16> reserved_fields{{
    {"authorization", "the token is set by client_options::token"},
    {"proxy-authorization", "it is set by the client"},
    {"host", "it follows base_url"},
    {"user-agent", "products go in client_options::user_agent"},
    {"accept", "the client asks for JSON"},
    {"accept-encoding", "client_options::gzip sets it"},
    {"connection", "it frames the connection"},
    {"content-length", "it frames the connection"},
    {"transfer-encoding", "it frames the connection"},
    {"te", "it frames the connection"},
    {"upgrade", "it frames the connection"},
    {"keep-alive", "it frames the connection"},
    {"expect", "it frames the connection"},
    {"range", "the client reads whole answers"},
    {"if-none-match", "the client reads whole answers"},
    {"if-modified-since", "the client reads whole answers"},
}};

}  // namespace

bool check_extra_header(std::string_view name, std::string_view value, argument_problem& problem) {
  // Not quoted back: a whole line given as a name may hold a secret.
  if (name.empty()) return reject(problem, "headers", "a header name is empty");
  if (const auto bad = std::find_if_not(name.begin(), name.end(), is_tchar); bad != name.end())
    return reject(problem, "headers",
                  "a header name holds a character not allowed in it (RFC 9110 token), at position " +
                      std::to_string(bad - name.begin() + 1));
  for (const auto& [reserved, why] : reserved_fields)
    if (boost::urls::grammar::ci_is_equal(name, reserved))
      return reject(problem, "headers", std::string(name) + " cannot be set here: " + std::string(why));
  for (const char c : value)
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f)
      return reject(problem, "headers", std::string(name) + ": the value contains a control character (CR, LF, NUL, ...)");
  return true;
}

std::string header_lines(const header_list& defaults, const header_list& call) {
  std::string lines;
  const auto add = [&lines](const std::pair<std::string, std::string>& field) {
    lines.append(field.first).append(": ").append(field.second).append("\r\n");
  };
  for (const auto& field : defaults) {
    const bool replaced = std::any_of(call.begin(), call.end(), [&](const auto& c) {
      return boost::urls::grammar::ci_is_equal(c.first, field.first);
    });
    if (!replaced) add(field);
  }
  for (const auto& field : call) add(field);
  return lines;
}

std::string user_agent_for(std::string_view products) {
  const std::string sdk = std::string("humm-analyst-cpp/") + version;
  products = trim_ows(products);
  // A value built the old way, on top of the former default, already names the SDK.
  if (products.starts_with("humm-analyst-cpp/")) return std::string(products);
  return products.empty() ? sdk : sdk + " " + std::string(products);
}

std::string get_request(const endpoint& where, std::string_view target, std::string_view token,
                        std::string_view user_agent, bool gzip, std::string_view extra) {
  std::string bytes;
  bytes.reserve(160 + target.size() + token.size() + user_agent.size() + extra.size());
  bytes.append("GET ").append(target).append(" HTTP/1.1\r\nHost: ").append(where.host_header);
  bytes.append("\r\nAuthorization: Bearer ").append(token);
  bytes.append("\r\nAccept: application/json\r\nUser-Agent: ").append(user_agent);
  if (gzip) bytes.append("\r\nAccept-Encoding: gzip");
  bytes.append("\r\n").append(extra).append("\r\n");  // HTTP/1.1 connections are kept alive unless a side says otherwise
  return bytes;
}

}  // namespace humm::analyst::detail
