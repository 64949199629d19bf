#pragma once

#include <cstdint>
#include <string>
#include <tuple>

#include "core/common/result.h"

namespace mysqlop::host {

// A Kubernetes resource as the host sees it (copied out of mysqlop_type_resource).
struct ResourceRef {
  std::string group;
  std::string version;
  std::string kind;
  std::string plural;
  bool namespaced = true;

  std::string apiVersion() const { return group.empty() ? version : group + "/" + version; }
  bool operator<(const ResourceRef& o) const {
    return std::tie(group, version, plural) < std::tie(o.group, o.version, o.plural);
  }
  bool operator==(const ResourceRef& o) const {
    return group == o.group && version == o.version && plural == o.plural;
  }
};

enum class PatchKind { Merge, Json, Strategic, Apply };

struct MysqlEndpoint {
  std::string host;
  std::uint16_t port = 3306;
};

// What the plugin host needs from Kubernetes to serve its callbacks. The Kubernetes access layer
// (core/kube) implements it against an API server; without one, UnavailableClusterAccess answers
// every call with Errc::Unavailable. All methods are thread-safe. Objects are JSON text.
class ClusterAccess {
 public:
  virtual ~ClusterAccess() = default;

  virtual Result<std::string> get(const ResourceRef& r, const std::string& ns,
                                  const std::string& name) = 0;
  // A JSON array of the matching objects.
  virtual Result<std::string> list(const ResourceRef& r, const std::string& ns,
                                   const std::string& labelSelector) = 0;
  virtual Result<std::string> create(const ResourceRef& r, const std::string& objectJson) = 0;
  virtual Result<std::string> update(const ResourceRef& r, const std::string& objectJson) = 0;
  virtual Result<std::string> updateStatus(const ResourceRef& r, const std::string& objectJson) = 0;
  virtual Result<std::string> patch(const ResourceRef& r, const std::string& ns,
                                    const std::string& name, const std::string& subresource,
                                    PatchKind kind, const std::string& patch,
                                    const std::string& fieldManager) = 0;
  virtual Result<void> remove(const ResourceRef& r, const std::string& ns, const std::string& name,
                              const std::string& propagation) = 0;
  // type is "Normal" or "Warning".
  virtual Result<void> recordEvent(const std::string& objectJson, const std::string& type,
                                   const std::string& reason, const std::string& message) = 0;
  virtual Result<std::string> readSecretValue(const std::string& ns, const std::string& name,
                                              const std::string& key) = 0;
  virtual Result<MysqlEndpoint> resolveMysqlEndpoint(const std::string& ns,
                                                     const std::string& cluster,
                                                     const std::string& pod) = 0;
};

class UnavailableClusterAccess final : public ClusterAccess {
 public:
  Result<std::string> get(const ResourceRef&, const std::string&, const std::string&) override {
    return unavailable();
  }
  Result<std::string> list(const ResourceRef&, const std::string&, const std::string&) override {
    return unavailable();
  }
  Result<std::string> create(const ResourceRef&, const std::string&) override {
    return unavailable();
  }
  Result<std::string> update(const ResourceRef&, const std::string&) override {
    return unavailable();
  }
  Result<std::string> updateStatus(const ResourceRef&, const std::string&) override {
    return unavailable();
  }
  Result<std::string> patch(const ResourceRef&, const std::string&, const std::string&,
                            const std::string&, PatchKind, const std::string&,
                            const std::string&) override {
    return unavailable();
  }
  Result<void> remove(const ResourceRef&, const std::string&, const std::string&,
                      const std::string&) override {
    return unavailable();
  }
  Result<void> recordEvent(const std::string&, const std::string&, const std::string&,
                           const std::string&) override {
    return unavailable();
  }
  Result<std::string> readSecretValue(const std::string&, const std::string&,
                                      const std::string&) override {
    return unavailable();
  }
  Result<MysqlEndpoint> resolveMysqlEndpoint(const std::string&, const std::string&,
                                             const std::string&) override {
    return unavailable();
  }

 private:
  static Failure unavailable() {
    return fail(Errc::Unavailable, "Kubernetes access is not configured in this host");
  }
};

}  // namespace mysqlop::host
