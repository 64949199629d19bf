#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "core/common/result.h"

namespace mysqlop::local {

std::optional<std::uint32_t> parseIpv4(const std::string& text);
std::string formatIpv4(std::uint32_t ip);

// An IPv4 range for Service ClusterIPs ("198.19.0.0/16").
struct Ipv4Cidr {
  std::uint32_t network = 0;
  int prefix = 0;
  std::string text;

  // The refusals, each with its message: not IPv4 a.b.c.d/n, host bits set, larger than /12 (as
  // kube-apiserver's --service-cluster-ip-range), smaller than /30 (no usable address beside the
  // kubernetes Service), outside 198.18.0.0/15 (the only range the local cluster may use).
  static Result<Ipv4Cidr> parse(const std::string& text);
  bool contains(std::uint32_t ip) const;
  std::uint32_t broadcast() const;
  // The first usable address (.1): the kubernetes Service's.
  std::uint32_t first() const { return network + 1; }
};

// Hands out ClusterIPs from a range, as kube-apiserver's ipallocator does: never an address in use
// (the store's index of stored Services answers `inUse`, so allocations survive a restart and are
// released with the Service), never the network or broadcast address, and never the first
// address except to the kubernetes Service. An address handed out is pending until its
// Reservation ends: by then its Service is stored (in use) or the write failed (free again).
class ServiceIpAllocator {
 public:
  // Holds one pending address; releases it when destroyed.
  class Reservation {
   public:
    Reservation() = default;
    ~Reservation() { release(); }
    Reservation(const Reservation&) = delete;
    Reservation& operator=(const Reservation&) = delete;
    void release();

   private:
    friend class ServiceIpAllocator;
    ServiceIpAllocator* owner_ = nullptr;
    std::uint32_t ip_ = 0;
  };

  void configure(const Ipv4Cidr& cidr, std::function<bool(const std::string&)> inUse);
  const Ipv4Cidr& cidr() const { return cidr_; }

  // A free address; fails (Errc::Unavailable "range is full") when none is left.
  Result<std::string> allocateNext(Reservation& r);
  // The requested address; fails with kube-apiserver's texts: "the provided IP (X) is not in the
  // valid range. The range of valid IPs is CIDR" or "provided IP is already allocated".
  // `reservedOk` lets the kubernetes Service have the first address.
  Result<void> allocate(const std::string& ip, bool reservedOk, Reservation& r);

 private:
  void hold(std::uint32_t ip, Reservation& r);
  void release(std::uint32_t ip);
  bool freeLocked(std::uint32_t ip) const;

  Ipv4Cidr cidr_;
  std::function<bool(const std::string&)> inUse_;
  std::mutex mu_;
  std::set<std::uint32_t> pending_;
  std::uint32_t next_ = 0;  // where the next search starts (spreads reuse, as a rotating cursor)
};

}  // namespace mysqlop::local
