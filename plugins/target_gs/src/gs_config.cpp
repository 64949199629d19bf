#include "plugins/target_gs/src/gs_config.h"

#include <nlohmann/json.hpp>

#include "plugins/target_http/src/config.h"

namespace mysqlop::targetgs {

namespace {

[[noreturn]] void badUrl(std::string_view url, const std::string& why) {
  throw Error(mysqlop_status_InvalidConfig, "URL " + std::string(url) + ": " + why);
}

}  // namespace

Options parseOptions(std::string_view configJson) {
  Options o;
  const auto j = targethttp::configObject<nlohmann::json>(configJson);
  for (const auto& [key, v] : j.items()) {
    if (key == "chunkSize") {
      if (!v.is_number_unsigned() || v.get<std::uint64_t>() == 0 ||
          v.get<std::uint64_t>() % (256u << 10) != 0 || v.get<std::uint64_t>() > (256u << 20)) {
        throw ConfigError(
            "config.chunkSize: expected a multiple of 256 KiB (262144) up to "
            "256 MiB");
      }
      o.chunkSize = v.get<std::size_t>();
    } else if (key == "endpoint") {
      if (!v.is_string() || (v.get<std::string>().rfind("http://", 0) != 0 &&
                             v.get<std::string>().rfind("https://", 0) != 0)) {
        throw ConfigError("config.endpoint: expected a URL such as https://storage.googleapis.com");
      }
      o.endpoint = v.get<std::string>();
      while (!o.endpoint.empty() && o.endpoint.back() == '/') {
        o.endpoint.pop_back();
      }
    } else if (key == "timeoutSeconds") {
      o.timeoutSeconds = targethttp::timeoutSeconds(v);
    } else {
      targethttp::unknownConfigKey(key, "chunkSize, endpoint, timeoutSeconds");
    }
  }
  return o;
}

Location parseUrl(std::string_view url, bool object) {
  constexpr std::string_view kScheme = "gs://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    badUrl(url, "expected gs://bucket/object");
  }
  const std::string rest(url.substr(kScheme.size()));
  const auto slash = rest.find('/');
  Location where;
  where.bucket = rest.substr(0, slash);
  where.object = slash == std::string::npos ? "" : rest.substr(slash + 1);
  if (where.bucket.empty()) {
    badUrl(url, "expected gs://bucket/object");
  }
  if (object && (where.object.empty() || where.object.back() == '/')) {
    badUrl(url, "expected an object name, not a directory");
  }
  return where;
}

Account accountFor(const Credentials& credentials) {
  const auto text = credentials.get("GCS_SERVICE_ACCOUNT_JSON_KEY");
  if (!text || text->empty()) {
    throw Error(mysqlop_status_InvalidConfig,
                "credentials: GCS_SERVICE_ACCOUNT_JSON_KEY is not set");
  }
  const auto j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    throw Error(mysqlop_status_InvalidConfig,
                "credentials: GCS_SERVICE_ACCOUNT_JSON_KEY is not a JSON object");
  }
  Account a;
  for (const auto& [field, out] :
       {std::pair<const char*, std::string*>{"client_email", &a.clientEmail},
        {"private_key", &a.privateKey},
        {"token_uri", &a.tokenUri}}) {
    const auto it = j.find(field);
    if (it == j.end() || !it->is_string() || it->get<std::string>().empty()) {
      throw Error(mysqlop_status_InvalidConfig,
                  std::string("credentials: GCS_SERVICE_ACCOUNT_JSON_KEY "
                              "has no ") +
                      field);
    }
    *out = it->get<std::string>();
  }
  a.objectAcl = credentials.getOr("GCS_OBJECT_ACL", "");
  a.storageClass = credentials.getOr("GCS_STORAGE_CLASS", "");
  return a;
}

}  // namespace mysqlop::targetgs
