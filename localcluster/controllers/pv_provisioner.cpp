// The local PV provisioner (README.md, "PV provisioner").
#include "localcluster/controllers/pv_provisioner.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <system_error>

#include "core/kube/client.h"
#include "core/kube/informer_factory.h"
#include "localcluster/controllers/resources.h"

namespace mysqlop::local::controllers {

namespace fs = std::filesystem;

PvProvisioner::PvProvisioner(kube::Client& client, int workers, std::string dataDir)
    : Controller("pv-provisioner", workers),
      client_(client),
      dataDir_(std::move(dataDir)),
      events_(client, eventOptions("persistentvolume-controller")) {}

void PvProvisioner::registerHandlers(kube::InformerFactory& informers) {
  claims_ = cache(informers, res::kClaims);
  volumes_ = cache(informers, res::kVolumes);
  classes_ = cache(informers, res::kStorageClasses);
  kube::EventHandlers onClaim;
  onClaim.onAdd = [this](const kube::ObjectPtr& o) { enqueue("claim:" + o->key()); };
  onClaim.onUpdate = [this](const kube::ObjectPtr&, const kube::ObjectPtr& o) {
    enqueue("claim:" + o->key());
  };
  // A claim that goes releases its volume.
  onClaim.onDelete = [this](const kube::ObjectPtr& o) {
    const json claim = parseObject(o);
    const std::string volume = claim["spec"].value("volumeName", "");
    if (!volume.empty()) {
      enqueue("volume:" + volume);
    }
  };
  claims_->addHandlers(onClaim);
  kube::EventHandlers onVolume;
  onVolume.onAdd = [this](const kube::ObjectPtr& o) { enqueue("volume:" + o->name); };
  onVolume.onUpdate = [this](const kube::ObjectPtr&, const kube::ObjectPtr& o) {
    enqueue("volume:" + o->name);
  };
  volumes_->addHandlers(onVolume);
}

std::string PvProvisioner::volumeDir(const std::string& pvName) const {
  return (fs::path(dataDir_) / "pv" / pvName).string();
}

std::string PvProvisioner::reclaimPolicy(const json& claim) {
  const json& annotations = claim["metadata"].value("annotations", json::object());
  if (str(annotations, kReclaimPolicyAnnotation) == "Retain") {
    return "Retain";
  }
  const std::string className = str(claim["spec"], "storageClassName");
  if (className.empty()) {
    return "Delete";
  }
  json sc;
  if (auto cached = classes_->store().get(className)) {
    sc = parseObject(cached);
  } else {
    // A class created just before its claim may not be in the cache yet: ask the API, which
    // answers for sure (a class that does not exist means the default, Delete).
    auto fetched = client_.get(res::kStorageClasses, "", className);
    if (fetched.ok()) {
      sc = std::move(*fetched);
    }
  }
  return str(sc, "reclaimPolicy") == "Retain" ? "Retain" : "Delete";
}

Result<void> PvProvisioner::sync(const std::string& key) {
  if (key.rfind("claim:", 0) == 0) {
    return syncClaim(key.substr(6));
  }
  if (key.rfind("volume:", 0) == 0) {
    return syncVolume(key.substr(7));
  }
  return {};
}

Result<json> PvProvisioner::provision(const json& claim) {
  const std::string name = "pvc-" + metaString(claim, "uid");
  if (auto existing = volumes_->store().get(name)) {
    return parseObject(existing);
  }
  const std::string dir = volumeDir(name);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    return fail(Errc::Internal, "cannot create " + dir + ": " + ec.message());
  }
  const json& spec = claim["spec"];
  json capacity = json::object();
  if (spec.contains("resources") && spec["resources"].contains("requests") &&
      spec["resources"]["requests"].contains("storage")) {
    capacity["storage"] = spec["resources"]["requests"]["storage"];
  }
  json pv = {
      {"apiVersion", "v1"},
      {"kind", "PersistentVolume"},
      {"metadata",
       {{"name", name},
        {"annotations", {{"pv.kubernetes.io/provisioned-by", "local.mysqlop.io/local-path"}}}}},
      {"spec",
       {{"capacity", capacity},
        {"accessModes", spec.value("accessModes", json::array({"ReadWriteOnce"}))},
        {"volumeMode", spec.value("volumeMode", "Filesystem")},
        {"hostPath", {{"path", dir}, {"type", "DirectoryOrCreate"}}},
        {"persistentVolumeReclaimPolicy", reclaimPolicy(claim)},
        {"claimRef",
         {{"apiVersion", "v1"},
          {"kind", "PersistentVolumeClaim"},
          {"namespace", metaString(claim, "namespace")},
          {"name", metaString(claim, "name")},
          {"uid", metaString(claim, "uid")}}}}}};
  const std::string className = str(spec, "storageClassName");
  if (!className.empty()) {
    pv["spec"]["storageClassName"] = className;
  }
  auto created = client_.create(res::kVolumes, pv);
  if (created.ok()) {
    spdlog::debug("pv-provisioner: {} for claim {}/{} at {}", name, metaString(claim, "namespace"),
                  metaString(claim, "name"), dir);
    return std::move(*created);
  }
  if (created.is(Errc::AlreadyExists)) {
    return client_.get(res::kVolumes, "", name);
  }
  return created.error();
}

Result<void> PvProvisioner::syncClaim(const std::string& key) {
  auto cached = claims_->store().get(key);
  if (!cached) {
    return {};
  }
  json claim = parseObject(cached);
  if (isTerminating(claim) || str(claim["status"], "phase") == "Bound") {
    return {};
  }
  json pv;
  const std::string bound = str(claim["spec"], "volumeName");
  const json requests =
      claim["spec"].value("resources", json::object()).value("requests", json::object());
  if (bound.empty() && !requests.contains("storage")) {
    // Bad input, not a transient failure: reported once; an edit of the claim syncs it again.
    recordEvent(events_, res::kClaims, claim, "Warning", "ProvisioningFailed",
                "failed to provision volume: the claim has no spec.resources.requests.storage");
    return {};
  }
  if (bound.empty()) {
    const bool fresh = volumes_->store().get("pvc-" + metaString(claim, "uid")) == nullptr;
    auto made = provision(claim);
    if (!made.ok()) {
      recordEvent(events_, res::kClaims, claim, "Warning", "ProvisioningFailed",
                  "failed to provision volume: " + made.error().message);
      return made.error();
    }
    pv = std::move(*made);
    if (fresh) {
      recordEvent(events_, res::kClaims, claim, "Normal", "ProvisioningSucceeded",
                  "Successfully provisioned volume " + metaString(pv, "name"));
    }
  } else {
    auto existing = volumes_->store().get(bound);
    if (!existing) {
      return {};  // bound by someone else to a volume we do not know (yet)
    }
    pv = parseObject(existing);
  }
  const std::string pvName = metaString(pv, "name");
  // 1. The volume: Bound.
  if (str(pv.value("status", json::object()), "phase") != "Bound") {
    pv["status"]["phase"] = "Bound";
    auto r = client_.updateStatus(res::kVolumes, pv);
    if (!r.ok()) {
      return r.error();
    }
  }
  // 2. The claim's spec: volumeName.
  if (bound.empty()) {
    claim["spec"]["volumeName"] = pvName;
    claim["metadata"]["annotations"]["pv.kubernetes.io/bind-completed"] = "yes";
    claim["metadata"]["annotations"]["pv.kubernetes.io/bound-by-controller"] = "yes";
    auto r = client_.update(res::kClaims, claim);
    if (!r.ok()) {
      return r.error();
    }
    claim = std::move(*r);
  }
  // 3. The claim's status: Bound, with what the volume offers.
  claim["status"]["phase"] = "Bound";
  claim["status"]["capacity"] = pv["spec"].value("capacity", json::object());
  claim["status"]["accessModes"] = pv["spec"].value("accessModes", json::array());
  auto r = client_.updateStatus(res::kClaims, claim);
  if (!r.ok()) {
    return r.error();
  }
  return {};
}

Result<void> PvProvisioner::syncVolume(const std::string& name) {
  auto cached = volumes_->store().get(name);
  if (!cached) {
    return {};
  }
  json pv = parseObject(cached);
  if (isTerminating(pv)) {
    return {};
  }
  const json ref = pv["spec"].value("claimRef", json::object());
  if (ref.empty()) {
    return {};
  }
  auto claim = claims_->store().get(keyOf(str(ref, "namespace"), str(ref, "name")));
  if (claim && claim->uid == str(ref, "uid")) {
    return {};  // still claimed
  }
  // The claim is gone. Only volumes we provisioned are ours to remove.
  const std::string provisioner =
      str(pv["metadata"].value("annotations", json::object()), "pv.kubernetes.io/provisioned-by");
  if (str(pv["spec"], "persistentVolumeReclaimPolicy") == "Delete" &&
      provisioner == "local.mysqlop.io/local-path") {
    std::error_code ec;
    fs::remove_all(volumeDir(name), ec);
    if (ec) {
      return fail(Errc::Internal, "cannot remove " + volumeDir(name) + ": " + ec.message());
    }
    auto r = client_.remove(res::kVolumes, "", name);
    if (!r.ok() && !r.is(Errc::NotFound)) {
      return r;
    }
    spdlog::debug("pv-provisioner: deleted {} and its directory", name);
    return {};
  }
  if (str(pv.value("status", json::object()), "phase") != "Released") {
    pv["status"]["phase"] = "Released";
    auto r = client_.updateStatus(res::kVolumes, pv);
    if (!r.ok()) {
      return r.error();
    }
  }
  return {};
}

}  // namespace mysqlop::local::controllers
