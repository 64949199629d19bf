#pragma once

#include <map>
#include <string>
#include <string_view>

#include "plugins/target_http/src/text.h"

namespace mysqlop::targets3 {

// AWS Signature Version 4 (HMAC-SHA256, OpenSSL). The pieces are exposed so that the known-answer
// tests can compare each step with AWS's documented examples.

std::string sha256Hex(std::string_view data);
std::string hex(const unsigned char* data, std::size_t len);
// RFC 3986 encoding as SigV4 wants it: everything but A-Z a-z 0-9 - . _ ~ is %XX; '/' too unless
// keepSlash (object keys in paths).
using targethttp::uriEncode;

struct SigningRequest {
  std::string method;                          // "GET"
  std::string path;                            // the canonical URI, already encoded ("/bucket/key")
  std::map<std::string, std::string> query;    // decoded names and values; encoded when signing
  std::map<std::string, std::string> headers;  // lower-case names; must include host
  std::string payloadHash;                     // sha256Hex of the body, or "UNSIGNED-PAYLOAD"
};

struct SigningKey {
  std::string accessKeyId;
  std::string secretAccessKey;
  std::string region;
  std::string service = "s3";
};

std::string canonicalRequest(const SigningRequest& r);
std::string canonicalQuery(const std::map<std::string, std::string>& query);
std::string signedHeaders(const SigningRequest& r);
// amzDate: "20130524T000000Z".
std::string stringToSign(const SigningRequest& r, const SigningKey& k, const std::string& amzDate);
std::string signature(const SigningRequest& r, const SigningKey& k, const std::string& amzDate);
// The Authorization header's value.
std::string authorization(const SigningRequest& r, const SigningKey& k, const std::string& amzDate);

// The current time as "YYYYMMDDTHHMMSSZ".
std::string amzDateNow();

}  // namespace mysqlop::targets3
