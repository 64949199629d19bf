#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "localcluster/apiserver/user_info.h"

namespace mysqlop::local {

// Bearer-token authentication. The token in DIR/token (random, made on first start) always
// authenticates, including the admin paths; tests may replace the set of other API tokens to
// exercise a client's token rotation (/_local/auth/tokens).
class TokenAuth {
 public:
  Result<void> loadOrCreate(const std::string& dataDir);
  const std::string& token() const { return token_; }
  // `authorization` is the raw Authorization header.
  bool allowed(const std::string& authorization, bool admin) const;
  // Replaces the extra tokens; `keepPrimary` false makes the file token valid for admin only.
  void setTokens(std::vector<std::string> tokens, bool keepPrimary);

 private:
  std::string token_;
  mutable std::mutex mu_;
  std::vector<std::string> extra_;
  bool primaryForApi_ = true;
};

class ApiServer;
// Who an Authorization header is: the admin token (and the extra tokens) are system:admin in
// system:masters; a service-account token is its account (ApiServer checks it against the
// store); null when neither (401). `admin`: an admin path, where only the admin token counts.
std::shared_ptr<const UserInfo> authenticate(const ApiServer& api, const TokenAuth& auth,
                                             const std::string& authorization, bool admin);

// Writes a kubeconfig (0600) that kubectl and our client use unchanged: one cluster "local"
// (server, CA data unless empty), one user with the token, context "local" in namespace default.
Result<void> writeKubeconfig(const std::string& path, const std::string& server,
                             const std::string& caPem, const std::string& token);

}  // namespace mysqlop::local
