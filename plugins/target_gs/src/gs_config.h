#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "mysqlop/plugin.hpp"

namespace mysqlop::targetgs {

// Settings of the plugin (its `config` object).
struct Options {
  std::size_t chunkSize = 8u << 20;  // bytes per resumable-upload request (multiple of 256 KiB)
  std::string endpoint = "https://storage.googleapis.com";  // the JSON API's root
  int timeoutSeconds = 60;
};
// Throws mysqlop::ConfigError naming the key.
Options parseOptions(std::string_view configJson);

// gs://bucket/object.
struct Location {
  std::string bucket;
  std::string object;  // may be empty or a prefix for list
};
Location parseUrl(std::string_view url, bool object);

// The Secret: GCS_SERVICE_ACCOUNT_JSON_KEY (client_email, private_key, token_uri),
// GCS_OBJECT_ACL (predefinedAcl), GCS_STORAGE_CLASS.
struct Account {
  std::string clientEmail;
  std::string privateKey;
  std::string tokenUri;
  std::string objectAcl;
  std::string storageClass;
};
// InvalidConfig "credentials: GCS_SERVICE_ACCOUNT_JSON_KEY ..." naming the missing field, never
// a value.
Account accountFor(const Credentials& credentials);

}  // namespace mysqlop::targetgs
