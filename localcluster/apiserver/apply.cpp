#include "localcluster/apiserver/apply.h"

#include <set>
#include <vector>

namespace mysqlop::local {

using nlohmann::json;

namespace {

using Path = std::vector<std::string>;
using PathSet = std::set<Path>;

bool systemMetadataField(const std::string& k) {
  return k == "name" || k == "namespace" || k == "uid" || k == "resourceVersion" ||
         k == "generation" || k == "creationTimestamp" || k == "managedFields" ||
         k == "deletionTimestamp" || k == "deletionGracePeriodSeconds" || k == "selfLink";
}

void collect(const json& v, Path& path, PathSet& out) {
  if (v.is_object() && !v.empty()) {
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (path.size() == 1 && path[0] == "metadata" && systemMetadataField(it.key())) {
        continue;
      }
      path.push_back(it.key());
      collect(it.value(), path, out);
      path.pop_back();
    }
    return;
  }
  out.insert(path);
}

PathSet fieldsOf(const json& applied) {
  PathSet out;
  Path path;
  for (auto it = applied.begin(); it != applied.end(); ++it) {
    if (it.key() == "apiVersion" || it.key() == "kind") {
      continue;
    }
    path.push_back(it.key());
    collect(it.value(), path, out);
    path.pop_back();
  }
  return out;
}

json encode(const PathSet& set) {
  json root = json::object();
  for (const auto& p : set) {
    json* node = &root;
    for (const auto& k : p) {
      node = &(*node)["f:" + k];
      if (node->is_null()) {
        *node = json::object();
      }
    }
  }
  return root;
}

void decode(const json& node, Path& path, PathSet& out) {
  bool leaf = true;
  if (node.is_object()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (it.key().rfind("f:", 0) == 0) {
        leaf = false;
        path.push_back(it.key().substr(2));
        decode(it.value(), path, out);
        path.pop_back();
      } else if (it.key() == ".") {
        out.insert(path);
      } else {
        leaf = false;  // k:/v: entries of list-maps and sets: treat the list as owned
        out.insert(path);
      }
    }
  }
  if (leaf && !path.empty()) {
    out.insert(path);
  }
}

PathSet decodeSet(const json& fieldsV1) {
  PathSet out;
  Path path;
  decode(fieldsV1, path, out);
  return out;
}

const json* at(const json& obj, const Path& p) {
  const json* cur = &obj;
  for (const auto& k : p) {
    if (!cur->is_object()) {
      return nullptr;
    }
    auto it = cur->find(k);
    if (it == cur->end()) {
      return nullptr;
    }
    cur = &*it;
  }
  return cur;
}

void erase(json& obj, const Path& p) {
  json* cur = &obj;
  for (std::size_t i = 0; i + 1 < p.size(); ++i) {
    if (!cur->is_object() || !cur->contains(p[i])) {
      return;
    }
    cur = &(*cur)[p[i]];
  }
  if (cur->is_object()) {
    cur->erase(p.back());
  }
}

void deepMerge(json& into, const json& from) {
  for (auto it = from.begin(); it != from.end(); ++it) {
    if (it.value().is_object() && into.contains(it.key()) && into[it.key()].is_object()) {
      deepMerge(into[it.key()], it.value());
    } else {
      into[it.key()] = it.value();
    }
  }
}

std::string dotted(const Path& p) {
  std::string s;
  for (const auto& k : p) {
    s += "." + k;
  }
  return s;
}

std::string describeManager(const json& entry) {
  std::string s = "\"" + entry.value("manager", "") + "\"";
  if (!entry.value("subresource", "").empty()) {
    s += " with subresource \"" + entry.value("subresource", "") + "\"";
  }
  if (entry.value("operation", "") == "Update") {
    s += " using " + entry.value("apiVersion", "") + " at " + entry.value("time", "");
  }
  return s;
}

bool overlaps(const Path& a, const Path& b) {
  std::size_t n = std::min(a.size(), b.size());
  return std::equal(a.begin(), a.begin() + static_cast<std::ptrdiff_t>(n), b.begin());
}

}  // namespace

json serverSideApply(const ApplyRequest& req) {
  json result = req.current ? *req.current : json::object();
  json managed = json::array();
  if (req.current) {
    managed = result["metadata"].value("managedFields", json::array());
    if (!managed.is_array()) {
      managed = json::array();
    }
  }
  PathSet mine = fieldsOf(req.applied);

  // Conflicts with other managers' fields whose values would change.
  struct Conflict {
    std::size_t entry;
    Path path;
  };
  std::vector<Conflict> conflicts;
  PathSet previous;
  int myIndex = -1;
  for (std::size_t i = 0; i < managed.size(); ++i) {
    const json& e = managed[i];
    bool same = e.value("manager", "") == req.manager && e.value("operation", "") == "Apply" &&
                e.value("subresource", "") == req.subresource;
    PathSet owned = decodeSet(e.value("fieldsV1", json::object()));
    if (same) {
      previous = owned;
      myIndex = static_cast<int>(i);
      continue;
    }
    for (const auto& p : mine) {
      for (const auto& o : owned) {
        if (!overlaps(p, o)) {
          continue;
        }
        const json* cur = req.current ? at(*req.current, o) : nullptr;
        const json* want = at(req.applied, o);
        if (cur && want && *cur != *want) {
          conflicts.push_back({i, o});
        } else if (cur && !want && o.size() < p.size()) {
          // The other manager owns a whole subtree that this apply changes.
          const json* curSub = at(*req.current, p);
          const json* wantSub = at(req.applied, p);
          if (curSub && wantSub && *curSub != *wantSub) {
            conflicts.push_back({i, p});
          }
        }
      }
    }
  }
  if (!conflicts.empty() && !req.force) {
    std::string msg = "Apply failed with " + std::to_string(conflicts.size()) + " conflict" +
                      (conflicts.size() == 1 ? "" : "s") + ": ";
    json causes = json::array();
    for (std::size_t i = 0; i < conflicts.size(); ++i) {
      const auto& c = conflicts[i];
      std::string who = "conflict with " + describeManager(managed[c.entry]);
      msg += (i ? ", " : "") + who + ": " + dotted(c.path);
      causes.push_back(
          {{"reason", "FieldManagerConflict"}, {"message", who}, {"field", dotted(c.path)}});
    }
    if (conflicts.size() > 1) {
      msg = "Apply failed with " + std::to_string(conflicts.size()) + " conflicts: ";
      for (std::size_t i = 0; i < conflicts.size(); ++i) {
        msg += (i ? ", " : "") + std::string("conflicts with ") +
               describeManager(managed[conflicts[i].entry]) + ": " + dotted(conflicts[i].path);
      }
    }
    ApiError err{409, "Conflict", msg, {{"causes", causes}}, 0};
    raise(err);
  }

  // Other managers' fields after a forced takeover.
  PathSet othersOwned;
  for (std::size_t i = 0; i < managed.size(); ++i) {
    if (static_cast<int>(i) == myIndex) {
      continue;
    }
    PathSet owned = decodeSet(managed[i].value("fieldsV1", json::object()));
    PathSet kept;
    for (const auto& o : owned) {
      bool taken = false;
      for (const auto& c : conflicts) {
        taken = taken || (c.entry == i && c.path == o);
      }
      if (!taken) {
        kept.insert(o);
        othersOwned.insert(o);
      }
    }
    if (kept.size() != owned.size()) {
      managed[i]["fieldsV1"] = encode(kept);
    }
  }

  // Remove what this manager applied before and no longer applies.
  for (const auto& p : previous) {
    if (mine.count(p) || othersOwned.count(p)) {
      continue;
    }
    erase(result, p);
  }
  json applied = req.applied;
  applied.erase("apiVersion");
  applied.erase("kind");
  if (applied.contains("metadata")) {
    for (const char* k : {"managedFields", "resourceVersion", "uid", "generation",
                          "creationTimestamp", "deletionTimestamp"}) {
      applied["metadata"].erase(k);
    }
  }
  deepMerge(result, applied);

  json entry = {{"manager", req.manager},       {"operation", "Apply"},
                {"apiVersion", req.apiVersion}, {"time", req.now},
                {"fieldsType", "FieldsV1"},     {"fieldsV1", encode(mine)}};
  if (!req.subresource.empty()) {
    entry["subresource"] = req.subresource;
  }
  if (myIndex >= 0) {
    // Keep the entry's time when nothing it owns changed, so that a repeated apply is a no-op.
    json old = managed[static_cast<std::size_t>(myIndex)];
    if (old.value("fieldsV1", json()) == entry["fieldsV1"] && req.current && [&] {
          json probe = *req.current;
          probe["metadata"].erase("managedFields");
          json r2 = result;
          r2["metadata"].erase("managedFields");
          return probe == r2;
        }()) {
      entry["time"] = old.value("time", req.now);
    }
    managed[static_cast<std::size_t>(myIndex)] = entry;
  } else {
    managed.push_back(entry);
  }
  json cleaned = json::array();
  for (const auto& e : managed) {
    if (!e.value("fieldsV1", json::object()).empty()) {
      cleaned.push_back(e);
    }
  }
  result["metadata"]["managedFields"] = cleaned;
  return result;
}

}  // namespace mysqlop::local
