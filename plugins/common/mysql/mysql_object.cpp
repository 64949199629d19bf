#include "plugins/common/mysql/mysql_object.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "plugins/common/kube/conditions.h"
#include "plugins/common/kube/time.h"

namespace mysqlop::mysql {
namespace {

const nlohmann::json& member(const nlohmann::json& obj, std::string_view key) {
  static const nlohmann::json kNull;
  if (!obj.is_object()) {
    return kNull;
  }
  auto it = obj.find(std::string(key));
  return it == obj.end() ? kNull : *it;
}

}  // namespace

std::string objectNamespace(const nlohmann::json& obj) {
  const auto& ns = member(member(obj, "metadata"), "namespace");
  return ns.is_string() ? ns.get<std::string>() : "";
}

std::string objectKey(const nlohmann::json& obj) {
  const auto& name = member(member(obj, "metadata"), "name");
  return objectNamespace(obj) + "/" + (name.is_string() ? name.get<std::string>() : "");
}

std::optional<std::string> stringField(const nlohmann::json& parent, std::string_view key,
                                       std::string_view fieldPath, std::string* error) {
  const auto& v = member(parent, key);
  if (v.is_null()) {
    return std::nullopt;
  }
  if (!v.is_string()) {
    if (error) {
      *error = std::string(fieldPath) + " must be a string";
    }
    return std::nullopt;
  }
  return v.get<std::string>();
}

std::optional<ClusterRef> clusterRefOf(const nlohmann::json& obj, std::string* error) {
  const auto& ref = member(member(obj, "spec"), "clusterRef");
  std::string typeError;
  auto name = stringField(ref, "name", "spec.clusterRef.name", &typeError);
  if (!name || name->empty()) {
    *error = typeError.empty() ? "spec.clusterRef.name is required" : typeError;
    return std::nullopt;
  }
  auto ns = stringField(ref, "namespace", "spec.clusterRef.namespace", &typeError);
  if (!typeError.empty()) {
    *error = typeError;
    return std::nullopt;
  }
  return ClusterRef{ns && !ns->empty() ? *ns : objectNamespace(obj), *name};
}

bool isDeleting(const nlohmann::json& obj) {
  const auto& ts = member(member(obj, "metadata"), "deletionTimestamp");
  return ts.is_string() && !ts.get<std::string>().empty();
}

bool hasFinalizer(const nlohmann::json& obj, std::string_view finalizer) {
  const auto& list = member(member(obj, "metadata"), "finalizers");
  if (!list.is_array()) {
    return false;
  }
  return std::any_of(list.begin(), list.end(),
                     [&](const nlohmann::json& f) { return f.is_string() && f == finalizer; });
}

bool addFinalizer(nlohmann::json& obj, std::string_view finalizer) {
  if (hasFinalizer(obj, finalizer)) {
    return false;
  }
  auto& list = obj["metadata"]["finalizers"];
  if (!list.is_array()) {
    list = nlohmann::json::array();
  }
  list.push_back(std::string(finalizer));
  return true;
}

bool removeFinalizer(nlohmann::json& obj, std::string_view finalizer) {
  if (!hasFinalizer(obj, finalizer)) {
    return false;
  }
  auto& list = obj["metadata"]["finalizers"];
  nlohmann::json kept = nlohmann::json::array();
  for (const auto& f : list) {
    if (!(f.is_string() && f == finalizer)) {
      kept.push_back(f);
    }
  }
  list = std::move(kept);
  return true;
}

bool retainOnDelete(const nlohmann::json& obj) {
  const auto& v = member(member(member(obj, "metadata"), "annotations"),
                         std::string(kDeletionPolicyAnnotation));
  if (!v.is_string()) {
    return false;
  }
  std::string s = v.get<std::string>();
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s == "retain";
}

bool setReady(nlohmann::json& obj, bool ready, std::string_view reason, std::string_view message) {
  nlohmann::json& status = obj["status"];
  if (!status.is_object()) {
    status = nlohmann::json::object();
  }
  kube::ConditionOptions opts;
  opts.lastUpdateTime = true;
  return kube::setCondition(status["conditions"],
                            kube::Condition{std::string(kReadyCondition), ready ? "True" : "False",
                                            std::string(reason), std::string(message)},
                            kube::nowTime(), opts);
}

std::string readyStatus(const nlohmann::json& obj) {
  return kube::conditionStatus(member(member(obj, "status"), "conditions"), kReadyCondition);
}

std::string readyMessage(const nlohmann::json& obj) {
  const nlohmann::json* c =
      kube::findCondition(member(member(obj, "status"), "conditions"), kReadyCondition);
  if (c == nullptr) {
    return "";
  }
  const auto& m = member(*c, "message");
  return m.is_string() ? m.get<std::string>() : "";
}

}  // namespace mysqlop::mysql
