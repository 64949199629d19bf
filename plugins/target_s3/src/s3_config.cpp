#include "plugins/target_s3/src/s3_config.h"

#include <Poco/Exception.h>
#include <Poco/URI.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "plugins/target_http/src/config.h"

namespace mysqlop::targets3 {

namespace {
constexpr std::size_t kMinPart = 5u << 20;
constexpr std::size_t kMaxPart = 5ull << 30;
}  // namespace

Options parseOptions(std::string_view configJson) {
  Options o;
  const auto j = targethttp::configObject<nlohmann::json>(configJson);
  for (const auto& [key, v] : j.items()) {
    if (key == "partSize") {
      if (!v.is_number_unsigned() || v.get<std::uint64_t>() < kMinPart ||
          v.get<std::uint64_t>() > kMaxPart) {
        throw ConfigError(
            "config.partSize: expected a number of bytes from 5 MiB (5242880) to "
            "5 GiB");
      }
      o.partSize = v.get<std::size_t>();
    } else if (key == "addressing") {
      if (!v.is_string() || (v != "auto" && v != "path" && v != "virtual")) {
        throw ConfigError("config.addressing: expected \"auto\", \"path\" or \"virtual\"");
      }
      o.addressing = v.get<std::string>();
    } else if (key == "endpoint") {
      if (!v.is_string()) {
        throw ConfigError("config.endpoint: expected a URL such as https://s3.example.com");
      }
      o.endpoint = v.get<std::string>();
    } else if (key == "timeoutSeconds") {
      o.timeoutSeconds = targethttp::timeoutSeconds(v);
    } else if (key == "uploadConcurrency") {
      if (!v.is_number_unsigned() || v.get<std::size_t>() < 1 || v.get<std::size_t>() > 16) {
        throw ConfigError("config.uploadConcurrency: expected 1 to 16");
      }
      o.uploadConcurrency = v.get<std::size_t>();
    } else {
      targethttp::unknownConfigKey(
          key, "partSize, addressing, endpoint, timeoutSeconds, uploadConcurrency");
    }
  }
  return o;
}

Location parseUrl(std::string_view url, bool objectRequired) {
  const std::string u(url);
  constexpr std::string_view kScheme = "s3://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    throw Error(mysqlop_status_InvalidConfig, "URL " + u + " does not start with s3://");
  }
  const std::string_view rest = url.substr(kScheme.size());
  const auto slash = rest.find('/');
  Location l;
  l.bucket = std::string(rest.substr(0, slash));
  l.key = slash == std::string_view::npos ? "" : std::string(rest.substr(slash + 1));
  if (l.bucket.empty()) {
    throw Error(mysqlop_status_InvalidConfig, "URL " + u + " names no bucket (s3://bucket/key)");
  }
  static const std::regex kBucket("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
  if (!std::regex_match(l.bucket, kBucket)) {
    throw Error(mysqlop_status_InvalidConfig,
                "URL " + u + ": \"" + l.bucket +
                    "\" is not a valid bucket name (3 to 63 lower-case letters, digits, '.' and "
                    "'-')");
  }
  if (objectRequired && (l.key.empty() || l.key.back() == '/')) {
    throw Error(mysqlop_status_InvalidConfig, "URL " + u + " names no object (s3://bucket/key)");
  }
  return l;
}

Settings settingsFor(const Options& options, const Credentials& c, const std::string& bucket) {
  Settings s;
  auto id = c.get("AWS_ACCESS_KEY_ID");
  auto secret = c.get("AWS_SECRET_ACCESS_KEY");
  if (!secret || secret->empty()) {
    secret = c.get("AWS_SECRET_KEY");
  }
  if (!id || id->empty()) {
    throw Error(mysqlop_status_InvalidConfig, "credentials: AWS_ACCESS_KEY_ID is not set");
  }
  if (!secret || secret->empty()) {
    throw Error(mysqlop_status_InvalidConfig,
                "credentials: neither AWS_SECRET_ACCESS_KEY nor AWS_SECRET_KEY is set");
  }
  s.key.accessKeyId = *id;
  s.key.secretAccessKey = *secret;
  s.key.region = c.getOr("AWS_REGION", "");
  if (s.key.region.empty()) {
    s.key.region = "us-east-1";
  }
  s.sessionToken = c.getOr("AWS_SESSION_TOKEN", "");
  s.acl = c.getOr("AWS_ACL", "");
  s.storageClass = c.getOr("AWS_STORAGE_CLASS", "");

  std::string endpoint = c.getOr("S3_ENDPOINT", "");
  const char* from = "S3_ENDPOINT";
  if (endpoint.empty()) {
    endpoint = options.endpoint;
    from = "config.endpoint";
  }
  const bool custom = !endpoint.empty();
  if (!custom) {
    endpoint = s.key.region == "us-east-1" ? "https://s3.amazonaws.com"
                                           : "https://s3." + s.key.region + ".amazonaws.com";
  }
  if (endpoint.find("://") == std::string::npos) {
    endpoint = "https://" + endpoint;  // as rclone reads a bare host
  }
  try {
    const Poco::URI uri(endpoint);
    if ((uri.getScheme() != "http" && uri.getScheme() != "https") || uri.getHost().empty() ||
        (!uri.getPath().empty() && uri.getPath() != "/")) {
      throw Poco::SyntaxException("scheme, host or path");
    }
    s.https = uri.getScheme() == "https";
    s.host = uri.getHost();
    s.port = uri.getPort();
  } catch (const Poco::Exception&) {
    throw Error(
        mysqlop_status_InvalidConfig,
        std::string(from) + " \"" + endpoint + "\" is not an endpoint URL (http[s]://host[:port])");
  }
  s.endpointText = (s.https ? "https://" : "http://") + s.host + ":" + std::to_string(s.port);
  if (options.addressing == "path") {
    s.pathStyle = true;
  } else if (options.addressing == "virtual") {
    s.pathStyle = false;
  } else {
    // Custom stores (RGW, MinIO, ...) rarely have wildcard DNS; a dotted bucket breaks TLS names.
    s.pathStyle = custom || bucket.find('.') != std::string::npos;
  }
  return s;
}

}  // namespace mysqlop::targets3
