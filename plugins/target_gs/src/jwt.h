#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace mysqlop::targetgs {

std::string base64Url(std::string_view bytes);  // RFC 7515: no padding, '-' and '_'

// The RS256 (RSASSA-PKCS1-v1_5 with SHA-256) signature of data with a PEM private key (PKCS#8
// "BEGIN PRIVATE KEY", as Google's service-account keys, or PKCS#1), base64url. Deterministic.
// Throws mysqlop::Error(InvalidConfig) "credentials: GCS_SERVICE_ACCOUNT_JSON_KEY: ..." for a key
// OpenSSL cannot read (the key's text is never in the message).
std::string signRs256(std::string_view pemKey, std::string_view data);

// Google's OAuth2 service-account assertion (developers.google.com/identity/protocols/oauth2/
// service-account, "Preparing to make an authorized API call"): header {"alg":"RS256","typ":"JWT"}
// and claims iss, scope, aud, iat, exp = iat + 3600, signed with the key.
std::string assertion(std::string_view clientEmail, std::string_view scope,
                      std::string_view tokenUri, std::int64_t issuedAt, std::string_view pemKey);

}  // namespace mysqlop::targetgs
