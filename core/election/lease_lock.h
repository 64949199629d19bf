#pragma once

#include <chrono>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "core/common/result.h"

namespace mysqlop::kube {
class Client;
}

namespace mysqlop::election {

// The spec of a coordination.k8s.io/v1 Lease as leader election reads and writes it
// (client-go resourcelock.LeaderElectionRecord). Times are MicroTime strings.
struct LeaseRecord {
  std::string holderIdentity;
  int leaseDurationSeconds = 0;
  std::string acquireTime;
  std::string renewTime;
  int leaseTransitions = 0;

  bool operator==(const LeaseRecord& o) const {
    return holderIdentity == o.holderIdentity && leaseDurationSeconds == o.leaseDurationSeconds &&
           acquireTime == o.acquireTime && renewTime == o.renewTime &&
           leaseTransitions == o.leaseTransitions;
  }
  bool operator!=(const LeaseRecord& o) const { return !(*this == o); }
};

// client-go's resourcelock.Interface. update() writes over the version read by the last get()
// or written by create()/update(), so a concurrent writer makes it fail with Errc::Conflict.
class LeaseLock {
 public:
  virtual ~LeaseLock() = default;
  // Errc::NotFound when the lease does not exist.
  virtual Result<LeaseRecord> get() = 0;
  virtual Result<void> create(const LeaseRecord& record) = 0;
  virtual Result<void> update(const LeaseRecord& record) = 0;
  virtual const std::string& identity() const = 0;
  // "namespace/name", for logs.
  virtual std::string describe() const = 0;
};

// A LeaseLock on a real Lease object through the API server.
class KubeLeaseLock final : public LeaseLock {
 public:
  KubeLeaseLock(kube::Client& client, std::string ns, std::string name, std::string identity);
  ~KubeLeaseLock() override;

  Result<LeaseRecord> get() override;
  Result<void> create(const LeaseRecord& record) override;
  Result<void> update(const LeaseRecord& record) override;
  const std::string& identity() const override { return identity_; }
  std::string describe() const override { return ns_ + "/" + name_; }

 private:
  kube::Client& client_;
  std::string ns_;
  std::string name_;
  std::string identity_;
  std::unique_ptr<nlohmann::json> lease_;  // the last Lease read or written
};

// MicroTime text ("2006-01-02T15:04:05.000000Z") of a wall-clock time.
std::string formatMicroTime(std::chrono::system_clock::time_point t);

}  // namespace mysqlop::election
