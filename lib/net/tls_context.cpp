// TLS set-up spelled out where it happens, as Beast's client examples do.

#include "net/tls_context.hpp"

#include <stdexcept>
#include <string>

namespace humm::analyst::detail {

namespace asio = boost::asio;

namespace {

asio::ssl::context make_context(const tls_options& tls) {
  asio::ssl::context context(asio::ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION);
  context.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_compression);
  // TLS 1.3 suites in the order browsers and Go offer them: AES-128-GCM first, which costs
  // less CPU per byte than OpenSSL's default first choice, AES-256-GCM, on both ends.
  SSL_CTX_set_ciphersuites(context.native_handle(),
                           "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256");
  context.set_verify_mode(tls.verify_peer ? asio::ssl::verify_peer : asio::ssl::verify_none);
  boost::system::error_code ec;
  if (!tls.ca_pem.empty()) {
    context.add_certificate_authority(asio::buffer(tls.ca_pem), ec);
    if (ec) throw std::invalid_argument("tls.ca_pem: not a usable PEM certificate: " + ec.message());
  }
  if (!tls.ca_file.empty()) {
    context.load_verify_file(tls.ca_file, ec);
    if (ec) throw std::invalid_argument("tls.ca_file: cannot load '" + tls.ca_file + "': " + ec.message());
  }
  if (tls.ca_pem.empty() && tls.ca_file.empty()) context.set_default_verify_paths();
  return context;
}

}  // namespace

tls_context::tls_context(const tls_options& options) : context_(make_context(options)) {
  if (options.resume_sessions) sessions_.attach(context_.native_handle());
}

}  // namespace humm::analyst::detail
