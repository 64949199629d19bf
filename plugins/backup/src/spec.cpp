#include "plugins/backup/src/spec.h"

namespace mysqlop::backup {
namespace {

bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string composeUrl(std::string base, const std::string& name, Compression c) {
  if (namesArtefact(base)) {
    return base;
  }
  while (!base.empty() && base.back() == '/') {
    base.pop_back();
  }
  return base + "/" + name + extensionOf(c);
}

}  // namespace

std::string text(const nlohmann::json& obj, std::initializer_list<const char*> path) {
  const nlohmann::json* at = &obj;
  for (const char* key : path) {
    if (!at->is_object() || !at->contains(key)) {
      return "";
    }
    at = &(*at)[key];
  }
  return at->is_string() ? at->get<std::string>() : "";
}

CompressionChoice compressionOf(const nlohmann::json& cluster) {
  CompressionChoice out;
  const nlohmann::json* annotations = nullptr;
  if (cluster.contains("metadata") && cluster["metadata"].contains("annotations")) {
    annotations = &cluster["metadata"]["annotations"];
  }
  if (!annotations || !annotations->is_object() ||
      !annotations->contains("mysql.presslabs.org/backup-compression")) {
    return out;
  }
  const nlohmann::json& v = (*annotations)["mysql.presslabs.org/backup-compression"];
  const std::string value = v.is_string() ? v.get<std::string>() : v.dump();
  if (value == "zstd") {
    out.compression = Compression::Zstd;
  } else if (value != "gzip" && !value.empty()) {
    out.warning = "annotation mysql.presslabs.org/backup-compression: \"" + value +
                  "\" is neither gzip nor zstd; the backup is compressed with gzip";
  }
  return out;
}

std::string extensionOf(Compression c) {
  return c == Compression::Zstd ? ".xbackup.zst" : ".xbackup.gz";
}

bool namesArtefact(const std::string& url) {
  return endsWith(url, "xbackup.gz") || endsWith(url, ".xbackup.zst");
}

DefaultsResult applyDefaults(nlohmann::json& backup, const nlohmann::json& cluster,
                             Compression compression) {
  DefaultsResult r;
  if (!backup.contains("spec") || !backup["spec"].is_object()) {
    backup["spec"] = nlohmann::json::object();
  }
  nlohmann::json& spec = backup["spec"];
  const std::string name = text(backup, {"metadata", "name"});
  const std::string own = text(spec, {"backupURL"});
  const std::string clusterUrl = text(cluster, {"spec", "backupURL"});
  std::string url;
  if (!own.empty()) {
    url = composeUrl(own, name, compression);
  } else if (!clusterUrl.empty()) {
    url = composeUrl(clusterUrl, name, compression);
  }
  if (url.empty()) {
    r.error = "can't get backupURL";
  } else if (url != own) {
    spec["backupURL"] = url;
    r.changed = true;
  }
  const std::string secret = text(cluster, {"spec", "backupSecretName"});
  if (text(spec, {"backupSecretName"}).empty() && !secret.empty()) {
    spec["backupSecretName"] = secret;
    r.changed = true;
  }
  return r;
}

std::string remoteDeletePolicy(const nlohmann::json& backup) {
  const std::string p = text(backup, {"spec", "remoteDeletePolicy"});
  return p.empty() ? "retain" : p;
}

}  // namespace mysqlop::backup
