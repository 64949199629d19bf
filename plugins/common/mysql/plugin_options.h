#pragma once

// Reading a plugin's `config` and the operator settings (JSON objects handed to create) with
// errors that name the key: mysqlop::ConfigError("config.queryTimeoutSeconds must be an integer
// from 1 to 86400").

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

#include "plugins/common/mysql/pool.h"

namespace mysqlop::mysql {

class OptionReader {
 public:
  // what names the object in messages: "config" or "operator settings". Throws ConfigError when
  // json is not a JSON object ("" counts as {}).
  OptionReader(std::string_view json, std::string what);
  ~OptionReader();
  OptionReader(const OptionReader&) = delete;
  OptionReader& operator=(const OptionReader&) = delete;

  bool boolean(std::string_view key, bool fallback) const;
  std::string string(std::string_view key, std::string fallback) const;
  // An integer from 1 to 86400.
  std::int64_t seconds(std::string_view key, std::int64_t fallback) const;
  std::int64_t integer(std::string_view key, std::int64_t fallback, std::int64_t min,
                       std::int64_t max) const;
  // connectTimeoutSeconds (5), queryTimeoutSeconds (30), maxIdleConnections (2, 0..64).
  PoolOptions poolOptions() const;
  // Throws ConfigError for a key not in known (a misspelt setting would otherwise be ignored).
  void rejectUnknown(std::initializer_list<std::string_view> known) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mysqlop::mysql
