#pragma once
// Reading one HTTP/1.1 response from the bytes a server sends, free of I/O: interim (1xx)
// responses skipped, the few headers the client acts on captured, framing and codings
// checked (only `chunked` as a transfer coding, only gzip or identity as a content coding),
// the body bounded by its cap and by the client's memory budget, then inflated.
// http_connection drives it from a socket; read_response drives the same code from a byte
// string, for unit tests and fuzzing ("the HTTP response reader fed arbitrary server bytes").

#include "net/memory_budget.hpp"
#include "sansio/rate_limit.hpp"

#include <boost/beast/http/basic_parser.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace humm::analyst::detail {

namespace beast = boost::beast;

/// The rate-limit fields of a response as sent: X-RateLimit-* or the IETF drafts' names.
struct rate_limit_text {
  std::string limit, remaining, reset, combined, policy;
  rate_limit_fields fields() const noexcept { return {limit, remaining, reset, combined, policy}; }
};

struct response {
  unsigned status = 0;
  std::string body;  // inflated
  std::string request_id;
  std::string retry_after;
  rate_limit_text rate_limit;
  std::string location;  // of a redirect, cut at max_location_bytes
  /// The fields response_limits::keep_fields names, as received.
  std::vector<std::pair<std::string, std::string>> kept_fields;
  std::chrono::steady_clock::time_point header_read{};  // when the final answer's header was whole
  bool keep_alive = false;
  // The body's buffers charged to the client's memory budget, given back when the response
  // is destroyed: the call loop keeps it until the body is handed over.
  budget_share held;
};

/// The most of a `Location` header kept for an error message.
inline constexpr std::size_t max_location_bytes = 256;

/// Why an exchange failed, classified for the retry decision.
struct exchange_error {
  std::error_code code;    // an errc
  std::string message;     // one line, never holding the token
  bool before_response = false;  // no byte of a response arrived: safe to resend at once
  unsigned proxy_status = 0;     // with errc::proxy: the status the proxy refused the tunnel with
};

struct response_limits {
  std::size_t max_header_bytes = 64 * 1024;
  std::size_t max_body_bytes = 64u << 20;  ///< client_options::max_response_bytes, compressed and inflated
  /// Interim responses skipped before the final one; more is a hostile server (the request's
  /// timeout bounds the time, this the work).
  std::size_t max_interim_responses = 8;
  memory_budget* budget = nullptr;  ///< client_options::max_buffered_bytes; null: none
  /// Header fields to keep in response::kept_fields (call_options::response_headers); null: none.
  const std::vector<std::string>* keep_fields = nullptr;
};

class response_reader;

/// Beast's parser for one message of the response (an interim one or the final one),
/// reporting to its response_reader.
class message_parser final : public beast::http::basic_parser<false> {
 public:
  explicit message_parser(response_reader& reader) : reader_(reader) {}

 private:
  void on_request_impl(beast::http::verb, beast::string_view, beast::string_view, int, beast::error_code&) override {}
  void on_response_impl(int status, beast::string_view, int, beast::error_code&) override;
  void on_field_impl(beast::http::field name, beast::string_view name_text, beast::string_view value,
                     beast::error_code& ec) override;
  void on_header_impl(beast::error_code& ec) override;
  void on_body_init_impl(const boost::optional<std::uint64_t>& length, beast::error_code& ec) override;
  std::size_t on_body_impl(beast::string_view part, beast::error_code& ec) override;
  void on_chunk_header_impl(std::uint64_t, beast::string_view, beast::error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, beast::string_view part, beast::error_code& ec) override {
    return on_body_impl(part, ec);
  }
  void on_finish_impl(beast::error_code&) override {}

  response_reader& reader_;
};

/// One response, message by message: feed parser() until it is done, then call
/// message_done(), which says whether another message (after an interim one) follows.
class response_reader {
 public:
  response_reader(response& out, const response_limits& limits);

  /// The parser of the message expected now: a new one after each interim response.
  message_parser& parser() noexcept { return *parser_; }

  enum class next { read_again, done, failed };
  /// After parser() completed a message: read_again after an interim response; done after
  /// the final one, checked and inflated into `out`; failed with `error` set.
  next message_done(exchange_error& error);

  /// Why the parser stopped with `ec` (a refusal of this reader, a limit, broken framing):
  /// a code (errc::body_too_large for limits, else errc::connection) and a one-line message.
  /// `before_response` is left to the caller, which knows what reached it.
  exchange_error failure(const beast::error_code& ec) const;

  /// Whether any byte of a response (an interim one included) has been parsed.
  bool got_some() const noexcept { return got_some_ || parser_->got_some(); }

 private:
  friend class message_parser;
  void start_message();
  // Stops the parser with `message` (and `code`); the parser reports a Beast error, which
  // failure() replaces with this.
  void refuse(beast::error_code& ec, std::error_code code, std::string message);
  void capture(beast::http::field name, beast::string_view name_text, beast::string_view value);
  std::string* rate_limit_slot(beast::string_view name);
  std::optional<std::string> transfer_coding_problem() const;
  bool make_body_room(std::size_t more, beast::error_code& ec);

  response& out_;
  const response_limits limits_;
  std::optional<message_parser> parser_;
  std::string content_encoding_;
  std::string transfer_encoding_;
  std::size_t interim_seen_ = 0;
  bool got_some_ = false;
  std::optional<exchange_error> refusal_;
};

/// Reads one response from `bytes` as http_connection reads it from a socket, the end of
/// `bytes` standing for the end of the connection. True with `out` filled; false with
/// `error` set. `consumed` (when not null) receives how many bytes the response took: what
/// follows it is what a server sent unasked.
bool read_response(std::string_view bytes, const response_limits& limits, response& out, exchange_error& error,
                   std::size_t* consumed = nullptr);

}  // namespace humm::analyst::detail
