#include "plugins/target_azure/src/shared_key.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace mysqlop::targetazure {

std::string stringToSign(const SignedRequest& r) {
  auto header = [&](const char* name) {
    auto it = r.headers.find(name);
    return it == r.headers.end() ? std::string() : it->second;
  };
  std::string length = header("content-length");
  if (length == "0") {
    length.clear();
  }
  std::string s = r.method + "\n" + header("content-encoding") + "\n" + header("content-language") +
                  "\n" + length + "\n" + header("content-md5") + "\n" + header("content-type") +
                  "\n" + header("date") + "\n" + header("if-modified-since") + "\n" +
                  header("if-match") + "\n" + header("if-none-match") + "\n" +
                  header("if-unmodified-since") + "\n" + header("range") + "\n";
  // std::map keeps the names sorted, as the canonical form wants.
  for (const auto& [name, value] : r.headers) {
    if (name.rfind("x-ms-", 0) == 0) {
      s += name + ":" + value + "\n";
    }
  }
  s += "/" + r.account + r.path;
  for (const auto& [name, value] : r.query) {
    s += "\n" + name + ":" + value;
  }
  return s;
}

std::string signature(const std::string& key, std::string_view sts) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(sts.data()), sts.size(), mac, &len);
  return base64Encode(std::string_view(reinterpret_cast<const char*>(mac), len));
}

std::string base64Encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::optional<std::string> base64Decode(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0) {
    return std::nullopt;
  }
  std::string out(3 * text.size() / 4, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) {
    return std::nullopt;
  }
  // EVP_DecodeBlock counts the padding as zero bytes.
  std::size_t size = static_cast<std::size_t>(n);
  for (std::size_t i = text.size(); i > 0 && text[i - 1] == '='; --i) {
    --size;
  }
  out.resize(size);
  if (base64Encode(out) != text) {
    return std::nullopt;
  }
  return out;
}

std::string rfc1123Now() { return targethttp::formatUtcNow("%a, %d %b %Y %H:%M:%S GMT"); }

}  // namespace mysqlop::targetazure
