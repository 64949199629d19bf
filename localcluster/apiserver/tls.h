#pragma once

#include <string>
#include <vector>

#include "core/common/result.h"

namespace mysqlop::local {

struct TlsFiles {
  std::string caCert;      // DIR/pki/ca.crt
  std::string caKey;       // DIR/pki/ca.key
  std::string serverCert;  // DIR/pki/apiserver.crt
  std::string serverKey;   // DIR/pki/apiserver.key
};

// Creates (once) a CA and a serving certificate under DIR/pki with OpenSSL: ECDSA P-256, IP SANs
// 127.0.0.1 and each of `ips`, DNS SANs kubernetes, kubernetes.default, kubernetes.default.svc,
// localhost. An existing serving certificate is reissued (same CA) when it lacks one of the IPs.
Result<TlsFiles> ensureCertificates(const std::string& dataDir,
                                    const std::vector<std::string>& ips);

// True if the PEM certificate file names `ip` among its IP SANs.
bool certificateHasIp(const std::string& certFile, const std::string& ip);

}  // namespace mysqlop::local
