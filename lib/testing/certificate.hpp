#pragma once
// The fake server's TLS identity: a key and a self-signed certificate made in memory at
// start, so that no key file exists anywhere and every server trusts a different
// certificate (a client can only pass a test by trusting exactly this one).

#include <openssl/types.h>

#include <memory>
#include <string>
#include <vector>

namespace humm::analyst::testing::detail {

struct evp_pkey_deleter {
  void operator()(EVP_PKEY* key) const noexcept;
};
struct x509_deleter {
  void operator()(X509* certificate) const noexcept;
};

struct tls_identity {
  std::unique_ptr<EVP_PKEY, evp_pkey_deleter> key;
  std::unique_ptr<X509, x509_deleter> certificate;
  std::string certificate_pem;
};

/// An EC P-256 key and a certificate for `hosts` (names or IP addresses, as subjectAltName),
/// valid from an hour ago for 30 days. Throws std::runtime_error when OpenSSL fails.
tls_identity make_self_signed_identity(const std::vector<std::string>& hosts);

}  // namespace humm::analyst::testing::detail
