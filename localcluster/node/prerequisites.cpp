// missingPrerequisite(): what `up` needs from the machine, checked in a fixed order.
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "localcluster/node/command.h"
#include "localcluster/node/network.h"

namespace mysqlop::local::node {

std::string missingPrerequisite() {
  if (::geteuid() != 0) {
    return "mysql-operator-local up must run as root (uid 0)";
  }
  const char* env = ::getenv("PATH");
  const std::string path = env != nullptr ? env : "";
  struct Need {
    const char* program;
    const char* message;
  };
  for (const Need& need : {Need{"bwrap", "bwrap not found (install Debian's bubblewrap)"},
                           Need{"ip", "ip not found (install Debian's iproute2)"},
                           Need{"nsenter", "nsenter not found (install util-linux)"}}) {
    if (findProgram(need.program, path).empty()) {
      return need.message;
    }
  }
  return "";
}

}  // namespace mysqlop::local::node
