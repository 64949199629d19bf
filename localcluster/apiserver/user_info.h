#pragma once

#include <string>
#include <vector>

namespace mysqlop::local {

// Who a request comes from, once authenticated (k8s.io/apiserver user.Info).
struct UserInfo {
  std::string name;
  std::string uid;
  std::vector<std::string> groups;

  bool inGroup(const std::string& group) const {
    for (const auto& g : groups) {
      if (g == group) {
        return true;
      }
    }
    return false;
  }
};

// The identity of the admin kubeconfig's token: system:masters, which every authorizer allows.
inline UserInfo adminUser() {
  return {"system:admin", "", {"system:masters", "system:authenticated"}};
}

// "system:serviceaccount:<ns>:<name>" and its groups, as the service-account authenticator gives.
inline UserInfo serviceAccountUser(const std::string& ns, const std::string& name,
                                   const std::string& uid) {
  return {"system:serviceaccount:" + ns + ":" + name,
          uid,
          {"system:serviceaccounts", "system:serviceaccounts:" + ns, "system:authenticated"}};
}

// Splits "system:serviceaccount:<ns>:<name>"; false for any other user name.
inline bool splitServiceAccountName(const std::string& user, std::string* ns, std::string* name) {
  const std::string prefix = "system:serviceaccount:";
  if (user.rfind(prefix, 0) != 0) {
    return false;
  }
  std::string rest = user.substr(prefix.size());
  auto colon = rest.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == rest.size() ||
      rest.find(':', colon + 1) != std::string::npos) {
    return false;
  }
  *ns = rest.substr(0, colon);
  *name = rest.substr(colon + 1);
  return true;
}

}  // namespace mysqlop::local
