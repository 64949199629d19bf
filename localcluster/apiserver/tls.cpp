#include "localcluster/apiserver/tls.h"

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <memory>

namespace mysqlop::local {

namespace {

namespace fs = std::filesystem;

struct Deleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(FILE* f) const { std::fclose(f); }
  void operator()(GENERAL_NAMES* n) const { GENERAL_NAMES_free(n); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter>;
using CertPtr = std::unique_ptr<X509, Deleter>;
using FilePtr = std::unique_ptr<FILE, Deleter>;

std::string opensslError(const std::string& what) { return what + " failed (OpenSSL)"; }

KeyPtr newKey() { return KeyPtr(EVP_EC_gen("P-256")); }

bool addExt(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (!ext) {
    return false;
  }
  bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

CertPtr makeCert(EVP_PKEY* key, const std::string& cn, X509* issuer, EVP_PKEY* issuerKey, bool ca,
                 const std::string& san) {
  CertPtr cert(X509_new());
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7F;
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 60L * 60 * 24 * 3650);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509* iss = issuer ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(iss));
  bool ok = true;
  if (ca) {
    ok = ok && addExt(cert.get(), iss, NID_basic_constraints, "critical,CA:TRUE");
    ok = ok &&
         addExt(cert.get(), iss, NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature");
    ok = ok && addExt(cert.get(), iss, NID_subject_key_identifier, "hash");
  } else {
    ok = ok && addExt(cert.get(), iss, NID_basic_constraints, "critical,CA:FALSE");
    ok = ok && addExt(cert.get(), iss, NID_key_usage, "critical,digitalSignature,keyEncipherment");
    ok = ok && addExt(cert.get(), iss, NID_ext_key_usage, "serverAuth");
    ok = ok && addExt(cert.get(), iss, NID_subject_key_identifier, "hash");
    ok = ok && addExt(cert.get(), iss, NID_authority_key_identifier, "keyid:always");
    ok = ok && addExt(cert.get(), iss, NID_subject_alt_name, san);
  }
  if (!ok || X509_sign(cert.get(), issuerKey ? issuerKey : key, EVP_sha256()) == 0) {
    return nullptr;
  }
  return cert;
}

bool writeKey(const std::string& path, EVP_PKEY* key) {
  FilePtr f(std::fopen(path.c_str(), "w"));
  if (!f) {
    return false;
  }
  ::chmod(path.c_str(), 0600);
  return PEM_write_PrivateKey(f.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
}

bool writeCert(const std::string& path, X509* cert) {
  FilePtr f(std::fopen(path.c_str(), "w"));
  return f && PEM_write_X509(f.get(), cert) == 1;
}

KeyPtr readKey(const std::string& path) {
  FilePtr f(std::fopen(path.c_str(), "r"));
  return f ? KeyPtr(PEM_read_PrivateKey(f.get(), nullptr, nullptr, nullptr)) : nullptr;
}

CertPtr readCert(const std::string& path) {
  FilePtr f(std::fopen(path.c_str(), "r"));
  return f ? CertPtr(PEM_read_X509(f.get(), nullptr, nullptr, nullptr)) : nullptr;
}

bool isIp(const std::string& s) {
  ASN1_OCTET_STRING* a = a2i_IPADDRESS(s.c_str());
  if (!a) {
    return false;
  }
  ASN1_OCTET_STRING_free(a);
  return true;
}

// A DNS name as a SAN: RFC 1123 labels of letters, digits and '-', dot-separated.
bool isDnsName(const std::string& s) {
  if (s.empty() || s.size() > 253) {
    return false;
  }
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t end = s.find('.', start);
    if (end == std::string::npos) {
      end = s.size();
    }
    const std::string label = s.substr(start, end - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-' ||
        !std::all_of(label.begin(), label.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
        })) {
      return false;
    }
    start = end + 1;
  }
  return true;
}

}  // namespace

bool certificateHasDns(const std::string& certFile, const std::string& name) {
  CertPtr cert = readCert(certFile);
  if (!cert) {
    return false;
  }
  std::unique_ptr<GENERAL_NAMES, Deleter> names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert.get(), NID_subject_alt_name, nullptr, nullptr)));
  if (!names) {
    return false;
  }
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* n = sk_GENERAL_NAME_value(names.get(), i);
    if (n->type == GEN_DNS) {
      const auto* data = ASN1_STRING_get0_data(n->d.dNSName);
      const std::string dns(reinterpret_cast<const char*>(data),
                            static_cast<std::size_t>(ASN1_STRING_length(n->d.dNSName)));
      if (dns == name) {
        return true;
      }
    }
  }
  return false;
}

bool certificateHasIp(const std::string& certFile, const std::string& ip) {
  CertPtr cert = readCert(certFile);
  if (!cert) {
    return false;
  }
  std::unique_ptr<GENERAL_NAMES, Deleter> names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert.get(), NID_subject_alt_name, nullptr, nullptr)));
  if (!names) {
    return false;
  }
  ASN1_OCTET_STRING* want = a2i_IPADDRESS(ip.c_str());
  if (!want) {
    return false;
  }
  bool found = false;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* n = sk_GENERAL_NAME_value(names.get(), i);
    if (n->type == GEN_IPADD && ASN1_OCTET_STRING_cmp(n->d.iPAddress, want) == 0) {
      found = true;
    }
  }
  ASN1_OCTET_STRING_free(want);
  return found;
}

Result<TlsFiles> ensureCertificates(const std::string& dataDir,
                                    const std::vector<std::string>& sans) {
  std::vector<std::string> ips = {"127.0.0.1"};
  std::vector<std::string> dns = {"kubernetes", "kubernetes.default", "kubernetes.default.svc",
                                  "kubernetes.default.svc.cluster.local", "localhost"};
  for (const auto& san : sans) {
    auto& into = isIp(san) ? ips : dns;
    if (&into == &dns && !isDnsName(san)) {
      return fail(Errc::Invalid,
                  "certificate SAN \"" + san + "\" is neither an IP address nor a DNS name");
    }
    if (std::find(into.begin(), into.end(), san) == into.end()) {
      into.push_back(san);
    }
  }
  fs::path pki = fs::path(dataDir) / "pki";
  std::error_code ec;
  fs::create_directories(pki, ec);
  if (ec) {
    return fail(Errc::Unavailable, "cannot create " + pki.string() + ": " + ec.message());
  }
  TlsFiles files{(pki / "ca.crt").string(), (pki / "ca.key").string(),
                 (pki / "apiserver.crt").string(), (pki / "apiserver.key").string()};
  KeyPtr caKey = readKey(files.caKey);
  CertPtr caCert = readCert(files.caCert);
  if (!caKey || !caCert) {
    caKey = newKey();
    if (!caKey) {
      return fail(Errc::Internal, opensslError("CA key generation"));
    }
    caCert = makeCert(caKey.get(), "mysql-operator-local-ca", nullptr, nullptr, true, "");
    if (!caCert || !writeKey(files.caKey, caKey.get()) || !writeCert(files.caCert, caCert.get())) {
      return fail(Errc::Internal, opensslError("CA certificate creation in " + pki.string()));
    }
    fs::remove(files.serverCert, ec);
  }
  bool valid = fs::exists(files.serverCert) && fs::exists(files.serverKey);
  for (const auto& ip : ips) {
    valid = valid && certificateHasIp(files.serverCert, ip);
  }
  for (const auto& name : dns) {
    valid = valid && certificateHasDns(files.serverCert, name);
  }
  if (valid) {
    return files;
  }
  std::string san;
  for (const auto& name : dns) {
    san += (san.empty() ? "DNS:" : ",DNS:") + name;
  }
  for (const auto& ip : ips) {
    san += ",IP:" + ip;
  }
  KeyPtr key = newKey();
  if (!key) {
    return fail(Errc::Internal, opensslError("server key generation"));
  }
  CertPtr cert = makeCert(key.get(), "kube-apiserver", caCert.get(), caKey.get(), false, san);
  if (!cert || !writeKey(files.serverKey, key.get()) || !writeCert(files.serverCert, cert.get())) {
    return fail(Errc::Internal, opensslError("server certificate creation in " + pki.string()));
  }
  return files;
}

}  // namespace mysqlop::local
