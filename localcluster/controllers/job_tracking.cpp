// Counting a Job's pods with the tracking finalizer (job_controller.h, JobPods).
#include <algorithm>
#include <map>
#include <set>

#include "core/kube/client.h"
#include "core/kube/informer.h"
#include "localcluster/controllers/job_controller.h"
#include "localcluster/controllers/resources.h"

namespace mysqlop::local::controllers {

bool hasTrackingFinalizer(const json& pod) {
  const json& f = pod["metadata"].value("finalizers", json::array());
  return std::find(f.begin(), f.end(), kJobTrackingFinalizer) != f.end();
}

namespace {

std::set<std::string> uidSet(const json& uncounted, const char* field) {
  std::set<std::string> out;
  for (const auto& u : uncounted.value(field, json::array())) {
    if (u.is_string()) {
      out.insert(u.get<std::string>());
    }
  }
  return out;
}

json uidArray(const std::set<std::string>& uids) {
  json out = json::array();
  for (const auto& u : uids) {
    out.push_back(u);
  }
  return out;
}

}  // namespace

JobPods trackJobPods(json& status, const std::vector<json>& pods, bool suspended) {
  JobPods out;
  const json uncounted = status.value("uncountedTerminatedPods", json::object());
  std::set<std::string> succeeded = uidSet(uncounted, "succeeded");
  std::set<std::string> failed = uidSet(uncounted, "failed");
  std::int64_t succeededCount = intField(status, "succeeded", 0);
  std::int64_t failedCount = intField(status, "failed", 0);

  std::map<std::string, const json*> byUid;
  for (const auto& p : pods) {
    byUid[metaString(p, "uid")] = &p;
  }
  // Recorded pods whose finalizer is gone (or that are gone) are counted for good.
  auto settle = [&](std::set<std::string>& uids, std::int64_t& count) {
    for (auto it = uids.begin(); it != uids.end();) {
      auto p = byUid.find(*it);
      if (p == byUid.end() || !hasTrackingFinalizer(*p->second)) {
        ++count;
        it = uids.erase(it);
      } else {
        out.toRelease.push_back(*p->second);
        ++it;
      }
    }
  };
  settle(succeeded, succeededCount);
  settle(failed, failedCount);

  for (const auto& pod : pods) {
    const std::string uid = metaString(pod, "uid");
    const std::string phase = podPhase(pod);
    const bool deleting = isTerminating(pod);
    const bool finished = phase == "Succeeded" || phase == "Failed";
    if (suspended && deleting && !finished && hasTrackingFinalizer(pod)) {
      out.toRelease.push_back(pod);  // stopped by the suspension: no failure
    } else if (hasTrackingFinalizer(pod) && (finished || deleting) && !succeeded.count(uid) &&
               !failed.count(uid)) {
      // isPodFailed: a pod being deleted that did not succeed counts as failed.
      (phase == "Succeeded" ? succeeded : failed).insert(uid);
      out.toRelease.push_back(pod);
      out.newlyUncounted = true;
    }
    if (finished) {
      continue;
    }
    if (deleting) {
      ++out.terminating;
      continue;
    }
    out.ready += isPodReady(pod) ? 1 : 0;
    if (phase == "Running" || phase == "Pending") {
      // pastBackoffLimitOnFailure: restarts of running pods count as failures.
      for (const char* list : {"initContainerStatuses", "containerStatuses"}) {
        for (const auto& cs : pod["status"].value(list, json::array())) {
          out.restarts += intField(cs, "restartCount", 0);
        }
      }
    }
    out.active.push_back(pod);
  }
  status["succeeded"] = succeededCount;
  status["failed"] = failedCount;
  json u = json::object();
  if (!succeeded.empty()) {
    u["succeeded"] = uidArray(succeeded);
  }
  if (!failed.empty()) {
    u["failed"] = uidArray(failed);
  }
  status["uncountedTerminatedPods"] = u;
  return out;
}

Result<void> JobController::removeTrackingFinalizer(const json& pod) {
  json finalizers = pod["metadata"].value("finalizers", json::array());
  json rest = json::array();
  for (const auto& f : finalizers) {
    if (f != kJobTrackingFinalizer) {
      rest.push_back(f);
    }
  }
  // test + replace: removes only our finalizer from the list we saw, whatever else changed.
  json ops =
      json::array({{{"op", "test"}, {"path", "/metadata/finalizers"}, {"value", finalizers}}});
  if (rest.empty()) {
    ops.push_back({{"op", "remove"}, {"path", "/metadata/finalizers"}});
  } else {
    ops.push_back({{"op", "replace"}, {"path", "/metadata/finalizers"}, {"value", rest}});
  }
  auto r = client_.patch(res::kPods, metaString(pod, "namespace"), metaString(pod, "name"),
                         kube::PatchType::Json, ops.dump());
  if (!r.ok() && !r.is(Errc::NotFound)) {
    return r.error();
  }
  return {};
}

Result<void> JobController::releaseOrphan(const std::string& podKey) {
  auto cached = pods_->store().get(podKey);
  if (!cached) {
    return {};
  }
  const json pod = parseObject(cached);
  if (!hasTrackingFinalizer(pod)) {
    return {};
  }
  if (cached->controller && cached->controller->kind == "Job") {
    auto job = jobs_->store().get(keyOf(cached->namespaceName, cached->controller->name));
    if (job && job->uid == cached->controller->uid) {
      return {};  // not an orphan: its Job counts it
    }
  }
  return removeTrackingFinalizer(pod);
}

}  // namespace mysqlop::local::controllers
