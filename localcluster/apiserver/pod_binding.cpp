// pods/binding: how a scheduler assigns a pod to a node (kubernetes/kubernetes:
// pkg/registry/core/pod/storage/storage.go BindingREST, validation.ValidatePodBinding).
#include "localcluster/apiserver/api_server.h"

namespace mysqlop::local {

using nlohmann::json;

namespace {

const GroupResource kBindingResource{"", "pods/binding"};

// ValidatePodBinding's errors. kube-apiserver returns them as a plain aggregate error, which its
// handlers answer as 500 with the text and no reason; so does this.
void validateBinding(const json& binding) {
  std::vector<std::string> errs;
  const json target = binding.value("target", json::object());
  if (!target.is_object()) {
    raise(errBadRequest("target must be an object"));
  }
  const std::string kind = target.value("kind", "");
  if (!kind.empty() && kind != "Node") {
    errs.emplace_back("target.kind: Unsupported value: \"" + kind +
                      "\": supported values: \"Node\", \"<empty>\"");
  }
  if (target.value("name", "").empty()) {
    errs.emplace_back("target.name: Required value");
  }
  if (errs.empty()) {
    return;
  }
  std::string msg = errs.size() == 1 ? errs[0] : "[" + errs[0] + ", " + errs[1] + "]";
  raise(errGeneric(500, "", msg));
}

}  // namespace

void ApiServer::bindPod(const Target& t, const ApiRequest& req, ApiResponse& resp) {
  json binding = parseBody(req.body);
  if (!binding.is_object() || binding.value("kind", "Binding") != "Binding") {
    raise(errBadRequest("not a Binding object: " + req.body.substr(0, 200)));
  }
  if (metaString(binding, "name") != t.name) {
    raise(errBadRequest("name in URL does not match name in Binding object"));
  }
  validateBinding(binding);
  const std::string node = binding["target"]["name"].get<std::string>();
  const std::string wantUid = metaString(binding, "uid");
  const std::string wantRv = metaString(binding, "resourceVersion");
  const bool dryRun = req.param("dryRun") == "All";
  doUpdate(
      *t.rt, t.ns, t.name, "binding",
      [&](const json& old) {
        const json& meta = old["metadata"];
        if (!wantUid.empty() && wantUid != meta.value("uid", "")) {
          raise(errConflict(kBindingResource, t.name,
                            "Precondition failed: UID in precondition: " + wantUid +
                                ", UID in object meta: " + meta.value("uid", "")));
        }
        if (!wantRv.empty() && wantRv != meta.value("resourceVersion", "")) {
          raise(errConflict(kBindingResource, t.name,
                            "Precondition failed: ResourceVersion in precondition: " + wantRv +
                                ", ResourceVersion in meta: " + meta.value("resourceVersion", "")));
        }
        if (meta.contains("deletionTimestamp")) {
          raise(errConflict(kBindingResource, t.name,
                            "pod " + t.name + " is being deleted, cannot be assigned to a host"));
        }
        const std::string bound = old.value("spec", json::object()).value("nodeName", "");
        if (!bound.empty()) {
          raise(errConflict(kBindingResource, t.name,
                            "pod " + t.name + " is already assigned to node \"" + bound + "\""));
        }
        json pod = old;
        pod["spec"]["nodeName"] = node;
        const json annotations = binding["metadata"].value("annotations", json::object());
        for (auto it = annotations.begin(); it != annotations.end(); ++it) {
          pod["metadata"]["annotations"][it.key()] = it.value();
        }
        // podutil.UpdatePodCondition: PodScheduled=True, the transition time only if it changed.
        json& conditions = pod["status"]["conditions"];
        if (!conditions.is_array()) {
          conditions = json::array();
        }
        bool found = false;
        for (auto& c : conditions) {
          if (c.value("type", "") == "PodScheduled") {
            found = true;
            if (c.value("status", "") != "True") {
              c["status"] = "True";
              c["lastTransitionTime"] = nowRfc3339();
            }
            c.erase("reason");
            c.erase("message");
          }
        }
        if (!found) {
          conditions.push_back({{"type", "PodScheduled"},
                                {"status", "True"},
                                {"lastProbeTime", nullptr},
                                {"lastTransitionTime", nowRfc3339()}});
        }
        return pod;
      },
      false, dryRun, "");
  answerJson(resp, 201,
             {{"kind", "Status"},
              {"apiVersion", "v1"},
              {"metadata", json::object()},
              {"status", "Success"},
              {"code", 201}});
}

}  // namespace mysqlop::local
