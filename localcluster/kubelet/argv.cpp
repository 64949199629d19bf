// resolveArgv: how the container runtime combines the image's ENTRYPOINT/CMD with the container's
// command/args (kubelet kuberuntime + containerd's WithProcessArgs), after the kubelet expanded
// $(VAR) references in command and args (kubecontainer.ExpandContainerCommandAndArgs).

#include "localcluster/kubelet/container_plan.h"
#include "localcluster/kubelet/expansion.h"

namespace mysqlop::local::kubelet {

namespace {

// command/args as strings; an absent or null field is "unset", an empty list is "set, empty"
// in the API but, as in Kubernetes (len() == 0), counts as unset.
std::vector<std::string> stringList(const nlohmann::json& container, const char* field,
                                    const EnvMap& env) {
  std::vector<std::string> out;
  auto it = container.find(field);
  if (it == container.end() || !it->is_array()) {
    return out;
  }
  const std::vector<const EnvMap*> contexts{&env};
  for (const auto& item : *it) {
    out.push_back(expandVars(item.is_string() ? item.get<std::string>() : item.dump(), contexts));
  }
  return out;
}

}  // namespace

std::vector<std::string> resolveArgv(const nlohmann::json& container, const ImageProfile& profile,
                                     const std::map<std::string, std::string>& env) {
  const std::vector<std::string> command = stringList(container, "command", env);
  const std::vector<std::string> args = stringList(container, "args", env);
  std::vector<std::string> argv;
  if (!command.empty()) {
    // command replaces the image's entrypoint, and then the image's cmd is dropped too.
    argv = command;
    argv.insert(argv.end(), args.begin(), args.end());
  } else {
    argv = profile.entrypoint;
    const auto& tail = args.empty() ? profile.cmd : args;
    argv.insert(argv.end(), tail.begin(), tail.end());
  }
  return argv;
}

}  // namespace mysqlop::local::kubelet
