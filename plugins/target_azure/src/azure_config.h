#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "mysqlop/plugin.hpp"

namespace mysqlop::targetazure {

// Settings of the plugin (its `config` object).
struct Options {
  std::size_t blockSize = 8u << 20;  // bytes per Put Block (and the writer's buffer)
  std::string endpoint;              // used when the Secret has no AZUREBLOB_ENDPOINT
  int timeoutSeconds = 60;
};
// Parses {"blockSize": N, "endpoint": "http://...", "timeoutSeconds": 60}; throws
// mysqlop::ConfigError naming the key.
Options parseOptions(std::string_view configJson);

// azure://container/blob (bitpoke's form: the container, then the blob name).
struct Location {
  std::string container;
  std::string blob;  // may be empty or a prefix for list
};
// Throws mysqlop::Error(InvalidConfig) naming the URL for another scheme, no container, an
// invalid container name, or (object=true) an empty or "/"-ending blob name.
Location parseUrl(std::string_view url, bool object);

// Where requests go and how they are signed.
struct Settings {
  bool https = true;
  std::string host;  // account.blob.core.windows.net, or the endpoint's host
  unsigned short port = 443;
  std::string basePath;  // "" for Azure; "/devstoreaccount1" for an azurite-style endpoint
  std::string account;
  std::string key;  // decoded AZUREBLOB_KEY
};
// From the Secret: AZUREBLOB_ACCOUNT, AZUREBLOB_KEY (base64), optional AZUREBLOB_ENDPOINT (the
// blob service URL, e.g. http://127.0.0.1:10000/devstoreaccount1). InvalidConfig
// "credentials: KEY is not set" / "credentials: AZUREBLOB_KEY is not base64" (never the value).
Settings settingsFor(const Options& options, const Credentials& credentials);

}  // namespace mysqlop::targetazure
