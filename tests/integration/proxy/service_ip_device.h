#pragma once
// Service IPs for proxy tests without the node layer: a bridge device of the test's own
// ("mopt<pid>", removed with every address on it by the destructor) and a /24 of the Service
// range picked from the pid, high enough not to meet the slots of real local clusters, routed
// nowhere but to the addresses put on the device.

#include <unistd.h>

#include <string>
#include <vector>

#include "core/common/result.h"
#include "localcluster/proxy/service_proxy.h"
#include "tests/support/process/child_process.h"

namespace mysqlop::local::proxy::it {

inline bool runIp(const std::vector<std::string>& args) {
  mysqlop::testing::SpawnSpec spec;
  spec.argv = {"/usr/sbin/ip"};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  pid_t pid = mysqlop::testing::spawnProcess(spec);
  return mysqlop::testing::waitForExit(pid, std::chrono::seconds(30)) == 0;
}

// "ip -o -4 addr show dev NAME", as text.
inline std::string addressesOf(const std::string& device) {
  char tmpl[] = "/tmp/mopt-addr-XXXXXX";
  int fd = ::mkstemp(tmpl);
  ::close(fd);
  mysqlop::testing::SpawnSpec spec;
  spec.argv = {"/usr/sbin/ip", "-o", "-4", "addr", "show", "dev", device};
  spec.stdoutPath = tmpl;
  pid_t pid = mysqlop::testing::spawnProcess(spec);
  (void)mysqlop::testing::waitForExit(pid, std::chrono::seconds(30));
  std::string out = mysqlop::testing::readFile(tmpl);
  ::unlink(tmpl);
  return out;
}

class ServiceIpDevice {
 public:
  ServiceIpDevice()
      : name_("mopt" + std::to_string(::getpid() % 100000)),
        prefix_("198.19." + std::to_string(200 + ::getpid() % 50) + ".") {
    (void)runIp({"link", "del", name_});  // a leftover of a crashed run with the same pid
    // Until an IP of the /24 is on the device, traffic to it must not take the default route off
    // the machine: an unreachable route (the local table's addresses still win) fails it here.
    ok_ = runIp({"route", "replace", "unreachable", subnet()}) &&
          runIp({"link", "add", name_, "type", "bridge"}) && runIp({"link", "set", name_, "up"});
  }
  ~ServiceIpDevice() {
    (void)runIp({"link", "del", name_});
    (void)runIp({"route", "del", "unreachable", subnet()});
  }
  ServiceIpDevice(const ServiceIpDevice&) = delete;
  ServiceIpDevice& operator=(const ServiceIpDevice&) = delete;

  bool ok() const { return ok_; }
  const std::string& name() const { return name_; }
  std::string subnet() const { return prefix_ + "0/24"; }
  // "198.19.<n>.<host>"
  std::string ip(int host) const { return prefix_ + std::to_string(host); }

  ServiceIpHooks hooks() {
    // Like node::Network, only addresses of its own /24: a server that made default/kubernetes
    // itself gave it 198.19.0.1, which a real local cluster on this machine may be using.
    return {[this](const std::string& ip) -> Result<void> {
              if (ip.rfind(prefix_, 0) != 0) {
                return fail(Errc::Invalid, "Service IP \"" + ip + "\" is not in " + subnet());
              }
              if (!runIp({"addr", "replace", ip + "/32", "dev", name_})) {
                return fail(Errc::Unavailable, "ip addr replace " + ip + " failed");
              }
              return {};
            },
            [this](const std::string& ip) -> Result<void> {
              if (!runIp({"addr", "del", ip + "/32", "dev", name_})) {
                return fail(Errc::Unavailable, "ip addr del " + ip + " failed");
              }
              return {};
            }};
  }

  // The addresses on the device now, as text.
  std::string addresses() const { return addressesOf(name_); }

 private:
  std::string name_;
  std::string prefix_;
  bool ok_ = false;
};

}  // namespace mysqlop::local::proxy::it
