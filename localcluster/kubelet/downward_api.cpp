#include "localcluster/kubelet/downward_api.h"

#include <regex>
#include <vector>

#include "plugins/common/kube/quantity.h"

namespace mysqlop::local::kubelet {

namespace {

// apimachinery/pkg/util/validation's formats and messages, verbatim: they are part of the error
// text a pod shows.
constexpr const char* kQualifiedNameFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
constexpr const char* kQualifiedNameErrMsg =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character";
constexpr const char* kDns1123SubdomainFmt =
    "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
constexpr const char* kDns1123SubdomainErrMsg =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character";

std::string regexError(const std::string& msg, const std::string& fmt,
                       const std::vector<std::string>& examples) {
  std::string out = msg + " (e.g. ";
  for (size_t i = 0; i < examples.size(); ++i) {
    out += (i > 0 ? " or '" : "'") + examples[i] + "', ";
  }
  return out + "regex used for validation is '" + fmt + "')";
}

std::string qualifiedNameRegexError() {
  return regexError(kQualifiedNameErrMsg, kQualifiedNameFmt, {"MyName", "my.name", "123-abc"});
}

std::string str(const nlohmann::json& obj, const char* a, const char* b) {
  auto outer = obj.find(a);
  if (outer == obj.end() || !outer->is_object()) {
    return "";
  }
  auto inner = outer->find(b);
  return inner != outer->end() && inner->is_string() ? inner->get<std::string>() : "";
}

const nlohmann::json& mapAt(const nlohmann::json& pod, const char* field) {
  static const nlohmann::json kEmpty = nlohmann::json::object();
  auto meta = pod.find("metadata");
  if (meta == pod.end() || !meta->is_object()) {
    return kEmpty;
  }
  auto it = meta->find(field);
  return it != meta->end() && it->is_object() ? *it : kEmpty;
}

// fieldpath.FormatMap: k="v" lines with keys sorted (json objects iterate sorted).
std::string formatMap(const nlohmann::json& m) {
  std::string out;
  for (const auto& [k, v] : m.items()) {
    out += k + "=" + goQuote(v.is_string() ? v.get<std::string>() : v.dump()) + "\n";
  }
  if (!out.empty()) {
    out.pop_back();
  }
  return out;
}

// fieldpath.SplitMaybeSubscriptedPath: "metadata.labels['k']" -> ("metadata.labels", "k").
bool splitSubscript(const std::string& fieldPath, std::string* path, std::string* subscript) {
  constexpr std::string_view kClose = "']";
  if (fieldPath.size() < kClose.size() ||
      fieldPath.compare(fieldPath.size() - kClose.size(), kClose.size(), kClose) != 0) {
    return false;
  }
  const std::string s = fieldPath.substr(0, fieldPath.size() - kClose.size());
  const auto open = s.find("['");
  if (open == std::string::npos || open == 0) {
    return false;
  }
  *path = s.substr(0, open);
  *subscript = s.substr(open + 2);
  return true;
}

std::string joinIps(const nlohmann::json& pod, const char* field) {
  std::string out;
  auto status = pod.find("status");
  if (status == pod.end() || !status->is_object()) {
    return out;
  }
  auto list = status->find(field);
  if (list == status->end() || !list->is_array()) {
    return out;
  }
  for (const auto& item : *list) {
    if (item.is_object() && item.contains("ip") && item["ip"].is_string()) {
      out += (out.empty() ? "" : ",") + item["ip"].get<std::string>();
    }
  }
  return out;
}

std::string firstIp(const nlohmann::json& pod, const char* listField, const char* field) {
  const std::string all = joinIps(pod, listField);
  if (!all.empty()) {
    return all.substr(0, all.find(','));
  }
  return str(pod, "status", field);
}

}  // namespace

std::string qualifiedNameError(const std::string& value) {
  static const std::regex kQualifiedName(kQualifiedNameFmt);
  static const std::regex kDns1123Subdomain(kDns1123SubdomainFmt);
  std::vector<std::string> errs;
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    const auto slash = value.find('/', start);
    parts.push_back(value.substr(start, slash - start));
    if (slash == std::string::npos) {
      break;
    }
    start = slash + 1;
  }
  std::string name;
  if (parts.size() == 1) {
    name = parts[0];
  } else if (parts.size() == 2) {
    const std::string& prefix = parts[0];
    name = parts[1];
    if (prefix.empty()) {
      errs.emplace_back("prefix part must be non-empty");
    } else {
      if (prefix.size() > 253) {
        errs.emplace_back("prefix part must be no more than 253 characters");
      }
      if (!std::regex_match(prefix, kDns1123Subdomain)) {
        errs.emplace_back("prefix part " + regexError(kDns1123SubdomainErrMsg, kDns1123SubdomainFmt,
                                                      {"example.com"}));
      }
    }
  } else {
    return "a qualified name " + qualifiedNameRegexError() +
           " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
  }
  if (name.empty()) {
    errs.emplace_back("name part must be non-empty");
  } else if (name.size() > 63) {
    errs.emplace_back("name part must be no more than 63 characters");
  }
  if (!std::regex_match(name, kQualifiedName)) {
    errs.emplace_back("name part " + qualifiedNameRegexError());
  }
  std::string out;
  for (const auto& e : errs) {
    out += (out.empty() ? "" : ";") + e;
  }
  return out;
}

Result<std::string> podMetadataField(const nlohmann::json& pod, const std::string& fieldPath) {
  std::string path;
  std::string subscript;
  if (splitSubscript(fieldPath, &path, &subscript)) {
    if (path != "metadata.annotations" && path != "metadata.labels") {
      return fail(Errc::Invalid, "fieldPath \"" + fieldPath + "\" does not support subscript");
    }
    std::string key = subscript;
    if (path == "metadata.annotations") {  // annotation keys are checked case-insensitively
      for (char& c : key) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
    }
    if (auto err = qualifiedNameError(key); !err.empty()) {
      return fail(Errc::Invalid, "invalid key subscript in " + fieldPath + ": " + err);
    }
    const auto& m = mapAt(pod, path == "metadata.labels" ? "labels" : "annotations");
    auto it = m.find(subscript);
    return it != m.end() && it->is_string() ? it->get<std::string>() : std::string();
  }
  if (fieldPath == "metadata.annotations") {
    return formatMap(mapAt(pod, "annotations"));
  }
  if (fieldPath == "metadata.labels") {
    return formatMap(mapAt(pod, "labels"));
  }
  if (fieldPath == "metadata.name" || fieldPath == "metadata.namespace" ||
      fieldPath == "metadata.uid") {
    return str(pod, "metadata", fieldPath.c_str() + std::string_view("metadata.").size());
  }
  return fail(Errc::Invalid, "unsupported fieldPath: " + fieldPath);
}

Result<std::string> envFieldRef(const nlohmann::json& pod, const nlohmann::json& fieldRef) {
  const std::string version = fieldRef.value("apiVersion", "v1");
  std::string fieldPath = fieldRef.value("fieldPath", "");
  if (version != "v1") {
    return fail(Errc::Invalid, "unsupported pod version: " + version);
  }
  // podshelper.ConvertDownwardAPIFieldLabel first: which labels a v1 pod has at all.
  std::string path;
  std::string subscript;
  if (splitSubscript(fieldPath, &path, &subscript)) {
    if (path != "metadata.annotations" && path != "metadata.labels") {
      return fail(Errc::Invalid, "field label does not support subscript: " + fieldPath);
    }
  } else if (fieldPath == "spec.host") {  // old v1 clients' name of spec.nodeName
    fieldPath = "spec.nodeName";
  } else {
    static const char* const kLabels[] = {
        "metadata.annotations", "metadata.labels", "metadata.name",      "metadata.namespace",
        "metadata.uid",         "spec.nodeName",   "spec.restartPolicy", "spec.serviceAccountName",
        "spec.schedulerName",   "status.phase",    "status.hostIP",      "status.hostIPs",
        "status.podIP",         "status.podIPs"};
    bool known = false;
    for (const char* label : kLabels) {
      known = known || fieldPath == label;
    }
    if (!known) {
      return fail(Errc::Invalid, "field label not supported: " + fieldPath);
    }
  }
  if (fieldPath == "spec.nodeName") {
    return str(pod, "spec", "nodeName");
  }
  if (fieldPath == "spec.serviceAccountName") {
    return str(pod, "spec", "serviceAccountName");
  }
  if (fieldPath == "status.hostIP") {
    return firstIp(pod, "hostIPs", "hostIP");
  }
  if (fieldPath == "status.hostIPs") {
    const std::string all = joinIps(pod, "hostIPs");
    return all.empty() ? str(pod, "status", "hostIP") : all;
  }
  if (fieldPath == "status.podIP") {
    return firstIp(pod, "podIPs", "podIP");
  }
  if (fieldPath == "status.podIPs") {
    const std::string all = joinIps(pod, "podIPs");
    return all.empty() ? str(pod, "status", "podIP") : all;
  }
  // The rest (spec.restartPolicy, spec.schedulerName and status.phase included) are read like a
  // downwardAPI volume's fields, which refuses the last three as the kubelet does.
  return podMetadataField(pod, fieldPath);
}

namespace {

const nlohmann::json* findContainer(const nlohmann::json& pod, const std::string& name) {
  auto spec = pod.find("spec");
  if (spec == pod.end() || !spec->is_object()) {
    return nullptr;
  }
  for (const char* list : {"containers", "initContainers"}) {
    auto it = spec->find(list);
    if (it == spec->end() || !it->is_array()) {
      continue;
    }
    for (const auto& c : *it) {
      if (c.is_object() && c.value("name", "") == name) {
        return &c;
      }
    }
  }
  return nullptr;
}

std::optional<kube::Quantity> quantityAt(const nlohmann::json& container, const char* kind,
                                         const std::string& resource) {
  auto resources = container.find("resources");
  if (resources == container.end() || !resources->is_object()) {
    return std::nullopt;
  }
  auto list = resources->find(kind);
  if (list == resources->end() || !list->is_object()) {
    return std::nullopt;
  }
  auto it = list->find(resource);
  if (it == list->end()) {
    return std::nullopt;
  }
  return kube::Quantity::parse(it->is_string() ? it->get<std::string>() : it->dump());
}

const std::string& allocatable(const Lookups& lookups, const std::string& resource) {
  if (resource == "cpu") {
    return lookups.nodeAllocatableCpu;
  }
  if (resource == "memory") {
    return lookups.nodeAllocatableMemory;
  }
  return lookups.nodeAllocatableEphemeralStorage;
}

}  // namespace

Result<std::string> resourceFieldRef(const nlohmann::json& pod, const nlohmann::json* container,
                                     const nlohmann::json& ref, const Lookups& lookups) {
  const std::string containerName = ref.value("containerName", "");
  if (!containerName.empty() || container == nullptr) {
    container = findContainer(pod, containerName);
    if (container == nullptr) {
      return fail(Errc::Invalid, "container " + containerName + " not found");
    }
  }
  kube::Quantity divisor = kube::Quantity::fromInt(1);
  if (auto it = ref.find("divisor"); it != ref.end() && !it->is_null()) {
    const std::string text = it->is_string() ? it->get<std::string>() : it->dump();
    std::string why;
    auto parsed = kube::Quantity::parse(text, &why);
    if (!parsed) {
      return fail(Errc::Invalid, "invalid divisor \"" + text + "\": " + why);
    }
    if (!parsed->isZero()) {  // a zero divisor means "1", as an unset one
      divisor = *parsed;
    }
  }
  const std::string resource = ref.value("resource", "");
  const auto dot = resource.find('.');
  const std::string kind = resource.substr(0, dot == std::string::npos ? 0 : dot);
  const std::string name = dot == std::string::npos ? "" : resource.substr(dot + 1);
  if ((kind != "limits" && kind != "requests") ||
      (name != "cpu" && name != "memory" && name != "ephemeral-storage")) {
    return fail(Errc::Invalid, "unsupported container resource : " + resource);
  }
  std::optional<kube::Quantity> limit = quantityAt(*container, "limits", name);
  std::optional<kube::Quantity> value;
  if (kind == "requests") {
    // The API server defaults a missing request to the limit the container sets.
    value = quantityAt(*container, "requests", name);
    if (!value) {
      value = limit;
    }
  } else {
    value = limit;
    if (!value || value->isZero()) {  // no limit: the node's allocatable
      value = kube::Quantity::parse(allocatable(lookups, name));
    }
  }
  return std::to_string(value ? value->ceilRatio(divisor) : 0);
}

}  // namespace mysqlop::local::kubelet
