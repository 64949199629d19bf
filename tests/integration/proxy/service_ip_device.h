#pragma once
// Service IPs for proxy tests without the node layer: a bridge device of the test's own
// ("mopt<n>", removed with every address on it by the destructor) and the /24 198.19.<n>.0 of
// the Service range, n in 200..249 (high enough not to meet the slots of real local clusters),
// routed nowhere but to the addresses put on the device.

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
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
  // Takes the first free /24 of 198.19.200-249 (an flock per /24 under /run/mysqlop-local, held
  // for the life of the object, so that parallel tests never share one), then makes its device.
  ServiceIpDevice() {
    ::mkdir("/run/mysqlop-local", 0755);
    for (int n = 200; n < 250 && lockFd_ < 0; ++n) {
      std::string path = "/run/mysqlop-local/proxy-test-" + std::to_string(n) + ".lock";
      int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
      if (fd >= 0 && ::flock(fd, LOCK_EX | LOCK_NB) == 0) {
        lockFd_ = fd;
        name_ = "mopt" + std::to_string(n);
        prefix_ = "198.19." + std::to_string(n) + ".";
      } else if (fd >= 0) {
        ::close(fd);
      }
    }
    if (lockFd_ < 0) {
      return;
    }
    (void)runIp({"link", "del", name_});  // a leftover of a crashed run that held this /24
    // Until an IP of the /24 is on the device, traffic to it must not take the default route off
    // the machine: an unreachable route (the local table's addresses still win) fails it here.
    ok_ = runIp({"route", "replace", "unreachable", subnet()}) &&
          runIp({"link", "add", name_, "type", "bridge"}) && runIp({"link", "set", name_, "up"});
  }
  ~ServiceIpDevice() {
    if (lockFd_ < 0) {
      return;
    }
    (void)runIp({"link", "del", name_});
    (void)runIp({"route", "del", "unreachable", subnet()});
    ::close(lockFd_);
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
  std::string name_ = "mopt-none";
  std::string prefix_ = "198.19.255.";
  int lockFd_ = -1;
  bool ok_ = false;
};

}  // namespace mysqlop::local::proxy::it
