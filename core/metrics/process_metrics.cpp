#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include <fmt/format.h>

#include "core/metrics/registry.h"

namespace mysqlop::metrics {

namespace {

long openFds() {
  DIR* d = opendir("/proc/self/fd");
  if (!d) {
    return -1;
  }
  long n = 0;
  while (readdir(d) != nullptr) {
    ++n;
  }
  closedir(d);
  return n - 3;  // ".", ".." and the descriptor of the directory stream itself
}

// Field 22 of /proc/self/stat is the start time in clock ticks after boot.
double startTimeSeconds() {
  std::ifstream stat("/proc/self/stat");
  std::string content((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  auto close = content.rfind(')');
  if (close == std::string::npos) {
    return 0;
  }
  std::istringstream fields(content.substr(close + 2));
  std::string f;
  for (int i = 3; i <= 22 && fields >> f; ++i) {
  }
  std::ifstream uptimeFile("/proc/uptime");
  double uptime = 0;
  uptimeFile >> uptime;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double startAfterBoot = std::stod(f) / ticks;
  const double now = static_cast<double>(time(nullptr));
  return now - uptime + startAfterBoot;
}

void gaugeLine(std::string& out, const char* name, const char* help, const char* type, double v) {
  out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" +
         name + " " + fmt::format("{}", v) + "\n";
}

}  // namespace

std::uint64_t residentBytes() {
  std::ifstream statm("/proc/self/statm");
  std::uint64_t size = 0;
  std::uint64_t resident = 0;
  statm >> size >> resident;
  return resident * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}

void renderProcessMetrics(std::string& out) {
  std::ifstream statm("/proc/self/statm");
  std::uint64_t size = 0;
  std::uint64_t resident = 0;
  statm >> size >> resident;
  const auto page = static_cast<double>(sysconf(_SC_PAGESIZE));
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  const double cpu = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                     static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  rlimit rl{};
  getrlimit(RLIMIT_NOFILE, &rl);
  gaugeLine(out, "process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
            "counter", cpu);
  gaugeLine(out, "process_resident_memory_bytes", "Resident memory size in bytes.", "gauge",
            static_cast<double>(resident) * page);
  gaugeLine(out, "process_virtual_memory_bytes", "Virtual memory size in bytes.", "gauge",
            static_cast<double>(size) * page);
  gaugeLine(out, "process_open_fds", "Number of open file descriptors.", "gauge",
            static_cast<double>(openFds()));
  gaugeLine(out, "process_max_fds", "Maximum number of open file descriptors.", "gauge",
            static_cast<double>(rl.rlim_cur));
  gaugeLine(out, "process_start_time_seconds",
            "Start time of the process since unix epoch in seconds.", "gauge", startTimeSeconds());
}

}  // namespace mysqlop::metrics
