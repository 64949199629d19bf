#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "core/common/result.h"

namespace mysqlop::local {

// Service-account tokens: JWTs signed with HS256 under a key made on first start
// (DIR/pki/sa.key, 32 random bytes, 0600). The claims are kube-apiserver's: iss, sub
// (system:serviceaccount:<ns>:<sa>), aud, exp, iat, nbf, jti and "kubernetes.io" {namespace,
// serviceaccount{name,uid}, pod{name,uid}}. This class only signs and checks signature, issuer,
// audience and time; that the ServiceAccount (and the bound pod) still exist with the token's
// uids is the API server's check (it owns the store).
class ServiceAccountTokens {
 public:
  static constexpr const char* kIssuer = "https://kubernetes.default.svc.cluster.local";

  struct Claims {
    std::string ns;
    std::string serviceAccount;
    std::string serviceAccountUid;
    std::string podName;  // "" when the token is not bound to a pod
    std::string podUid;
    std::vector<std::string> audiences;
    std::int64_t issuedAt = 0;  // seconds since the epoch
    std::int64_t expires = 0;
    std::int64_t warnAfter = 0;  // an extended kubelet token: "kubernetes.io".warnafter
  };

  Result<void> loadOrCreateKey(const std::string& dataDir);
  // A signed token for these claims (issuedAt and expires as given).
  std::string issue(const Claims& claims) const;
  // The claims of a token this server issued, valid at `now` for one of `audiences`; fails
  // (Errc::Unauthorized) on anything else: not a JWT, another key, expired, other audience.
  Result<Claims> verify(const std::string& token, std::int64_t now) const;

 private:
  std::string sign(const std::string& data) const;
  std::string key_;
};

// base64url without padding (RFC 7515), as JWTs use it.
std::string base64UrlEncode(const std::string& data);
bool base64UrlDecode(const std::string& text, std::string* out);

}  // namespace mysqlop::local
