// One connection of the fake server: TLS handshake, then requests one after another
// (HTTP/1.1 keep-alive), each answered by the API or by the next scripted fault.

#include "net/gzip.hpp"
#include "server_core.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <algorithm>
#include <cctype>
#include <iostream>
#include <sstream>
#include <type_traits>

namespace humm::analyst::testing::detail {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using plain_stream = beast::tcp_stream;
using tls_stream = beast::ssl_stream<beast::tcp_stream>;
using request = http::request<http::string_body>;
using response = http::response<http::string_body>;

// Generous limits: they only keep a client that stalls from holding a connection forever;
// stop() closes connections at once whatever they wait for.
constexpr auto handshake_timeout = std::chrono::seconds{30};
constexpr auto write_timeout = std::chrono::seconds{30};

// Whether an Accept-Encoding value lists gzip (any letter case; q-values are not weighed).
bool accepts_gzip(std::string_view accept_encoding) {
  constexpr std::string_view gzip = "gzip";
  const auto same_letter = [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  };
  return std::search(accept_encoding.begin(), accept_encoding.end(), gzip.begin(), gzip.end(), same_letter) !=
         accept_encoding.end();
}

// Holds a request "in flight" for max_concurrent_requests from its reading to its answer.
class in_flight_request {
 public:
  in_flight_request(request_counters& counters, std::string_view target) : counters_(counters) {
    counters_.request_started(target);
  }
  ~in_flight_request() { counters_.request_done(); }
  in_flight_request(const in_flight_request&) = delete;
  in_flight_request& operator=(const in_flight_request&) = delete;

 private:
  request_counters& counters_;
};

// Lists a connection with the core for as long as it lives.
class registration {
 public:
  registration(server_core& core, std::uint64_t id) : core_(core), id_(id) {}
  ~registration() { core_.remove_connection(id_); }
  registration(const registration&) = delete;
  registration& operator=(const registration&) = delete;

 private:
  server_core& core_;
  std::uint64_t id_;
};

template <class Stream>
class server_connection final : public connection_handle,
                                public std::enable_shared_from_this<server_connection<Stream>> {
 public:
  server_connection(std::shared_ptr<server_core> core, Stream stream)
      : core_(std::move(core)), stream_(std::move(stream)), delay_timer_(stream_.get_executor()) {}

  /// `self` keeps the connection alive for as long as the coroutine runs.
  asio::awaitable<void> run(std::shared_ptr<server_connection> self);

  void close() override {
    asio::dispatch(tcp_layer().get_executor(), [self = this->shared_from_this()] { self->close_now(); });
  }

 private:
  beast::tcp_stream& tcp_layer() { return beast::get_lowest_layer(stream_); }

  asio::awaitable<void> handshake();
  asio::awaitable<bool> serve_next();
  asio::awaitable<bool> answer(const request& req);
  asio::awaitable<void> pause(std::chrono::milliseconds delay);
  response make_response(api_reply reply, const request& req, bool closing, const fault* f);
  asio::awaitable<void> write_half_body(response& res);
  asio::awaitable<void> write_malformed_chunked(response& res);
  asio::awaitable<void> write_interim(const std::vector<unsigned>& statuses);
  asio::awaitable<void> write_endless_body(response& res);
  asio::awaitable<void> write_with_transfer_encoding(response& res, const std::string& coding);
  asio::awaitable<void> write_with_unasked_copy(response& res, std::chrono::milliseconds delay);
  bool reached_request_limit();
  void close_now();

  std::shared_ptr<server_core> core_;
  Stream stream_;
  asio::steady_timer delay_timer_;  // fault delays; close_now() cancels it
  beast::flat_buffer buffer_;
  std::size_t answered_ = 0;
  bool closed_ = false;
};

template <class Stream>
asio::awaitable<void> server_connection<Stream>::run(std::shared_ptr<server_connection> self) {
  const auto id = core_->add_connection(self);
  if (!id) co_return;  // the server is stopping: the socket closes with the connection
  const registration listed(*core_, *id);
  try {
    if constexpr (std::is_same_v<Stream, tls_stream>) co_await handshake();
    while (!closed_ && co_await serve_next()) {
    }
  } catch (const boost::system::system_error&) {
    // The peer left, the idle timer fired, or stop() closed the socket: all normal ends.
  } catch (const std::exception& error) {
    // A bug in the fake itself: say so, and keep serving the other connections.
    std::cerr << "humm fake_server: connection failed: " << error.what() << '\n';
  }
  close_now();
}

template <class Stream>
asio::awaitable<void> server_connection<Stream>::handshake() {
  tcp_layer().expires_after(handshake_timeout);
  co_await stream_.async_handshake(asio::ssl::stream_base::server, asio::use_awaitable);
  core_->counters.handshake_completed(SSL_CIPHER_get_name(SSL_get_current_cipher(stream_.native_handle())));
}

// Reads the next request, waiting at most idle_close for it; false when the connection ends.
template <class Stream>
asio::awaitable<bool> server_connection<Stream>::serve_next() {
  if (core_->options.idle_close.count() > 0)
    tcp_layer().expires_after(core_->options.idle_close);
  else
    tcp_layer().expires_never();
  request req;
  co_await http::async_read(stream_, buffer_, req, asio::use_awaitable);
  tcp_layer().expires_never();
  const in_flight_request in_flight(core_->counters, req.target());
  co_return co_await answer(req);
}

template <class Stream>
asio::awaitable<bool> server_connection<Stream>::answer(const request& req) {
  std::map<std::string, std::string> headers;
  for (const auto& field : req) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    headers[std::move(name)] = std::string(field.value());
  }
  core_->counters.request_headers(std::move(headers));
  const api_request matched = match_request(req.method_string(), req.target(), req[http::field::authorization]);
  const bool endpoint = matched.which != api_request::route::none;
  // The rate limit stands for a gateway in front of the service: it counts first, and a
  // request it refuses reaches neither the API nor its faults.
  fake_api::rate_verdict limit = endpoint ? core_->api.admit() : fake_api::rate_verdict{};
  // Faults stand for trouble at the endpoints, so requests to other paths do not use them up.
  const std::optional<fault> f = endpoint && !limit.refusal ? core_->api.take_fault() : std::nullopt;
  if (f && f->delay.count() > 0) co_await pause(f->delay);
  if (closed_ || (f && f->close_before_response)) co_return false;

  std::optional<api_reply> reply = std::move(limit.refusal);
  if (!reply && f) reply = fault_reply(*f);
  if (!reply) reply = core_->api.answer(matched);  // after any delay, so it sees the data as it is now
  // The gateway's fields go first, so that a fault's own headers of the same name win.
  reply->headers.insert(reply->headers.begin(), limit.headers.begin(), limit.headers.end());
  const bool closing = !req.keep_alive() || reached_request_limit();
  response res = make_response(std::move(*reply), req, closing, f ? &*f : nullptr);
  tcp_layer().expires_after(write_timeout);
  if (f && !f->interim_statuses.empty()) co_await write_interim(f->interim_statuses);
  if (f && f->close_mid_body) {
    co_await write_half_body(res);
    co_return false;
  }
  if (f && f->malformed_chunked) {
    co_await write_malformed_chunked(res);
    co_return false;
  }
  if (f && f->endless_body) {
    co_await write_endless_body(res);
    co_return false;
  }
  if (f && !f->transfer_encoding.empty()) {
    co_await write_with_transfer_encoding(res, f->transfer_encoding);
    co_return false;  // a close-delimited body needs the close; a chunked one does no harm by it
  }
  if (f && f->unasked_response) {
    co_await write_with_unasked_copy(res, f->unasked_response_delay);
    co_return !closing;
  }
  co_await http::async_write(stream_, res, asio::use_awaitable);
  co_return !closing;
}

// Waits on a timer rather than the thread, so that other connections go on meanwhile.
template <class Stream>
asio::awaitable<void> server_connection<Stream>::pause(std::chrono::milliseconds delay) {
  if (closed_) co_return;  // close_now() already ran: nothing would cancel this wait
  delay_timer_.expires_after(delay);
  co_await delay_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
}

template <class Stream>
response server_connection<Stream>::make_response(api_reply reply, const request& req, bool closing,
                                                  const fault* f) {
  response res(static_cast<http::status>(reply.status), req.version());
  res.set(http::field::content_type, "application/json");
  res.set("x-request-id", core_->next_request_id());
  if (reply.status == 429) core_->counters.too_many_requests_sent();
  for (const auto& [name, value] : reply.headers) res.set(name, value);
  if (core_->options.gzip && accepts_gzip(req[http::field::accept_encoding])) {
    if (f && f->gzip_two_members) {
      const std::string_view plain = reply.body;
      const std::size_t half = plain.size() / 2;
      reply.body = analyst::detail::gzip(plain.substr(0, half)) + analyst::detail::gzip(plain.substr(half));
    } else {
      reply.body = analyst::detail::gzip(reply.body);
    }
    if (f && f->gzip_trailing_garbage) reply.body += "trailing bytes that are not gzip";
    res.set(http::field::content_encoding, "gzip");
    core_->counters.gzip_response_sent();
  }
  res.body() = std::move(reply.body);
  res.keep_alive(!closing);
  res.prepare_payload();
  if (f)
    for (const auto& [name, value] : f->headers) res.set(name, value);
  return res;
}

// Each status as a bare interim response (a 103 with the Link header it is made for).
template <class Stream>
asio::awaitable<void> server_connection<Stream>::write_interim(const std::vector<unsigned>& statuses) {
  std::string heads;
  for (const unsigned status : statuses) {
    const auto reason = http::obsolete_reason(static_cast<http::status>(status));
    heads += "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason.data(), reason.size()) + "\r\n";
    if (status == 103) heads += "Link: </style.css>; rel=preload\r\n";
    heads += "\r\n";
  }
  co_await asio::async_write(stream_, asio::buffer(heads), asio::use_awaitable);
}

// 64 KiB chunks until a write fails (the client gave up and closed).
template <class Stream>
asio::awaitable<void> server_connection<Stream>::write_endless_body(response& res) {
  res.erase(http::field::content_length);
  res.erase(http::field::content_encoding);
  res.chunked(true);
  std::ostringstream head;
  head << res.base();
  co_await asio::async_write(stream_, asio::buffer(head.str()), asio::use_awaitable);
  const std::string chunk = "10000\r\n" + std::string(0x10000, ' ') + "\r\n";
  for (;;) {
    tcp_layer().expires_after(write_timeout);
    co_await asio::async_write(stream_, asio::buffer(chunk), asio::use_awaitable);
  }
}

template <class Stream>
asio::awaitable<void> server_connection<Stream>::write_with_transfer_encoding(response& res,
                                                                              const std::string& coding) {
  res.erase(http::field::content_length);
  res.set(http::field::transfer_encoding, coding);
  std::ostringstream message;
  message << res.base();
  const bool chunked = coding.size() >= 7 && coding.compare(coding.size() - 7, 7, "chunked") == 0;
  if (chunked) {
    std::ostringstream size;
    size << std::hex << res.body().size();
    message << size.str() << "\r\n" << res.body() << "\r\n0\r\n\r\n";
  } else {
    message << res.body();
  }
  co_await asio::async_write(stream_, asio::buffer(message.str()), asio::use_awaitable);
}

// The answer, then the same bytes again: in one write, or after `delay`.
template <class Stream>
asio::awaitable<void> server_connection<Stream>::write_with_unasked_copy(response& res,
                                                                         std::chrono::milliseconds delay) {
  std::ostringstream message;
  message << res;
  const std::string once = message.str();
  if (delay.count() == 0) {
    co_await asio::async_write(stream_, asio::buffer(once + once), asio::use_awaitable);
    co_return;
  }
  co_await asio::async_write(stream_, asio::buffer(once), asio::use_awaitable);
  co_await pause(delay);
  if (!closed_) co_await asio::async_write(stream_, asio::buffer(once), asio::use_awaitable);
}

// The head promises the whole body (Content-Length), then the connection ends halfway.
template <class Stream>
asio::awaitable<void> server_connection<Stream>::write_half_body(response& res) {
  http::response_serializer<http::string_body> serializer(res);
  co_await http::async_write_header(stream_, serializer, asio::use_awaitable);
  co_await asio::async_write(stream_, asio::buffer(res.body().data(), res.body().size() / 2), asio::use_awaitable);
}

// A chunked body whose first chunk-size line is not hexadecimal.
template <class Stream>
asio::awaitable<void> server_connection<Stream>::write_malformed_chunked(response& res) {
  res.erase(http::field::content_length);
  res.chunked(true);
  http::response_serializer<http::string_body> serializer(res);
  co_await http::async_write_header(stream_, serializer, asio::use_awaitable);
  const std::string chunks = "not-hex\r\n" + res.body() + "\r\n0\r\n\r\n";
  co_await asio::async_write(stream_, asio::buffer(chunks), asio::use_awaitable);
}

// close_after_requests: the K-th answer on a connection is its last.
template <class Stream>
bool server_connection<Stream>::reached_request_limit() {
  ++answered_;
  const std::size_t limit = core_->options.close_after_requests;
  return limit != 0 && answered_ >= limit;
}

// Without a TLS close_notify: the faults want an abrupt end, and stop() must not wait on a peer.
template <class Stream>
void server_connection<Stream>::close_now() {
  closed_ = true;
  tcp_layer().close();
  delay_timer_.cancel();
}

template <class Stream>
void spawn(std::shared_ptr<server_core> core, Stream stream) {
  auto executor = beast::get_lowest_layer(stream).get_executor();
  auto connection = std::make_shared<server_connection<Stream>>(std::move(core), std::move(stream));
  asio::co_spawn(executor, connection->run(connection), [](std::exception_ptr error) {
    if (error) std::rethrow_exception(error);  // only what run() does not expect: let it surface
  });
}

}  // namespace

void start_connection(std::shared_ptr<server_core> core, tcp::socket socket) {
  if (asio::ssl::context* tls = core->tls())
    spawn(std::move(core), tls_stream(beast::tcp_stream(std::move(socket)), *tls));
  else
    spawn(std::move(core), plain_stream(std::move(socket)));
}

}  // namespace humm::analyst::testing::detail
