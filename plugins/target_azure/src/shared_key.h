#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "plugins/target_http/src/text.h"

namespace mysqlop::targetazure {

// What a Blob request signs with SharedKey (learn.microsoft.com, "Authorize with Shared Key",
// version 2015-02-21 and later: an empty Content-Length line for a zero length).
struct SignedRequest {
  std::string method;                          // PUT
  std::string account;                         // devstoreaccount1
  std::string path;                            // the URI path as sent, percent-encoded
  std::map<std::string, std::string> query;    // decoded names and values
  std::map<std::string, std::string> headers;  // lower-case names: the standard ones and x-ms-*
};

// The string to sign: the verb, eleven standard headers, the canonicalized x-ms-* headers and
// the canonicalized resource ("/" + account + path, then "\nname:value" per query parameter).
std::string stringToSign(const SignedRequest& r);
// Base64(HMAC-SHA256(key, stringToSign)); key is the decoded account key.
std::string signature(const std::string& key, std::string_view stringToSign);

std::string base64Encode(std::string_view bytes);
// nullopt for text that is not canonical base64 (the key of a Secret pasted wrongly).
std::optional<std::string> base64Decode(std::string_view text);
// Percent-encodes all but RFC 3986's unreserved characters (and '/' when keepSlash).
using targethttp::uriEncode;
// The current time as x-ms-date wants it: "Thu, 03 Dec 2026 12:00:00 GMT".
std::string rfc1123Now();

}  // namespace mysqlop::targetazure
