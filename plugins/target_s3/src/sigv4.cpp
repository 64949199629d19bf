#include "plugins/target_s3/src/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <stdexcept>

namespace mysqlop::targets3 {

namespace {

std::string hmac(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
            reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len)) {
    throw std::runtime_error("HMAC-SHA256 failed");
  }
  return std::string(reinterpret_cast<const char*>(out), len);
}

}  // namespace

std::string hex(const unsigned char* data, std::size_t len) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (std::size_t i = 0; i < len; ++i) {
    out += digits[data[i] >> 4];
    out += digits[data[i] & 0xf];
  }
  return out;
}

std::string sha256Hex(std::string_view data) {
  unsigned char out[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), out);
  return hex(out, sizeof out);
}

std::string canonicalQuery(const std::map<std::string, std::string>& query) {
  // Sorted by encoded name; names here are plain ASCII, so the map's order is that order.
  std::string out;
  for (const auto& [k, v] : query) {
    out += (out.empty() ? "" : "&") + uriEncode(k, false) + "=" + uriEncode(v, false);
  }
  return out;
}

std::string signedHeaders(const SigningRequest& r) {
  std::string out;
  for (const auto& [k, v] : r.headers) {
    out += (out.empty() ? "" : ";") + k;
  }
  return out;
}

std::string canonicalRequest(const SigningRequest& r) {
  std::string out = r.method + "\n" + r.path + "\n" + canonicalQuery(r.query) + "\n";
  for (const auto& [k, v] : r.headers) {
    // Trim; S3 values here never hold runs of inner spaces.
    const auto b = v.find_first_not_of(' ');
    const auto e = v.find_last_not_of(' ');
    out += k + ":" + (b == std::string::npos ? "" : v.substr(b, e - b + 1)) + "\n";
  }
  out += "\n" + signedHeaders(r) + "\n" + r.payloadHash;
  return out;
}

std::string stringToSign(const SigningRequest& r, const SigningKey& k, const std::string& amzDate) {
  const std::string scope =
      amzDate.substr(0, 8) + "/" + k.region + "/" + k.service + "/aws4_request";
  return "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + sha256Hex(canonicalRequest(r));
}

std::string signature(const SigningRequest& r, const SigningKey& k, const std::string& amzDate) {
  const std::string dateKey = hmac("AWS4" + k.secretAccessKey, amzDate.substr(0, 8));
  const std::string regionKey = hmac(dateKey, k.region);
  const std::string serviceKey = hmac(regionKey, k.service);
  const std::string signingKey = hmac(serviceKey, "aws4_request");
  const std::string sig = hmac(signingKey, stringToSign(r, k, amzDate));
  return hex(reinterpret_cast<const unsigned char*>(sig.data()), sig.size());
}

std::string authorization(const SigningRequest& r, const SigningKey& k,
                          const std::string& amzDate) {
  return "AWS4-HMAC-SHA256 Credential=" + k.accessKeyId + "/" + amzDate.substr(0, 8) + "/" +
         k.region + "/" + k.service + "/aws4_request,SignedHeaders=" + signedHeaders(r) +
         ",Signature=" + signature(r, k, amzDate);
}

std::string amzDateNow() { return targethttp::formatUtcNow("%Y%m%dT%H%M%SZ"); }

}  // namespace mysqlop::targets3
