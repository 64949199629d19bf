#include "plugins/common/kube/time.h"

namespace mysqlop::kube {

std::string formatTime(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string nowTime() { return formatTime(std::time(nullptr)); }

}  // namespace mysqlop::kube
