#include "plugins/target_azure/src/azure_config.h"

#include <Poco/Exception.h>
#include <Poco/URI.h>

#include <nlohmann/json.hpp>

#include "plugins/target_azure/src/shared_key.h"
#include "plugins/target_http/src/config.h"

namespace mysqlop::targetazure {

namespace {

[[noreturn]] void badUrl(std::string_view url, const std::string& why) {
  throw Error(mysqlop_status_InvalidConfig, "URL " + std::string(url) + ": " + why);
}

// Azure's rule: 3 to 63 of lower-case letters, digits and single '-', starting and ending with a
// letter or digit.
bool validContainer(const std::string& c) {
  if (c.size() < 3 || c.size() > 63 || c.front() == '-' || c.back() == '-' ||
      c.find("--") != std::string::npos) {
    return false;
  }
  for (char ch : c) {
    if (!(std::islower(static_cast<unsigned char>(ch)) ||
          std::isdigit(static_cast<unsigned char>(ch)) || ch == '-')) {
      return false;
    }
  }
  return true;
}

}  // namespace

Options parseOptions(std::string_view configJson) {
  Options o;
  const auto j = targethttp::configObject<nlohmann::json>(configJson);
  for (const auto& [key, v] : j.items()) {
    if (key == "blockSize") {
      if (!v.is_number_unsigned() || v.get<std::uint64_t>() < (64u << 10) ||
          v.get<std::uint64_t>() > (100u << 20)) {
        throw ConfigError(
            "config.blockSize: expected a number of bytes from 64 KiB (65536) to "
            "100 MiB (104857600)");
      }
      o.blockSize = v.get<std::size_t>();
    } else if (key == "endpoint") {
      if (!v.is_string()) {
        throw ConfigError("config.endpoint: expected a URL such as http://127.0.0.1:10000/account");
      }
      o.endpoint = v.get<std::string>();
    } else if (key == "timeoutSeconds") {
      o.timeoutSeconds = targethttp::timeoutSeconds(v);
    } else {
      targethttp::unknownConfigKey(key, "blockSize, endpoint, timeoutSeconds");
    }
  }
  return o;
}

Location parseUrl(std::string_view url, bool object) {
  constexpr std::string_view kScheme = "azure://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    badUrl(url, "expected azure://container/blob");
  }
  const std::string rest(url.substr(kScheme.size()));
  const auto slash = rest.find('/');
  Location where;
  where.container = rest.substr(0, slash);
  where.blob = slash == std::string::npos ? "" : rest.substr(slash + 1);
  if (where.container.empty()) {
    badUrl(url, "expected azure://container/blob");
  }
  if (!validContainer(where.container)) {
    badUrl(url, "the container name must be 3 to 63 lower-case letters, digits and '-'");
  }
  if (object && (where.blob.empty() || where.blob.back() == '/')) {
    badUrl(url, "expected a blob name, not a directory");
  }
  return where;
}

Settings settingsFor(const Options& options, const Credentials& credentials) {
  Settings s;
  auto account = credentials.get("AZUREBLOB_ACCOUNT");
  if (!account || account->empty()) {
    throw Error(mysqlop_status_InvalidConfig, "credentials: AZUREBLOB_ACCOUNT is not set");
  }
  auto key = credentials.get("AZUREBLOB_KEY");
  if (!key || key->empty()) {
    throw Error(mysqlop_status_InvalidConfig, "credentials: AZUREBLOB_KEY is not set");
  }
  auto decoded = base64Decode(*key);
  if (!decoded) {
    throw Error(mysqlop_status_InvalidConfig, "credentials: AZUREBLOB_KEY is not base64");
  }
  s.account = *account;
  s.key = *decoded;
  const std::string endpoint = credentials.getOr("AZUREBLOB_ENDPOINT", options.endpoint);
  if (endpoint.empty()) {
    s.host = s.account + ".blob.core.windows.net";
    return s;
  }
  try {
    const Poco::URI uri(endpoint);
    if ((uri.getScheme() != "http" && uri.getScheme() != "https") || uri.getHost().empty()) {
      throw Poco::SyntaxException("scheme");
    }
    s.https = uri.getScheme() == "https";
    s.host = uri.getHost();
    s.port = uri.getPort();
    s.basePath = uri.getPath();
    while (!s.basePath.empty() && s.basePath.back() == '/') {
      s.basePath.pop_back();
    }
  } catch (const Poco::Exception&) {
    throw Error(mysqlop_status_InvalidConfig,
                "credentials: AZUREBLOB_ENDPOINT: expected a URL such as "
                "http://127.0.0.1:10000/account");
  }
  return s;
}

}  // namespace mysqlop::targetazure
