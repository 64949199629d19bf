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

// Creates (once) a CA and a serving certificate under DIR/pki with OpenSSL: ECDSA P-256, IP SAN
// 127.0.0.1, DNS SANs kubernetes, kubernetes.default, kubernetes.default.svc,
// kubernetes.default.svc.cluster.local, localhost, and each of `sans` (an IP address or a DNS
// name; anything else is refused, Errc::Invalid). An existing serving certificate is reissued
// from the stored CA when it lacks one of them.
Result<TlsFiles> ensureCertificates(const std::string& dataDir,
                                    const std::vector<std::string>& sans);

// True if the PEM certificate file names `ip` among its IP SANs.
bool certificateHasIp(const std::string& certFile, const std::string& ip);
// True if the PEM certificate file names `name` among its DNS SANs.
bool certificateHasDns(const std::string& certFile, const std::string& name);

}  // namespace mysqlop::local
