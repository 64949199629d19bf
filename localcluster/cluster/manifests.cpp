#include "localcluster/cluster/manifests.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "core/config/yaml_json.h"

namespace mysqlop::local::cluster {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

bool isManifestFile(const fs::path& p) {
  const std::string ext = p.extension().string();
  return ext == ".yaml" || ext == ".yml" || ext == ".json";
}

Result<std::vector<std::string>> expandPath(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    std::vector<std::string> files;
    for (const auto& entry : fs::directory_iterator(path, ec)) {
      if (entry.is_regular_file() && isManifestFile(entry.path())) {
        files.push_back(entry.path().string());
      }
    }
    if (ec) {
      return fail(Errc::Invalid, path + ": cannot read directory: " + ec.message());
    }
    std::sort(files.begin(), files.end());
    return files;
  }
  if (!fs::exists(path, ec)) {
    return fail(Errc::NotFound, path + ": no such file or directory");
  }
  return std::vector<std::string>{path};
}

Result<void> addObject(json object, const std::string& source, std::vector<Manifest>* out) {
  if (object.is_null()) {
    return {};
  }
  if (!object.is_object()) {
    return fail(Errc::Invalid, source + ": not an object");
  }
  const std::string kind = object.value("kind", "");
  if (kind.size() > 4 && kind.compare(kind.size() - 4, 4, "List") == 0 &&
      object.contains("items")) {
    int i = 0;
    for (auto& item : object["items"]) {
      if (auto r = addObject(std::move(item), source + " item " + std::to_string(i++), out);
          !r.ok()) {
        return r;
      }
    }
    return {};
  }
  if (kind.empty() || object.value("apiVersion", "").empty()) {
    return fail(Errc::Invalid, source + ": apiVersion and kind are required");
  }
  if (!object.contains("metadata") || object["metadata"].value("name", "").empty()) {
    return fail(Errc::Invalid, source + ": metadata.name is required");
  }
  out->push_back(Manifest{std::move(object), source});
  return {};
}

}  // namespace

Result<std::vector<Manifest>> loadManifests(const std::vector<std::string>& paths) {
  std::vector<Manifest> out;
  for (const auto& path : paths) {
    auto files = expandPath(path);
    if (!files.ok()) {
      return files.error();
    }
    for (const auto& file : *files) {
      std::ifstream in(file);
      if (!in) {
        return fail(Errc::Invalid, file + ": cannot read");
      }
      std::stringstream text;
      text << in.rdbuf();
      std::vector<YAML::Node> docs;
      try {
        docs = YAML::LoadAll(text.str());
      } catch (const YAML::Exception& e) {
        return fail(Errc::Invalid, file + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
      }
      int n = 0;
      for (const auto& doc : docs) {
        ++n;
        std::string source = file + " (document " + std::to_string(n) + ")";
        if (auto r = addObject(config::yamlToJson(doc), source, &out); !r.ok()) {
          return r.error();
        }
      }
    }
  }
  return out;
}

}  // namespace mysqlop::local::cluster
