#include "localcluster/apiserver/sa_token.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace mysqlop::local {

using nlohmann::json;

namespace {

constexpr const char* kB64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string randomId() {
  std::array<unsigned char, 16> raw{};
  RAND_bytes(raw.data(), static_cast<int>(raw.size()));
  raw[6] = static_cast<unsigned char>((raw[6] & 0x0f) | 0x40);
  raw[8] = static_cast<unsigned char>((raw[8] & 0x3f) | 0x80);
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) {
      out += '-';
    }
    out += kHex[raw[i] >> 4];
    out += kHex[raw[i] & 15];
  }
  return out;
}

Failure unauthorized(const std::string& why) { return {Errc::Unauthorized, why}; }

}  // namespace

std::string base64UrlEncode(const std::string& data) {
  std::string out;
  std::size_t i = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  auto at = [&](std::size_t k) { return static_cast<unsigned>(p[k]); };
  for (; i + 2 < data.size(); i += 3) {
    unsigned v = (at(i) << 16U) | (at(i + 1) << 8U) | at(i + 2);
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
    out += kB64[v & 63];
  }
  if (data.size() - i == 1) {
    unsigned v = at(i) << 16U;
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
  } else if (data.size() - i == 2) {
    unsigned v = (at(i) << 16U) | (at(i + 1) << 8U);
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
  }
  return out;
}

bool base64UrlDecode(const std::string& text, std::string* out) {
  out->clear();
  unsigned acc = 0;
  int bits = 0;
  for (char c : text) {
    const char* pos = std::strchr(kB64, c);
    if (c == '\0' || pos == nullptr) {
      return false;
    }
    acc = (acc << 6) | static_cast<unsigned>(pos - kB64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return bits < 6;  // a lone 6-bit group is not a valid length
}

Result<void> ServiceAccountTokens::loadOrCreateKey(const std::string& dataDir) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(dataDir) / "pki";
  const std::string path = (dir / "sa.key").string();
  {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    if (in && ss.str().size() >= 32) {
      key_ = ss.str();
      return {};
    }
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  std::array<unsigned char, 32> raw{};
  if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1) {
    return fail(Errc::Internal, "cannot generate the service-account key: RAND_bytes failed");
  }
  key_.assign(reinterpret_cast<const char*>(raw.data()), raw.size());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) {
    return fail(Errc::Unavailable, "cannot write " + path);
  }
  ::chmod(path.c_str(), 0600);
  out << key_;
  if (!out) {
    return fail(Errc::Unavailable, "cannot write " + path);
  }
  return {};
}

std::string ServiceAccountTokens::sign(const std::string& data) const {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac.data(), &len);
  return std::string(reinterpret_cast<const char*>(mac.data()), len);
}

std::string ServiceAccountTokens::issue(const Claims& c) const {
  json header = {{"alg", "HS256"}, {"typ", "JWT"}};
  json k8s = {{"namespace", c.ns},
              {"serviceaccount", {{"name", c.serviceAccount}, {"uid", c.serviceAccountUid}}}};
  if (!c.podName.empty()) {
    k8s["pod"] = {{"name", c.podName}, {"uid", c.podUid}};
  }
  if (c.warnAfter != 0) {
    k8s["warnafter"] = c.warnAfter;
  }
  json payload = {
      {"aud", c.audiences},   {"exp", c.expires},
      {"iat", c.issuedAt},    {"nbf", c.issuedAt},
      {"iss", kIssuer},       {"jti", randomId()},
      {"kubernetes.io", k8s}, {"sub", "system:serviceaccount:" + c.ns + ":" + c.serviceAccount}};
  std::string signingInput = base64UrlEncode(header.dump()) + "." + base64UrlEncode(payload.dump());
  return signingInput + "." + base64UrlEncode(sign(signingInput));
}

Result<ServiceAccountTokens::Claims> ServiceAccountTokens::verify(const std::string& token,
                                                                  std::int64_t now) const {
  auto dot1 = token.find('.');
  auto dot2 = dot1 == std::string::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string::npos || token.find('.', dot2 + 1) != std::string::npos) {
    return unauthorized("not a JWT");
  }
  std::string mac;
  if (!base64UrlDecode(token.substr(dot2 + 1), &mac)) {
    return unauthorized("malformed signature");
  }
  const std::string want = sign(token.substr(0, dot2));
  if (mac.size() != want.size() || CRYPTO_memcmp(mac.data(), want.data(), mac.size()) != 0) {
    return unauthorized("invalid signature");
  }
  std::string headerText;
  std::string payloadText;
  if (!base64UrlDecode(token.substr(0, dot1), &headerText) ||
      !base64UrlDecode(token.substr(dot1 + 1, dot2 - dot1 - 1), &payloadText)) {
    return unauthorized("malformed token");
  }
  json header = json::parse(headerText, nullptr, false);
  json p = json::parse(payloadText, nullptr, false);
  if (!header.is_object() || header.value("alg", "") != "HS256" || !p.is_object()) {
    return unauthorized("malformed token");
  }
  try {
    Claims c;
    if (p.value("iss", "") != kIssuer) {
      return unauthorized("wrong issuer");
    }
    c.expires = p.at("exp").get<std::int64_t>();
    c.issuedAt = p.value("iat", std::int64_t{0});
    if (now >= c.expires) {
      return unauthorized("token has expired");
    }
    if (p.contains("nbf") && now + 60 < p["nbf"].get<std::int64_t>()) {
      return unauthorized("token is not valid yet");
    }
    const json& aud = p.at("aud");
    if (aud.is_string()) {
      c.audiences = {aud.get<std::string>()};
    } else {
      c.audiences = aud.get<std::vector<std::string>>();
    }
    if (std::find(c.audiences.begin(), c.audiences.end(), kIssuer) == c.audiences.end()) {
      return unauthorized("token audiences are not accepted");
    }
    const json& k = p.at("kubernetes.io");
    c.ns = k.at("namespace").get<std::string>();
    c.serviceAccount = k.at("serviceaccount").at("name").get<std::string>();
    c.serviceAccountUid = k.at("serviceaccount").value("uid", "");
    if (k.contains("pod")) {
      c.podName = k["pod"].value("name", "");
      c.podUid = k["pod"].value("uid", "");
    }
    if (p.value("sub", "") != "system:serviceaccount:" + c.ns + ":" + c.serviceAccount) {
      return unauthorized("subject does not match the service account");
    }
    return c;
  } catch (const json::exception&) {
    return unauthorized("malformed claims");
  }
}

}  // namespace mysqlop::local
