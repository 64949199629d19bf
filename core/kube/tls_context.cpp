#include "core/kube/tls_context.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <Poco/Net/SSLManager.h>

#include <memory>
#include <mutex>

namespace mysqlop::kube {

namespace {

using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;
using X509Ptr = std::unique_ptr<X509, decltype(&X509_free)>;
using KeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

std::string sslError() {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) {
    return "no certificate found";
  }
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

BioPtr memBio(const std::string& pem) {
  return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
}

// Every certificate of a PEM bundle, in order.
Result<std::vector<X509Ptr>> readCertificates(const std::string& pem, const char* what) {
  ERR_clear_error();
  BioPtr bio = memBio(pem);
  std::vector<X509Ptr> out;
  for (;;) {
    X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
    if (!cert) {
      break;
    }
    out.emplace_back(cert, &X509_free);
  }
  ERR_clear_error();  // the loop always ends with a "no start line" error
  if (out.empty()) {
    return fail(Errc::Invalid, std::string(what) + ": no PEM certificate could be read");
  }
  return out;
}

void initializeOnce() {
  static std::once_flag once;
  std::call_once(once, [] { Poco::Net::initializeSSL(); });
}

}  // namespace

Result<Poco::Net::Context::Ptr> makeClientContext(const RestConfig& config) {
  initializeOnce();
  Poco::Net::Context::Params params;
  params.verificationMode = config.insecureSkipTlsVerify ? Poco::Net::Context::VERIFY_NONE
                                                         : Poco::Net::Context::VERIFY_RELAXED;
  params.loadDefaultCAs = config.caPem.empty() && !config.insecureSkipTlsVerify;
  Poco::Net::Context::Ptr ctx;
  try {
    ctx = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
    ctx->disableProtocols(Poco::Net::Context::PROTO_SSLV2 | Poco::Net::Context::PROTO_SSLV3 |
                          Poco::Net::Context::PROTO_TLSV1 | Poco::Net::Context::PROTO_TLSV1_1);
    // Host name (or IP SAN) verification after the handshake: X509_check_host / X509_check_ip.
    ctx->enableExtendedCertificateVerification(!config.insecureSkipTlsVerify);
  } catch (const Poco::Exception& e) {
    return fail(Errc::Internal, "creating the TLS context: " + e.displayText());
  }
  SSL_CTX* ssl = ctx->sslContext();
  if (!config.caPem.empty() && !config.insecureSkipTlsVerify) {
    auto certs = readCertificates(config.caPem, "certificate authority");
    if (!certs.ok()) {
      return certs.error();
    }
    X509_STORE* store = SSL_CTX_get_cert_store(ssl);
    for (const auto& c : *certs) {
      if (X509_STORE_add_cert(store, c.get()) != 1) {
        const std::string why = sslError();
        if (why.find("already in hash table") == std::string::npos) {
          return fail(Errc::Invalid, "certificate authority: " + why);
        }
      }
    }
  }
  if (!config.clientCertPem.empty()) {
    auto certs = readCertificates(config.clientCertPem, "client certificate");
    if (!certs.ok()) {
      return certs.error();
    }
    if (SSL_CTX_use_certificate(ssl, (*certs)[0].get()) != 1) {
      return fail(Errc::Invalid, "client certificate: " + sslError());
    }
    for (std::size_t i = 1; i < certs->size(); ++i) {
      // The context takes ownership of chain certificates.
      if (SSL_CTX_add_extra_chain_cert(ssl, (*certs)[i].release()) != 1) {
        return fail(Errc::Invalid, "client certificate chain: " + sslError());
      }
    }
    ERR_clear_error();
    BioPtr bio = memBio(config.clientKeyPem);
    KeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
    if (!key) {
      return fail(Errc::Invalid, "client key: no PEM private key could be read");
    }
    if (SSL_CTX_use_PrivateKey(ssl, key.get()) != 1 || SSL_CTX_check_private_key(ssl) != 1) {
      return fail(Errc::Invalid, "client key does not match the client certificate: " + sslError());
    }
  }
  return ctx;
}

}  // namespace mysqlop::kube
