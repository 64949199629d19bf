#include "plugins/common/mysql/plugin_options.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "mysqlop/plugin.hpp"

namespace mysqlop::mysql {

struct OptionReader::Impl {
  nlohmann::json obj;
  std::string what;

  std::string field(std::string_view key) const {
    return what == "config" ? "config." + std::string(key) : what + " " + std::string(key);
  }
  const nlohmann::json* find(std::string_view key) const {
    auto it = obj.find(std::string(key));
    if (it == obj.end() || it->is_null()) {
      return nullptr;
    }
    return &*it;
  }
};

OptionReader::OptionReader(std::string_view json, std::string what)
    : impl_(std::make_unique<Impl>()) {
  impl_->what = std::move(what);
  if (json.empty()) {
    impl_->obj = nlohmann::json::object();
    return;
  }
  impl_->obj = nlohmann::json::parse(json, nullptr, false);
  if (!impl_->obj.is_object()) {
    throw mysqlop::ConfigError(impl_->what + " is not a JSON object");
  }
}

OptionReader::~OptionReader() = default;

bool OptionReader::boolean(std::string_view key, bool fallback) const {
  const nlohmann::json* v = impl_->find(key);
  if (v == nullptr) {
    return fallback;
  }
  if (!v->is_boolean()) {
    throw mysqlop::ConfigError(impl_->field(key) + " must be true or false");
  }
  return v->get<bool>();
}

std::string OptionReader::string(std::string_view key, std::string fallback) const {
  const nlohmann::json* v = impl_->find(key);
  if (v == nullptr) {
    return fallback;
  }
  if (!v->is_string()) {
    throw mysqlop::ConfigError(impl_->field(key) + " must be a string");
  }
  return v->get<std::string>();
}

std::int64_t OptionReader::integer(std::string_view key, std::int64_t fallback, std::int64_t min,
                                   std::int64_t max) const {
  const nlohmann::json* v = impl_->find(key);
  if (v == nullptr) {
    return fallback;
  }
  if (!v->is_number_integer() || v->get<std::int64_t>() < min || v->get<std::int64_t>() > max) {
    throw mysqlop::ConfigError(impl_->field(key) + " must be an integer from " +
                               std::to_string(min) + " to " + std::to_string(max));
  }
  return v->get<std::int64_t>();
}

std::int64_t OptionReader::seconds(std::string_view key, std::int64_t fallback) const {
  return integer(key, fallback, 1, 86400);
}

PoolOptions OptionReader::poolOptions() const {
  PoolOptions p;
  p.timeouts.connect = std::chrono::seconds(seconds("connectTimeoutSeconds", 5));
  p.timeouts.read = std::chrono::seconds(seconds("queryTimeoutSeconds", 30));
  p.timeouts.write = p.timeouts.read;
  p.maxIdlePerTarget = static_cast<std::size_t>(integer("maxIdleConnections", 2, 0, 64));
  // An endpoint that just failed to answer is not tried again for one connect timeout.
  p.failFastFor = p.timeouts.connect;
  return p;
}

void OptionReader::rejectUnknown(std::initializer_list<std::string_view> known) const {
  for (const auto& [key, value] : impl_->obj.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      std::string list;
      for (std::string_view k : known) {
        list += list.empty() ? std::string(k) : ", " + std::string(k);
      }
      throw mysqlop::ConfigError(impl_->field(key) +
                                 " is not a setting of this plugin (known: " + list + ")");
    }
  }
}

}  // namespace mysqlop::mysql
