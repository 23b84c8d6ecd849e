// Reading one response from server bytes (response_reader.hpp): what each message's parser
// reports, the checks on the final answer, and read_response for a byte string.

#include "net/response_reader.hpp"

#include "net/gzip.hpp"
#include "sansio/field_values.hpp"

#include <humm/analyst/error.hpp>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>

namespace humm::analyst::detail {

namespace http = beast::http;

namespace {

std::string describe_limit(std::string_view what, std::string_view option, std::size_t bytes) {
  return std::string(what) + " exceeds " + std::string(option) + " (" + std::to_string(bytes) + " bytes)";
}

std::string over_budget(const budget_share& share) {
  return "the responses this client is reading at once would exceed max_buffered_bytes (" +
         std::to_string(share.budget()->limit()) + " bytes)";
}

}  // namespace

void message_parser::on_response_impl(int status, beast::string_view, int, beast::error_code& ec) {
  // Beast takes any three digits; a status is 100 to 599 (RFC 9110 §15), and "000" would
  // otherwise pass for an answer.
  if (status < 100 || status > 599)
    return reader_.refuse(ec, errc::connection, "the response's status code " + std::to_string(status) + " is not 100 to 599");
  reader_.out_.status = static_cast<unsigned>(status);
}

void message_parser::on_field_impl(http::field name, beast::string_view name_text, beast::string_view value,
                                   beast::error_code&) {
  reader_.capture(name, name_text, value);
}

void message_parser::on_header_impl(beast::error_code& ec) {
  reader_.out_.header_read = std::chrono::steady_clock::now();  // for the attempt's time to first byte
  if (auto problem = reader_.transfer_coding_problem()) reader_.refuse(ec, errc::connection, std::move(*problem));
}

void message_parser::on_body_init_impl(const boost::optional<std::uint64_t>& length, beast::error_code& ec) {
  // Room for a declared length at once (Beast checked it against the body limit).
  if (length) reader_.make_body_room(static_cast<std::size_t>(*length), ec);
}

std::size_t message_parser::on_body_impl(beast::string_view part, beast::error_code& ec) {
  if (!reader_.make_body_room(part.size(), ec)) return 0;
  reader_.out_.body.append(part.data(), part.size());
  return part.size();
}

response_reader::response_reader(response& out, const response_limits& limits) : out_(out), limits_(limits) {
  out_.held = budget_share(limits_.budget);
  out_.body.clear();
  // A recycled buffer is held memory too: charged, or let go when the budget is full.
  if (!out_.held.take(heap_bytes(out_.body.capacity()))) std::string().swap(out_.body);
  start_message();
}

void response_reader::start_message() {
  out_.status = 0;
  out_.request_id.clear();
  out_.retry_after.clear();
  out_.rate_limit = {};
  out_.location.clear();
  out_.kept_fields.clear();
  out_.header_read = {};
  content_encoding_.clear();
  transfer_encoding_.clear();
  if (parser_) got_some_ = got_some_ || parser_->got_some();
  parser_.emplace(*this);
  parser_->header_limit(static_cast<std::uint32_t>(limits_.max_header_bytes));
  parser_->body_limit(limits_.max_body_bytes);
}

void response_reader::refuse(beast::error_code& ec, std::error_code code, std::string message) {
  refusal_ = exchange_error{code, std::move(message), false};
  ec = http::error::bad_value;  // stops the parser; failure() reports the refusal instead
}

void response_reader::capture(http::field name, beast::string_view name_text, beast::string_view value) {
  // Repeated fields are one list (RFC 9110 §5.3); the last value wins for the others.
  const auto add_to_list = [&](std::string& list) {
    if (!list.empty()) list += ", ";
    list.append(value.data(), value.size());
  };
  if (name == http::field::content_encoding)
    add_to_list(content_encoding_);
  else if (name == http::field::transfer_encoding)
    add_to_list(transfer_encoding_);
  else if (name == http::field::retry_after)
    out_.retry_after.assign(value);
  else if (name == http::field::location)
    out_.location.assign(value.substr(0, max_location_bytes));
  else if (beast::iequals(name_text, "x-request-id"))
    out_.request_id.assign(value);
  else if (std::string* slot = rate_limit_slot(name_text))
    slot->assign(value);
  if (limits_.keep_fields)
    for (const std::string& wanted : *limits_.keep_fields)
      if (beast::iequals(name_text, wanted)) {
        out_.kept_fields.emplace_back(name_text, value);
        break;
      }
}

// Where a rate-limit field goes: X-RateLimit-Limit and RateLimit-Limit (IETF drafts 00 to
// 05) alike, RateLimit (later drafts: all in one) and RateLimit-Policy; null for others.
std::string* response_reader::rate_limit_slot(beast::string_view name) {
  if (name.size() > 2 && beast::iequals(name.substr(0, 2), "x-")) name.remove_prefix(2);
  if (name.size() < 9 || !beast::iequals(name.substr(0, 9), "ratelimit")) return nullptr;
  const beast::string_view rest = name.substr(9);
  rate_limit_text& r = out_.rate_limit;
  if (rest.empty()) return &r.combined;
  if (beast::iequals(rest, "-limit")) return &r.limit;
  if (beast::iequals(rest, "-remaining")) return &r.remaining;
  if (beast::iequals(rest, "-reset")) return &r.reset;
  if (beast::iequals(rest, "-policy")) return &r.policy;
  return nullptr;
}

// This client sends no TE header, so a server may use no transfer coding but chunked (RFC
// 9112 §6.1). Beast would frame "gzip, chunked" as chunked and hand over the gzip bytes as
// the body, and read a bare "gzip" body up to the close.
std::optional<std::string> response_reader::transfer_coding_problem() const {
  if (transfer_encoding_.empty()) return std::nullopt;
  std::string_view rest = transfer_encoding_;
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    const std::string_view coding = trim_ows(rest.substr(0, comma));
    if (!coding.empty() && !beast::iequals(coding, "chunked"))
      return "unsupported Transfer-Encoding: " + transfer_encoding_.substr(0, 100) +
             " (only chunked is accepted: none other was asked for)";
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
  }
  return std::nullopt;
}

bool response_reader::make_body_room(std::size_t more, beast::error_code& ec) {
  switch (make_room(out_.body, more, limits_.max_body_bytes, out_.held)) {
    case growth::ok: return true;
    case growth::too_large:
      refuse(ec, errc::body_too_large, describe_limit("the response body", "max_response_bytes", limits_.max_body_bytes));
      return false;
    case growth::over_budget:
      refuse(ec, errc::body_too_large, over_budget(out_.held));
      return false;
  }
  return false;
}

response_reader::next response_reader::message_done(exchange_error& error) {
  if (out_.status / 100 == 1) {
    // 100 Continue and 103 Early Hints precede the answer and are skipped (RFC 9110 §15.2);
    // a GET asked for no protocol switch.
    if (out_.status == 101) {
      error = {make_error_code(errc::connection), "the server switched protocols (HTTP 101) in answer to a GET", false};
      return next::failed;
    }
    if (++interim_seen_ > limits_.max_interim_responses) {
      error = {make_error_code(errc::connection),
               "more than " + std::to_string(limits_.max_interim_responses) + " interim (1xx) responses", false};
      return next::failed;
    }
    start_message();
    return next::read_again;
  }
  out_.keep_alive = parser_->keep_alive();
  if (beast::iequals(content_encoding_, "gzip")) {
    std::string compressed = std::move(out_.body);
    out_.body = std::string();
    const inflate_status inflated = gunzip(compressed, limits_.max_body_bytes, out_.body, &out_.held);
    out_.held.give_back(heap_bytes(compressed.capacity()));
    compressed = std::string();
    switch (inflated) {
      case inflate_status::ok: return next::done;
      case inflate_status::too_large:
        error = {make_error_code(errc::body_too_large),
                 describe_limit("the inflated response body", "max_response_bytes", limits_.max_body_bytes), false};
        return next::failed;
      case inflate_status::over_budget:
        error = {make_error_code(errc::body_too_large), over_budget(out_.held), false};
        return next::failed;
      case inflate_status::trailing_bytes:
        error = {make_error_code(errc::connection), "the gzip response body has bytes after the end of the gzip stream",
                 false};
        return next::failed;
      case inflate_status::corrupt:
        error = {make_error_code(errc::connection), "the gzip response body is corrupt", false};
        return next::failed;
    }
  }
  if (!content_encoding_.empty() && !beast::iequals(content_encoding_, "identity")) {
    error = {make_error_code(errc::connection), "unsupported Content-Encoding: " + content_encoding_.substr(0, 100),
             false};
    return next::failed;
  }
  return next::done;
}

exchange_error response_reader::failure(const beast::error_code& ec) const {
  if (refusal_) return *refusal_;
  if (ec == http::error::body_limit)
    return {make_error_code(errc::body_too_large),
            describe_limit("the response body", "max_response_bytes", limits_.max_body_bytes), false};
  if (ec == http::error::header_limit)
    return {make_error_code(errc::body_too_large),
            "the response header exceeds " + std::to_string(limits_.max_header_bytes) + " bytes", false};
  return {make_error_code(errc::connection), "reading the response failed: " + ec.message(), false};
}

bool read_response(std::string_view bytes, const response_limits& limits, response& out, exchange_error& error,
                   std::size_t* consumed) {
  response_reader reader(out, limits);
  std::size_t used = 0;
  for (;;) {
    message_parser& parser = reader.parser();
    parser.eager(true);
    beast::error_code ec;
    while (!parser.is_done() && !ec) {
      const std::string_view rest = bytes.substr(used);
      const std::size_t taken = rest.empty() ? 0 : parser.put(boost::asio::buffer(rest.data(), rest.size()), ec);
      used += taken;
      if (ec == http::error::need_more) ec = {};
      // Every byte is here: no progress means the connection ended here.
      if (!ec && taken == 0 && !parser.is_done()) {
        if (parser.got_some())
          parser.put_eof(ec);
        else
          ec = http::error::end_of_stream;  // as a socket read reports a close before any byte
        if (!ec && !parser.is_done()) ec = http::error::partial_message;
      }
    }
    if (consumed) *consumed = used;
    if (ec) {
      error = reader.failure(ec);
      error.before_response = !reader.got_some();
      return false;
    }
    switch (reader.message_done(error)) {
      case response_reader::next::read_again: continue;
      case response_reader::next::done: return true;
      case response_reader::next::failed: return false;
    }
  }
}

}  // namespace humm::analyst::detail
