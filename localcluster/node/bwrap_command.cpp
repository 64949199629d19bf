#include "localcluster/node/bwrap_command.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <nlohmann/json.hpp>
#include <thread>

#include "localcluster/node/command.h"
#include "localcluster/node/proc.h"

namespace mysqlop::local::node {

namespace {
constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// PATH of the container's environment (the last entry wins, as getenv would see it).
std::string searchPathOf(const std::vector<std::string>& env) {
  std::string path = kDefaultPath;
  for (const auto& e : env) {
    if (e.rfind("PATH=", 0) == 0) {
      path = e.substr(5);
    }
  }
  return path;
}

}  // namespace

std::string hostPathOf(const std::string& inside, const std::vector<Bind>& binds) {
  for (auto it = binds.rbegin(); it != binds.rend(); ++it) {
    const std::string& t = it->target;
    if (inside == t) {
      return it->source;
    }
    if (inside.rfind(t, 0) == 0 && (t.back() == '/' || inside[t.size()] == '/')) {
      return it->source + inside.substr(t.size());
    }
  }
  return inside;
}

// argv[0] as the container will find it (Kubernetes' messages), checked before any fork.
Result<void> checkProgram(const SpawnSpec& spec) {
  const std::string& program = spec.argv[0];
  auto executable = [&](const std::string& inside) {
    return !findProgram(hostPathOf(inside, spec.binds), "").empty();
  };
  if (program.find('/') != std::string::npos) {
    const std::string inside =
        program[0] == '/' ? program
                          : (spec.workingDir.empty() ? "/" : spec.workingDir + "/") + program;
    if (!executable(inside)) {
      return fail(Errc::NotFound, spec.key + ": exec: \"" + program + "\": stat " + program +
                                      ": no such file or directory");
    }
    return {};
  }
  const std::string path = searchPathOf(spec.env);
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    end = end == std::string::npos ? path.size() : end;
    const std::string dir = path.substr(start, end - start);
    if (!dir.empty() && executable(dir + "/" + program)) {
      return {};
    }
    start = end + 1;
  }
  return fail(Errc::NotFound,
              spec.key + ": exec: \"" + program + "\": executable file not found in $PATH");
}

std::vector<std::string> bwrapArgv(const std::string& bwrap, const SpawnSpec& spec) {
  std::vector<std::string> a = {bwrap, "--die-with-parent", "--unshare-pid", "--as-pid-1"};
  if (!spec.hostname.empty()) {
    a.insert(a.end(), {"--unshare-uts", "--hostname", spec.hostname});
  }
  a.insert(a.end(), {"--dev-bind", "/", "/", "--proc", "/proc"});
  for (const auto& b : spec.binds) {
    a.insert(a.end(), {b.readOnly ? "--ro-bind" : "--bind", b.source, b.target});
  }
  a.insert(a.end(), {"--chdir", spec.workingDir.empty() ? "/" : spec.workingDir, "--info-fd",
                     std::to_string(kInfoFd), "--"});
  a.insert(a.end(), spec.argv.begin(), spec.argv.end());
  return a;
}

// Reads a descriptor to its end or the deadline.
std::string readAll(int fd, std::chrono::steady_clock::time_point deadline) {
  std::string out;
  char buf[4096];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      break;
    }
    pollfd p{fd, POLLIN, 0};
    const int r = ::poll(&p, 1, static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR) {
      continue;
    }
    if (r <= 0) {
      break;
    }
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      break;
    }
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

int childPidOf(const std::string& info) {
  // bwrap writes one JSON object; it may be cut if bwrap died while writing.
  auto doc = nlohmann::json::parse(info, nullptr, false);
  if (doc.is_object() && doc.contains("child-pid") && doc["child-pid"].is_number_integer()) {
    return doc["child-pid"].get<int>();
  }
  return 0;
}

// Waits until the sandboxed process has exec'd the program (its executable is no longer bwrap's):
// bwrap reports the child pid before it sets up mounts, and a failure there (a missing bind source,
// execvp) ends the child. True once exec'd, false when it died first or the deadline passed.
bool awaitExec(pid_t pid, const struct stat& bwrap,
               std::chrono::steady_clock::time_point deadline) {
  const std::string exe = "/proc/" + std::to_string(pid) + "/exe";
  while (std::chrono::steady_clock::now() < deadline) {
    struct stat st {};
    if (::stat(exe.c_str(), &st) != 0 || processGone(pid)) {
      return false;
    }
    if (st.st_dev != bwrap.st_dev || st.st_ino != bwrap.st_ino) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  return false;
}

std::string lastLine(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
    text.pop_back();
  }
  const auto nl = text.rfind('\n');
  return nl == std::string::npos ? text : text.substr(nl + 1);
}

}  // namespace mysqlop::local::node
