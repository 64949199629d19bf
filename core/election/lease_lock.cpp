#include "core/election/lease_lock.h"

#include <ctime>
#include <nlohmann/json.hpp>

#include "core/kube/client.h"

namespace mysqlop::election {

using nlohmann::json;

namespace {

LeaseRecord fromSpec(const json& lease) {
  LeaseRecord r;
  const auto spec = lease.find("spec");
  if (spec == lease.end() || !spec->is_object()) {
    return r;
  }
  auto str = [&](const char* k) {
    const auto it = spec->find(k);
    return it != spec->end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  auto num = [&](const char* k) {
    const auto it = spec->find(k);
    return it != spec->end() && it->is_number_integer() ? it->get<int>() : 0;
  };
  r.holderIdentity = str("holderIdentity");
  r.leaseDurationSeconds = num("leaseDurationSeconds");
  r.acquireTime = str("acquireTime");
  r.renewTime = str("renewTime");
  r.leaseTransitions = num("leaseTransitions");
  return r;
}

void toSpec(const LeaseRecord& r, json& lease) {
  json& spec = lease["spec"];
  if (!spec.is_object()) {
    spec = json::object();
  }
  spec["holderIdentity"] = r.holderIdentity;
  spec["leaseDurationSeconds"] = r.leaseDurationSeconds;
  spec["acquireTime"] = r.acquireTime;
  spec["renewTime"] = r.renewTime;
  spec["leaseTransitions"] = r.leaseTransitions;
}

}  // namespace

std::string formatMicroTime(std::chrono::system_clock::time_point t) {
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(micros / 1000000);
  long frac = static_cast<long>(micros % 1000000);
  if (frac < 0) {
    frac += 1000000;
    --secs;
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%06ldZ", buf, frac);
  return out;
}

KubeLeaseLock::KubeLeaseLock(kube::Client& client, std::string ns, std::string name,
                             std::string identity)
    : client_(client), ns_(std::move(ns)), name_(std::move(name)), identity_(std::move(identity)) {}

KubeLeaseLock::~KubeLeaseLock() = default;

Result<LeaseRecord> KubeLeaseLock::get() {
  auto r = client_.get(kube::resources::kLeases, ns_, name_);
  if (!r.ok()) {
    return r.error();
  }
  lease_ = std::make_unique<json>(std::move(r).value());
  return fromSpec(*lease_);
}

Result<void> KubeLeaseLock::create(const LeaseRecord& record) {
  json lease = {{"apiVersion", "coordination.k8s.io/v1"},
                {"kind", "Lease"},
                {"metadata", {{"name", name_}, {"namespace", ns_}}}};
  toSpec(record, lease);
  auto r = client_.create(kube::resources::kLeases, lease);
  if (!r.ok()) {
    return r.error();
  }
  lease_ = std::make_unique<json>(std::move(r).value());
  return {};
}

Result<void> KubeLeaseLock::update(const LeaseRecord& record) {
  if (!lease_) {
    return fail(Errc::Internal, "lease " + describe() + " not read yet: call get or create first");
  }
  json lease = *lease_;
  toSpec(record, lease);
  auto r = client_.update(kube::resources::kLeases, lease);
  if (!r.ok()) {
    return r.error();
  }
  lease_ = std::make_unique<json>(std::move(r).value());
  return {};
}

}  // namespace mysqlop::election
