// ControllerRevisions of a StatefulSet: what a revision records, its name, and how the set's
// current and update revisions are found or created (kubernetes getStatefulSetRevisions and
// pkg/controller/history).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdint>
#include <set>

#include "core/kube/client.h"
#include "core/kube/informer.h"
#include "localcluster/controllers/resources.h"
#include "localcluster/controllers/statefulset_controller.h"

namespace mysqlop::local::controllers {

json revisionData(const json& set) {
  json tmpl = set["spec"].value("template", json::object());
  tmpl["$patch"] = "replace";
  return {{"spec", {{"template", tmpl}}}};
}

std::string revisionHash(const std::string& dataText, std::int64_t collisionCount) {
  // hash/fnv New32 is FNV-1 (multiply, then xor).
  std::uint32_t h = 2166136261u;
  auto feed = [&](const std::string& s) {
    for (const char ch : s) {
      const auto c = static_cast<unsigned char>(ch);
      h *= 16777619u;
      h ^= c;
    }
  };
  feed(dataText);
  feed(std::to_string(collisionCount));
  // rand.SafeEncodeString: every character maps into an alphabet without vowels or lookalikes.
  static const std::string kAlphanums = "bcdfghjklmnpqrstvwxz2456789";
  std::string out;
  for (char c : std::to_string(h)) {
    out += kAlphanums[static_cast<unsigned char>(c) % kAlphanums.size()];
  }
  return out;
}

json applyRevision(const json& set, const Revision& revision) {
  json out = set;
  json tmpl = revision.object["data"]["spec"]["template"];
  tmpl.erase("$patch");
  out["spec"]["template"] = tmpl;
  return out;
}

namespace {

Revision toRevision(json cr) {
  Revision r;
  r.name = metaString(cr, "name");
  r.number = intField(cr, "revision", 0);
  r.object = std::move(cr);
  return r;
}

}  // namespace

Result<Revision> StatefulSetController::createRevision(const json& set, const json& data,
                                                       std::int64_t number,
                                                       std::int64_t* collisionCount) {
  const std::string ns = metaString(set, "namespace");
  const std::string setName = metaString(set, "name");
  const std::string text = data.dump();
  for (int attempt = 0; attempt < 10; ++attempt) {
    const std::string hash = revisionHash(text, *collisionCount);
    json labels = set["spec"]["template"]["metadata"].value("labels", json::object());
    labels["controller.kubernetes.io/hash"] = hash;
    json cr = {{"apiVersion", "apps/v1"},
               {"kind", "ControllerRevision"},
               {"metadata",
                {{"name", setName + "-" + hash},
                 {"namespace", ns},
                 {"labels", labels},
                 {"ownerReferences", json::array({controllerRef("apps/v1", "StatefulSet", set)})}}},
               {"data", data},
               {"revision", number}};
    auto created = client_.create(res::kControllerRevisions, cr);
    if (created.ok()) {
      return toRevision(std::move(*created));
    }
    if (!created.is(Errc::AlreadyExists)) {
      return created.error();
    }
    auto existing = client_.get(res::kControllerRevisions, ns, setName + "-" + hash);
    if (!existing.ok()) {
      return existing.error();
    }
    if ((*existing)["data"] == data) {
      return toRevision(std::move(*existing));
    }
    // The name is taken by other data: a hash collision. Kubernetes bumps collisionCount.
    ++*collisionCount;
  }
  return fail(Errc::Internal, "too many ControllerRevision hash collisions for " + setName);
}

Result<StatefulSetController::Revisions> StatefulSetController::syncRevisions(
    const json& set, const std::vector<json>& pods) {
  const std::string ns = metaString(set, "namespace");
  const std::string setName = metaString(set, "name");
  const std::string uid = metaString(set, "uid");
  std::vector<Revision> revisions;
  for (const auto& o : revisions_->store().byControllerOwner(ns, "StatefulSet", setName)) {
    if (o->controller && o->controller->uid == uid) {
      revisions.push_back(toRevision(parseObject(o)));
    }
  }
  std::sort(revisions.begin(), revisions.end(), [](const Revision& a, const Revision& b) {
    return a.number != b.number ? a.number < b.number : a.name < b.name;
  });
  Revisions out;
  const json& status = set.value("status", json::object());
  out.collisionCount = intField(status, "collisionCount", 0);
  const json data = revisionData(set);
  const std::int64_t next = revisions.empty() ? 1 : revisions.back().number + 1;

  const Revision* equal = nullptr;
  for (const auto& r : revisions) {
    if (r.object.contains("data") && r.object["data"] == data) {
      equal = &r;  // the newest equal one wins (sorted ascending)
    }
  }
  if (equal != nullptr && equal == &revisions.back()) {
    out.update = *equal;  // the template did not change
  } else if (equal != nullptr) {
    // A rollback to an older template: that revision becomes the newest again.
    json cr = equal->object;
    cr["revision"] = next;
    auto updated = client_.update(res::kControllerRevisions, cr);
    if (!updated.ok()) {
      return updated.error();
    }
    out.update = toRevision(std::move(*updated));
  } else {
    auto created = createRevision(set, data, next, &out.collisionCount);
    if (!created.ok()) {
      return created.error();
    }
    out.update = std::move(*created);
    revisions.push_back(out.update);
  }
  out.current = out.update;
  const std::string currentName = str(status, "currentRevision");
  for (const auto& r : revisions) {
    if (!currentName.empty() && r.name == currentName) {
      out.current = r;
    }
  }
  auto truncated = truncateHistory(set, revisions, out, pods);
  if (!truncated.ok()) {
    return truncated.error();
  }
  return out;
}

Result<void> StatefulSetController::truncateHistory(const json& set,
                                                    const std::vector<Revision>& revisions,
                                                    const Revisions& live,
                                                    const std::vector<json>& pods) {
  std::set<std::string> used = {live.current.name, live.update.name};
  for (const auto& p : pods) {
    used.insert(labelsOf(p)["controller-revision-hash"]);
  }
  std::vector<const Revision*> historic;  // oldest first
  for (const auto& r : revisions) {
    if (!used.count(r.name)) {
      historic.push_back(&r);
    }
  }
  const auto limit = static_cast<std::size_t>(
      std::max<std::int64_t>(0, intField(set["spec"], "revisionHistoryLimit", 10)));
  if (historic.size() <= limit) {
    return {};
  }
  const std::string ns = metaString(set, "namespace");
  for (std::size_t i = 0; i < historic.size() - limit; ++i) {
    auto r = client_.remove(res::kControllerRevisions, ns, historic[i]->name);
    if (!r.ok() && !r.is(Errc::NotFound)) {
      return r;
    }
  }
  return {};
}

}  // namespace mysqlop::local::controllers
