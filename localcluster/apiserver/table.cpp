#include "localcluster/apiserver/table.h"

#include <cstdio>
#include <functional>
#include <iomanip>
#include <map>
#include <regex>
#include <sstream>
#include <string>

namespace mysqlop::local {

using nlohmann::json;

namespace {

json column(const std::string& name, const std::string& type, const std::string& format = "",
            int priority = 0) {
  return {{"name", name},
          {"type", type},
          {"format", format},
          {"description", ""},
          {"priority", priority}};
}

std::time_t parseTime(const std::string& s) {
  std::tm tm{};
  std::istringstream in(s);
  in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%S");
  if (s.size() < 19 || in.fail()) {
    return 0;
  }
  return timegm(&tm);
}

// Evaluates a JSONPath filter "?(@.field == 'value')" (or !=, with either quote) on an array and
// returns its first matching element, or nullptr (no match, not an array, unsupported filter).
const json* firstMatch(const json& array, const std::string& filter) {
  static const std::regex kFilter(
      R"re(^\?\(\s*@\.([A-Za-z0-9_.-]+)\s*(==|!=)\s*(?:'([^']*)'|"([^"]*)")\s*\)$)re");
  std::smatch m;
  if (!array.is_array() || !std::regex_match(filter, m, kFilter)) {
    return nullptr;
  }
  const std::string field = m[1];
  const bool equals = m[2] == "==";
  const std::string literal = m[3].matched ? m[3].str() : m[4].str();
  for (const auto& element : array) {
    const json* v = &element;
    std::size_t start = 0;
    while (v != nullptr && start <= field.size()) {
      const std::size_t dot = field.find('.', start);
      const std::string key = field.substr(start, dot == std::string::npos ? dot : dot - start);
      v = v->is_object() && v->contains(key) ? &(*v)[key] : nullptr;
      start = dot == std::string::npos ? field.size() + 1 : dot + 1;
    }
    const bool same = v != nullptr && v->is_string() && v->get<std::string>() == literal;
    if (same == equals) {
      return &element;
    }
  }
  return nullptr;
}

// Evaluates a simple JSONPath (".a.b", ".a[0].b", ".a['x.y']", ".a[?(@.k == 'v')].b"); null when it
// does not resolve.
json evalPath(const json& obj, const std::string& path) {
  const json* cur = &obj;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '.') {
      ++i;
      std::size_t j = path.find_first_of(".[", i);
      std::string key = path.substr(i, j == std::string::npos ? std::string::npos : j - i);
      if (key.empty()) {
        continue;
      }
      if (!cur->is_object() || !cur->contains(key)) {
        return nullptr;
      }
      cur = &(*cur)[key];
      i = j == std::string::npos ? path.size() : j;
    } else if (path[i] == '[') {
      std::size_t j = path.find(']', i);
      if (j == std::string::npos) {
        return nullptr;
      }
      std::string inner = path.substr(i + 1, j - i - 1);
      if (inner.rfind("?(", 0) == 0) {
        // A filter ("[?(@.type == 'Ready')]", as bitpoke's printer columns use): the first
        // element that matches; a cell shows one value.
        cur = firstMatch(*cur, inner);
        if (cur == nullptr) {
          return nullptr;
        }
      } else if (!inner.empty() && (inner[0] == '\'' || inner[0] == '"')) {
        std::string key = inner.substr(1, inner.size() - 2);
        if (!cur->is_object() || !cur->contains(key)) {
          return nullptr;
        }
        cur = &(*cur)[key];
      } else {
        if (!cur->is_array() || inner.empty() ||
            inner.find_first_not_of("0123456789") != std::string::npos) {
          return nullptr;
        }
        std::size_t idx = std::stoul(inner);
        if (idx >= cur->size()) {
          return nullptr;
        }
        cur = &(*cur)[idx];
      }
      i = j + 1;
    } else {
      return nullptr;
    }
  }
  return *cur;
}

std::string str(const json& v, const std::string& def = "<none>") {
  if (v.is_string()) {
    return v.get<std::string>();
  }
  if (v.is_null()) {
    return def;
  }
  return v.dump();
}

json num(const json& v) { return v.is_number() ? v : json(0); }

}  // namespace

bool wantsTable(const std::string& accept) {
  return accept.find("as=Table") != std::string::npos &&
         accept.find("g=meta.k8s.io") != std::string::npos;
}

std::string humanAge(const std::string& rfc3339, std::time_t now) {
  std::time_t t = parseTime(rfc3339);
  if (t == 0) {
    return "<unknown>";
  }
  long long s = static_cast<long long>(now - t);
  char buf[32];
  if (s < -1) {
    return "<invalid>";
  }
  if (s < 0) {
    return "0s";
  }
  if (s < 120) {
    std::snprintf(buf, sizeof buf, "%llds", s);
    return buf;
  }
  long long m = s / 60;
  if (m < 10) {
    if (s % 60 == 0) {
      std::snprintf(buf, sizeof buf, "%lldm", m);
    } else {
      std::snprintf(buf, sizeof buf, "%lldm%llds", m, s % 60);
    }
    return buf;
  }
  if (m < 180) {
    std::snprintf(buf, sizeof buf, "%lldm", m);
    return buf;
  }
  long long h = s / 3600;
  if (h < 8) {
    if (m % 60 == 0) {
      std::snprintf(buf, sizeof buf, "%lldh", h);
    } else {
      std::snprintf(buf, sizeof buf, "%lldh%lldm", h, m % 60);
    }
    return buf;
  }
  if (h < 48) {
    std::snprintf(buf, sizeof buf, "%lldh", h);
    return buf;
  }
  if (h < 192) {
    if (h % 24 == 0) {
      std::snprintf(buf, sizeof buf, "%lldd", h / 24);
    } else {
      std::snprintf(buf, sizeof buf, "%lldd%lldh", h / 24, h % 24);
    }
    return buf;
  }
  if (h < 24LL * 365 * 2) {
    std::snprintf(buf, sizeof buf, "%lldd", h / 24);
    return buf;
  }
  if (h < 24LL * 365 * 8) {
    long long d = h / 24;
    std::snprintf(buf, sizeof buf, "%lldy%lldd", d / 365, d % 365);
    return buf;
  }
  std::snprintf(buf, sizeof buf, "%lldy", h / 24 / 365);
  return buf;
}

json makeTable(const ResourceType& rt, const std::vector<const json*>& objects,
               const json& listMeta, bool withColumns) {
  std::time_t now = std::time(nullptr);
  const std::string g = rt.group;
  const std::string r = rt.plural;
  json columns = json::array({column("Name", "string", "name")});
  using Cells = std::function<json(const json&)>;
  std::vector<Cells> cells;
  auto age = [now](const json& o) {
    return json(humanAge(o["metadata"].value("creationTimestamp", ""), now));
  };
  if (rt.custom && rt.printerColumns.is_array() && !rt.printerColumns.empty()) {
    for (const auto& c : rt.printerColumns) {
      std::string type = c.value("type", "string");
      std::string path = c.value("jsonPath", "");
      columns.push_back(
          column(c.value("name", ""), type, c.value("format", ""), c.value("priority", 0)));
      cells.emplace_back([type, path, now](const json& o) -> json {
        json v = evalPath(o, path);
        if (type == "date") {
          return v.is_string() ? json(humanAge(v.get<std::string>(), now)) : json("<unknown>");
        }
        if (v.is_null()) {
          return nullptr;
        }
        if (type == "integer" || type == "number" || type == "boolean") {
          return v;
        }
        return json(str(v, ""));
      });
    }
  } else if (g.empty() && r == "pods") {
    columns.push_back(column("Ready", "string"));
    columns.push_back(column("Status", "string"));
    columns.push_back(column("Restarts", "string"));
    columns.push_back(column("Age", "string"));
    cells.emplace_back([](const json& o) {
      int total = static_cast<int>(
          o.value("spec", json::object()).value("containers", json::array()).size());
      int ready = 0;
      for (const auto& s :
           o.value("status", json::object()).value("containerStatuses", json::array())) {
        ready += s.value("ready", false) ? 1 : 0;
      }
      return json(std::to_string(ready) + "/" + std::to_string(total));
    });
    cells.emplace_back([](const json& o) {
      if (o["metadata"].contains("deletionTimestamp")) {
        return json("Terminating");
      }
      return json(o.value("status", json::object()).value("phase", "Unknown"));
    });
    cells.emplace_back([](const json& o) {
      long long n = 0;
      for (const auto& s :
           o.value("status", json::object()).value("containerStatuses", json::array())) {
        n += s.value("restartCount", 0LL);
      }
      return json(std::to_string(n));
    });
    cells.emplace_back(age);
  } else if (g == "apps" && (r == "statefulsets" || r == "deployments")) {
    columns.push_back(column("Ready", "string"));
    if (r == "deployments") {
      columns.push_back(column("Up-to-date", "integer"));
      columns.push_back(column("Available", "integer"));
    }
    columns.push_back(column("Age", "string"));
    cells.emplace_back([](const json& o) {
      json st = o.value("status", json::object());
      return json(std::to_string(num(st.value("readyReplicas", json(0))).get<long long>()) + "/" +
                  std::to_string(num(o["spec"].value("replicas", json(1))).get<long long>()));
    });
    if (r == "deployments") {
      cells.emplace_back([](const json& o) {
        return num(o.value("status", json::object()).value("updatedReplicas", json(0)));
      });
      cells.emplace_back([](const json& o) {
        return num(o.value("status", json::object()).value("availableReplicas", json(0)));
      });
    }
    cells.emplace_back(age);
  } else if (g.empty() && r == "services") {
    for (const char* c : {"Type", "Cluster-IP", "External-IP", "Port(s)", "Age"}) {
      columns.push_back(column(c, "string"));
    }
    cells.emplace_back([](const json& o) { return json(o["spec"].value("type", "ClusterIP")); });
    cells.emplace_back([](const json& o) { return json(o["spec"].value("clusterIP", "<none>")); });
    cells.emplace_back([](const json& o) {
      std::string ips;
      for (const auto& ip : o["spec"].value("externalIPs", json::array())) {
        ips += (ips.empty() ? "" : ",") + str(ip);
      }
      return json(ips.empty() ? "<none>" : ips);
    });
    cells.emplace_back([](const json& o) {
      std::string ports;
      for (const auto& p : o["spec"].value("ports", json::array())) {
        std::string one = std::to_string(p.value("port", 0));
        if (p.contains("nodePort")) {
          one += ":" + std::to_string(p.value("nodePort", 0));
        }
        ports += (ports.empty() ? "" : ",") + one + "/" + p.value("protocol", "TCP");
      }
      return json(ports.empty() ? "<none>" : ports);
    });
    cells.emplace_back(age);
  } else if (g == "batch" && r == "jobs") {
    columns.push_back(column("Completions", "string"));
    columns.push_back(column("Age", "string"));
    cells.emplace_back([](const json& o) {
      return json(
          std::to_string(
              num(o.value("status", json::object()).value("succeeded", json(0))).get<long long>()) +
          "/" + std::to_string(num(o["spec"].value("completions", json(1))).get<long long>()));
    });
    cells.emplace_back(age);
  } else if (g.empty() && r == "namespaces") {
    columns.push_back(column("Status", "string"));
    columns.push_back(column("Age", "string"));
    cells.emplace_back([](const json& o) {
      return json(o.value("status", json::object()).value("phase", "Active"));
    });
    cells.emplace_back(age);
  } else if (g.empty() && (r == "configmaps" || r == "secrets")) {
    if (r == "secrets") {
      columns.push_back(column("Type", "string"));
      cells.emplace_back([](const json& o) { return json(o.value("type", "Opaque")); });
    }
    columns.push_back(column("Data", "integer"));
    columns.push_back(column("Age", "string"));
    cells.emplace_back([](const json& o) {
      std::size_t n =
          o.value("data", json::object()).size() + o.value("binaryData", json::object()).size();
      return json(n);
    });
    cells.emplace_back(age);
  } else if (g.empty() && r == "persistentvolumeclaims") {
    for (const char* c : {"Status", "Volume", "Capacity", "Access Modes", "StorageClass", "Age"}) {
      columns.push_back(column(c, "string"));
    }
    cells.emplace_back([](const json& o) {
      return json(o.value("status", json::object()).value("phase", "Pending"));
    });
    cells.emplace_back([](const json& o) { return json(o["spec"].value("volumeName", "")); });
    cells.emplace_back([](const json& o) {
      json cap = o.value("status", json::object()).value("capacity", json::object());
      return json(cap.value("storage", ""));
    });
    cells.emplace_back([](const json& o) {
      static const std::map<std::string, std::string> kShort = {{"ReadWriteOnce", "RWO"},
                                                                {"ReadOnlyMany", "ROX"},
                                                                {"ReadWriteMany", "RWX"},
                                                                {"ReadWriteOncePod", "RWOP"}};
      std::string modes;
      for (const auto& m : o.value("status", json::object()).value("accessModes", json::array())) {
        auto it = kShort.find(str(m));
        modes += (modes.empty() ? "" : ",") + (it == kShort.end() ? str(m) : it->second);
      }
      return json(modes);
    });
    cells.emplace_back(
        [](const json& o) { return json(o["spec"].value("storageClassName", "<unset>")); });
    cells.emplace_back(age);
  } else {
    columns.push_back(column("Age", "string"));
    cells.emplace_back(age);
  }
  json rows = json::array();
  for (const json* o : objects) {
    json row = json::array({(*o)["metadata"].value("name", "")});
    for (const auto& c : cells) {
      row.push_back(c(*o));
    }
    rows.push_back({{"cells", row},
                    {"object",
                     {{"kind", "PartialObjectMetadata"},
                      {"apiVersion", "meta.k8s.io/v1"},
                      {"metadata", (*o)["metadata"]}}}});
  }
  json table = {{"kind", "Table"},
                {"apiVersion", "meta.k8s.io/v1"},
                {"metadata", listMeta.is_null() ? json::object() : listMeta},
                {"rows", rows}};
  if (withColumns) {
    table["columnDefinitions"] = columns;
  }
  return table;
}

}  // namespace mysqlop::local
