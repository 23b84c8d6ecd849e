#include "certificate.hpp"

#include <boost/asio/ip/address.hpp>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <stdexcept>

namespace humm::analyst::testing::detail {

void evp_pkey_deleter::operator()(EVP_PKEY* key) const noexcept { EVP_PKEY_free(key); }
void x509_deleter::operator()(X509* certificate) const noexcept { X509_free(certificate); }

namespace {

// OpenSSL reports through its thread-local error queue; take the newest reason and clear
// the queue so that no stale error surfaces later in an unrelated TLS operation.
void check(bool ok, const char* what) {
  if (ok) return;
  char reason[256] = "unknown reason";
  if (const unsigned long code = ERR_get_error(); code != 0) ERR_error_string_n(code, reason, sizeof reason);
  ERR_clear_error();
  throw std::runtime_error(std::string("fake_server certificate: ") + what + " failed: " + reason);
}

// A random positive serial, so that two servers of one test never present the same
// issuer and serial with different keys (clients may cache by that pair).
void set_random_serial(X509* certificate) {
  unsigned char bytes[16];
  check(RAND_bytes(bytes, sizeof bytes) == 1, "RAND_bytes");
  bytes[0] &= 0x7f;
  BIGNUM* serial = BN_bin2bn(bytes, sizeof bytes, nullptr);
  check(serial != nullptr, "BN_bin2bn");
  const bool set = BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(certificate)) != nullptr;
  BN_free(serial);
  check(set, "BN_to_ASN1_INTEGER");
}

void set_names(X509* certificate) {
  X509_NAME* name = X509_get_subject_name(certificate);
  const auto* common_name = reinterpret_cast<const unsigned char*>("localhost");
  check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, common_name, -1, -1, 0) == 1, "X509_NAME_add_entry");
  check(X509_set_issuer_name(certificate, name) == 1, "X509_set_issuer_name");  // self-signed
}

void add_extension(X509* certificate, int nid, const char* value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, certificate, certificate, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_nconf_nid(nullptr, &context, nid, value);
  check(extension != nullptr, "X509V3_EXT_nconf_nid");
  const bool added = X509_add_ext(certificate, extension, -1) == 1;
  X509_EXTENSION_free(extension);
  check(added, "X509_add_ext");
}

// The extensions `openssl req -x509` gives a self-signed certificate, so that clients
// accept it as its own trust anchor: a CA that may sign (itself), used for TLS servers,
// named by subjectAltName (clients ignore the CN when SANs are present).
void add_extensions(X509* certificate, const std::vector<std::string>& hosts) {
  std::string names;
  for (const std::string& host : hosts) {
    boost::system::error_code not_ip;
    boost::asio::ip::make_address(host, not_ip);
    names += (names.empty() ? "" : ",") + std::string(not_ip ? "DNS:" : "IP:") + host;
  }
  add_extension(certificate, NID_basic_constraints, "critical,CA:TRUE");
  add_extension(certificate, NID_key_usage, "critical,digitalSignature,keyCertSign");
  add_extension(certificate, NID_ext_key_usage, "serverAuth");
  add_extension(certificate, NID_subject_key_identifier, "hash");
  add_extension(certificate, NID_subject_alt_name, names.c_str());
}

std::string to_pem(X509* certificate) {
  BIO* memory = BIO_new(BIO_s_mem());
  check(memory != nullptr, "BIO_new");
  const bool written = PEM_write_bio_X509(memory, certificate) == 1;
  char* data = nullptr;
  const long size = BIO_get_mem_data(memory, &data);
  std::string pem = written && size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
  BIO_free(memory);
  check(written, "PEM_write_bio_X509");
  return pem;
}

}  // namespace

tls_identity make_self_signed_identity(const std::vector<std::string>& hosts) {
  tls_identity identity;
  identity.key.reset(EVP_EC_gen("P-256"));
  check(identity.key != nullptr, "EVP_EC_gen");

  identity.certificate.reset(X509_new());
  X509* certificate = identity.certificate.get();
  check(certificate != nullptr, "X509_new");
  check(X509_set_version(certificate, X509_VERSION_3) == 1, "X509_set_version");
  set_random_serial(certificate);
  // An hour of slack before now covers clocks that differ a little between processes.
  constexpr long hour = 60 * 60;
  check(X509_gmtime_adj(X509_getm_notBefore(certificate), -hour) != nullptr, "X509_gmtime_adj");
  check(X509_gmtime_adj(X509_getm_notAfter(certificate), 30 * 24 * hour) != nullptr, "X509_gmtime_adj");
  check(X509_set_pubkey(certificate, identity.key.get()) == 1, "X509_set_pubkey");
  set_names(certificate);
  add_extensions(certificate, hosts);
  check(X509_sign(certificate, identity.key.get(), EVP_sha256()) > 0, "X509_sign");

  identity.certificate_pem = to_pem(certificate);
  return identity;
}

}  // namespace humm::analyst::testing::detail
