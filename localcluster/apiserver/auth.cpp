#include "localcluster/apiserver/auth.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <sys/stat.h>

#include <Poco/Base64Encoder.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "localcluster/apiserver/api_server.h"

namespace mysqlop::local {

namespace {

bool sameToken(const std::string& a, const std::string& b) {
  return a.size() == b.size() && !a.empty() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string base64(const std::string& s) {
  std::ostringstream out;
  Poco::Base64Encoder enc(out);
  enc.rdbuf()->setLineLength(0);
  enc << s;
  enc.close();
  return out.str();
}

}  // namespace

Result<void> TokenAuth::loadOrCreate(const std::string& dataDir) {
  std::string path = (std::filesystem::path(dataDir) / "token").string();
  std::ifstream in(path);
  if (in && std::getline(in, token_) && !token_.empty()) {
    return {};
  }
  unsigned char raw[24];
  if (RAND_bytes(raw, sizeof raw) != 1) {
    return fail(Errc::Internal, "cannot generate a token: RAND_bytes failed");
  }
  static const char kHex[] = "0123456789abcdef";
  token_.clear();
  for (unsigned char c : raw) {
    token_ += kHex[c >> 4];
    token_ += kHex[c & 15];
  }
  std::ofstream out(path, std::ios::trunc);
  if (!out) {
    return fail(Errc::Unavailable, "cannot write " + path);
  }
  ::chmod(path.c_str(), 0600);
  out << token_ << "\n";
  return {};
}

bool TokenAuth::allowed(const std::string& authorization, bool admin) const {
  const std::string prefix = "Bearer ";
  if (authorization.compare(0, prefix.size(), prefix) != 0) {
    return false;
  }
  std::string presented = authorization.substr(prefix.size());
  while (!presented.empty() && (presented.back() == ' ' || presented.back() == '\r')) {
    presented.pop_back();
  }
  std::lock_guard lock(mu_);
  if (sameToken(presented, token_) && (admin || primaryForApi_)) {
    return true;
  }
  if (admin) {
    return false;
  }
  for (const auto& t : extra_) {
    if (sameToken(presented, t)) {
      return true;
    }
  }
  return false;
}

void TokenAuth::setTokens(std::vector<std::string> tokens, bool keepPrimary) {
  std::lock_guard lock(mu_);
  extra_ = std::move(tokens);
  primaryForApi_ = keepPrimary;
}

std::shared_ptr<const UserInfo> authenticate(const ApiServer& api, const TokenAuth& auth,
                                             const std::string& authorization, bool admin) {
  static const auto kAdmin = std::make_shared<const UserInfo>(adminUser());
  if (auth.allowed(authorization, admin)) {
    return kAdmin;
  }
  const std::string prefix = "Bearer ";
  if (admin || authorization.compare(0, prefix.size(), prefix) != 0) {
    return nullptr;
  }
  std::string presented = authorization.substr(prefix.size());
  while (!presented.empty() && (presented.back() == ' ' || presented.back() == '\r')) {
    presented.pop_back();
  }
  auto user = api.authenticateServiceAccount(presented);
  return user ? std::make_shared<const UserInfo>(std::move(*user)) : nullptr;
}

Result<void> writeKubeconfig(const std::string& path, const std::string& server,
                             const std::string& caPem, const std::string& token) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) {
      return fail(Errc::Unavailable, "cannot write " + tmp);
    }
    ::chmod(tmp.c_str(), 0600);
    out << "apiVersion: v1\n"
           "kind: Config\n"
           "clusters:\n"
           "- name: local\n"
           "  cluster:\n"
           "    server: "
        << server << "\n";
    if (!caPem.empty()) {
      out << "    certificate-authority-data: " << base64(caPem) << "\n";
    }
    out << "contexts:\n"
           "- name: local\n"
           "  context:\n"
           "    cluster: local\n"
           "    user: local\n"
           "    namespace: default\n"
           "current-context: local\n"
           "preferences: {}\n"
           "users:\n"
           "- name: local\n"
           "  user:\n"
           "    token: "
        << token << "\n";
    if (!out) {
      return fail(Errc::Unavailable, "cannot write " + tmp);
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    return fail(Errc::Unavailable, "cannot write " + path + ": " + ec.message());
  }
  return {};
}

}  // namespace mysqlop::local
