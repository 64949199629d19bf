#include "plugins/target_gs/src/jwt.h"

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "mysqlop/plugin.hpp"

namespace mysqlop::targetgs {

std::string base64Url(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  while (!out.empty() && out.back() == '=') {
    out.pop_back();
  }
  for (char& c : out) {
    c = c == '+' ? '-' : c == '/' ? '_' : c;
  }
  return out;
}

std::string signRs256(std::string_view pemKey, std::string_view data) {
  const auto badKey = [](const char* why) {
    return Error(mysqlop_status_InvalidConfig,
                 std::string("credentials: GCS_SERVICE_ACCOUNT_JSON_KEY: ") + why);
  };
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pemKey.data(), static_cast<int>(pemKey.size())), BIO_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr, EVP_PKEY_free);
  if (!key || EVP_PKEY_base_id(key.get()) != EVP_PKEY_RSA) {
    throw badKey("private_key is not a PEM RSA private key");
  }
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  std::size_t len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(data.data()),
                     data.size()) != 1) {
    throw badKey("signing with private_key failed");
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1) {
    throw badKey("signing with private_key failed");
  }
  sig.resize(len);
  return base64Url(sig);
}

std::string assertion(std::string_view clientEmail, std::string_view scope,
                      std::string_view tokenUri, std::int64_t issuedAt, std::string_view pemKey) {
  // Fixed member order (nlohmann's ordered_json), so that the same input gives the same JWT.
  nlohmann::ordered_json claims;
  claims["iss"] = clientEmail;
  claims["scope"] = scope;
  claims["aud"] = tokenUri;
  claims["iat"] = issuedAt;
  claims["exp"] = issuedAt + 3600;
  const std::string signingInput =
      base64Url(R"({"alg":"RS256","typ":"JWT"})") + "." + base64Url(claims.dump());
  return signingInput + "." + signRs256(pemKey, signingInput);
}

}  // namespace mysqlop::targetgs
