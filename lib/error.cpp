#include <humm/analyst/error.hpp>

namespace humm::analyst {
namespace {

class category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "humm.analyst"; }

  std::string message(int code) const override {
    switch (static_cast<errc>(code)) {
      case errc::invalid_argument: return "invalid argument";
      case errc::http_status: return "the server answered with an error status";
      case errc::decode: return "the response is not the documented JSON";
      case errc::body_too_large: return "the response body exceeds the size limit";
      case errc::tls: return "TLS handshake or certificate verification failed";
      case errc::timeout: return "timed out";
      case errc::connection: return "connection failed";
      case errc::cancelled: return "cancelled";
      case errc::repeated_page: return "the server's pages stopped bringing new runs";
      case errc::bad_pagination: return "the server's pagination cannot be followed";
      case errc::deadline_exceeded: return "the deadline passed";
      case errc::rate_limited: return "the server's rate limit asks for a longer wait than max_retry_after";
      case errc::proxy: return "the proxy refused the tunnel to the API";
    }
    return "unknown humm.analyst error";
  }
};

}  // namespace

const std::error_category& error_category() noexcept {
  static const category instance;
  return instance;
}

}  // namespace humm::analyst
