#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "mysqlop/plugin.hpp"
#include "plugins/target_s3/src/sigv4.h"

namespace mysqlop::targets3 {

// The plugin's `config` object.
struct Options {
  std::size_t partSize = 8u << 20;  // bytes buffered per multipart part (memory per writer)
  std::string addressing = "auto";  // "path", "virtual", or "auto" (path-style with S3_ENDPOINT)
  std::string endpoint;             // used when the credentials have no S3_ENDPOINT
  int timeoutSeconds = 60;          // per HTTP exchange
  // Parts uploaded at once, each on a connection of its own; a writer holds at most
  // uploadConcurrency + 1 parts in memory (1: parts go up one after the other on the caller's
  // thread).
  std::size_t uploadConcurrency = 1;
};

// Parses {"partSize": N, "addressing": "...", "endpoint": "...", "timeoutSeconds": N,
// "uploadConcurrency": N};
// throws mysqlop::ConfigError naming the key. partSize is at least 5 MiB (S3's minimum part).
Options parseOptions(std::string_view configJson);

// s3://bucket/key, split. Throws InvalidConfig naming the URL: not s3://, no bucket, a bucket name
// S3 refuses, or (objectRequired) no key.
struct Location {
  std::string bucket;
  std::string key;
};
Location parseUrl(std::string_view url, bool objectRequired);

// Where and how to send requests, from the options and bitpoke's Secret keys: AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY (or AWS_SECRET_KEY), AWS_REGION (us-east-1), S3_ENDPOINT, AWS_ACL,
// AWS_STORAGE_CLASS, AWS_SESSION_TOKEN. Throws InvalidConfig naming a missing key or a bad
// S3_ENDPOINT (never a value of a secret key).
struct Settings {
  bool https = true;
  std::string host;  // endpoint host, without the bucket
  unsigned short port = 443;
  bool pathStyle = false;
  SigningKey key;
  std::string sessionToken;
  std::string acl;
  std::string storageClass;
  std::string endpointText;  // for messages: "http://127.0.0.1:7480"
};
Settings settingsFor(const Options& options, const Credentials& credentials,
                     const std::string& bucket);

}  // namespace mysqlop::targets3
