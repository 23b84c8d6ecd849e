#include "api_request.hpp"

#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <charconv>
#include <vector>

namespace humm::analyst::testing::detail {
namespace {

namespace json = boost::json;

std::vector<std::string> path_segments(boost::urls::url_view url) {
  std::vector<std::string> segments;
  for (const auto& segment : url.segments()) segments.push_back(segment);
  return segments;
}

std::map<std::string, std::string> query_parameters(boost::urls::url_view url) {
  std::map<std::string, std::string> query;
  // FastAPI keeps the last of repeated scalar parameters.
  for (const auto& param : url.params()) query[param.key] = param.value;
  return query;
}

// Starlette's `{id}` matches one non-empty segment.
api_request::route match_path(const std::vector<std::string>& segments, std::string& id) {
  using route = api_request::route;
  if (segments.size() == 4 && segments[0] == "reports" && segments[1] == "schedules" && segments[3] == "runs" &&
      !segments[2].empty()) {
    id = segments[2];
    return route::schedule_runs;
  }
  if (segments.size() == 3 && segments[0] == "reports" && segments[1] == "runs" && !segments[2].empty()) {
    id = segments[2];
    return route::run_details;
  }
  return route::none;
}

}  // namespace

std::string detail_body(std::string_view detail) { return json::serialize(json::object{{"detail", detail}}); }

api_request match_request(std::string_view method, std::string_view target, std::string_view authorization) {
  api_request request;
  request.authorization = authorization;
  const auto url = boost::urls::parse_origin_form(target);
  if (method != "GET" || !url) return request;
  request.which = match_path(path_segments(*url), request.path_id);
  if (request.which != api_request::route::none) request.query = query_parameters(*url);
  return request;
}

std::optional<uuid> parameter_check::path_uuid(std::string_view name, std::string_view text) {
  if (auto id = parse_uuid(text)) return id;
  add_error("uuid_parsing", "path", name, "Input should be a valid UUID", json::string(text));
  return std::nullopt;
}

std::optional<std::string> parameter_check::required(const std::map<std::string, std::string>& query,
                                                     std::string_view name) {
  if (const auto it = query.find(std::string(name)); it != query.end()) return it->second;
  add_error("missing", "query", name, "Field required", nullptr);
  return std::nullopt;
}

std::optional<std::int64_t> parameter_check::integer(const std::map<std::string, std::string>& query,
                                                     std::string_view name, std::int64_t fallback, std::int64_t min,
                                                     std::optional<std::int64_t> max) {
  const auto it = query.find(std::string(name));
  if (it == query.end()) return fallback;
  const std::string& text = it->second;
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || text.empty()) {
    add_error("int_parsing", "query", name, "Input should be a valid integer, unable to parse string as an integer",
              json::string(text));
    return std::nullopt;
  }
  if (value < min) {
    add_error("greater_than_equal", "query", name, "Input should be greater than or equal to " + std::to_string(min),
              json::string(text), {{"ge", min}});
    return std::nullopt;
  }
  if (max && value > *max) {
    add_error("less_than_equal", "query", name, "Input should be less than or equal to " + std::to_string(*max),
              json::string(text), {{"le", *max}});
    return std::nullopt;
  }
  return value;
}

api_reply parameter_check::rejection() const {
  return {422, json::serialize(json::object{{"detail", errors_}}), {}};
}

void parameter_check::add_error(std::string_view type, std::string_view where, std::string_view name,
                                std::string_view message, json::value input, json::object context) {
  json::object error{{"type", type}, {"loc", json::array{where, name}}, {"msg", message}, {"input", std::move(input)}};
  if (!context.empty()) error["ctx"] = std::move(context);
  errors_.push_back(std::move(error));
}

}  // namespace humm::analyst::testing::detail
