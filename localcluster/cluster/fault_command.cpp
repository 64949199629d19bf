// `mysql-operator-local fault partition|heal|freeze|thaw|kill --data-dir DIR [-n NS] POD
// [-c CONTAINER]`: a process of its own beside a running `up`. It finds the pod through the API
// (DIR/kubeconfig), then acts on what DIR/node/records.json says the pod is on the machine
// (localcluster/node/faults.h). Every bad input is one line on stderr.
#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/kube/client.h"
#include "core/kube/http_transport.h"
#include "localcluster/cluster/commands.h"
#include "localcluster/cluster/run_lock.h"
#include "localcluster/node/faults.h"
#include "localcluster/node/records.h"

namespace mysqlop::local::cluster {

namespace {

constexpr const char* kFaultUsage =
    "usage: mysql-operator-local fault VERB --data-dir DIR [-n NAMESPACE] POD [-c CONTAINER]\n"
    "\n"
    "Injects a fault into a pod of the local cluster running in DIR:\n"
    "  partition   drop every packet to and from the pod (peers see a hang, not a reset)\n"
    "  heal        undo a partition\n"
    "  freeze      SIGSTOP every process of the pod\n"
    "  thaw        SIGCONT them\n"
    "  kill        SIGKILL a container's process (-c, default the pod's first container); the\n"
    "              kubelet restarts it by the restart policy\n";

constexpr const char* kVerbs = "partition, heal, freeze, thaw, kill";

int refuse(const std::string& message, int code) {
  std::fprintf(stderr, "mysql-operator-local: %s\n", message.c_str());
  return code;
}

struct FaultArgs {
  std::string verb;
  std::string dataDir;
  std::string ns = "default";
  std::string pod;
  std::string container;
  bool containerGiven = false;
};

// "" on success, else the one-line complaint.
std::string parseFaultArgs(int argc, char** argv, FaultArgs* args) {
  if (argc < 1) {
    return std::string("fault needs a verb: ") + kVerbs;
  }
  args->verb = argv[0];
  if (args->verb != "partition" && args->verb != "heal" && args->verb != "freeze" &&
      args->verb != "thaw" && args->verb != "kill") {
    return "unknown fault \"" + args->verb + "\" (one of " + kVerbs + ")";
  }
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool takesValue =
        a == "--data-dir" || a == "-n" || a == "--namespace" || a == "-c" || a == "--container";
    if (takesValue && i + 1 >= argc) {
      return a + " needs a value";
    }
    if (a == "--data-dir") {
      args->dataDir = argv[++i];
    } else if (a == "-n" || a == "--namespace") {
      args->ns = argv[++i];
    } else if (a == "-c" || a == "--container") {
      args->container = argv[++i];
      args->containerGiven = true;
    } else if (!a.empty() && a[0] == '-') {
      return "unknown flag " + a;
    } else if (args->pod.empty()) {
      args->pod = a;
    } else {
      return "unexpected argument " + a;
    }
  }
  if (args->dataDir.empty()) {
    return "--data-dir is required";
  }
  if (args->pod.empty()) {
    return "fault " + args->verb + " needs a POD";
  }
  if (args->containerGiven && args->verb != "kill") {
    return "-c CONTAINER is for kill only: " + args->verb + " acts on the whole pod";
  }
  return "";
}

Result<nlohmann::json> readPod(const std::string& dataDir, const std::string& ns,
                               const std::string& name) {
  auto transport = kube::HttpTransport::fromKubeconfigFile(dataDir + "/kubeconfig");
  if (!transport.ok()) {
    return transport.error();
  }
  kube::Client client(*transport);
  auto pod = client.get(kube::resources::kPods, ns, name);
  if (!pod.ok() && pod.code() == Errc::NotFound) {
    return fail(Errc::NotFound, "pod \"" + ns + "/" + name + "\" not found");
  }
  return pod;
}

// The container named, or the pod's first one; "" when the pod has no such container.
std::string pickContainer(const nlohmann::json& pod, const std::string& wanted) {
  const auto spec = pod.value("spec", nlohmann::json::object());
  std::vector<std::string> names;
  for (const char* list : {"containers", "initContainers"}) {
    for (const auto& c : spec.value(list, nlohmann::json::array())) {
      names.push_back(c.value("name", ""));
    }
  }
  if (wanted.empty()) {
    return names.empty() ? "" : names.front();
  }
  for (const auto& n : names) {
    if (n == wanted) {
      return n;
    }
  }
  return "";
}

}  // namespace

int faultCommand(int argc, char** argv) {
  for (int i = 0; i < argc; ++i) {
    if (std::string(argv[i]) == "-h" || std::string(argv[i]) == "--help") {
      std::fputs(kFaultUsage, stdout);
      return 0;
    }
  }
  FaultArgs args;
  if (std::string complaint = parseFaultArgs(argc, argv, &args); !complaint.empty()) {
    return refuse(complaint, 2);
  }
  if (runningPid(args.dataDir) == 0) {
    return refuse("no local cluster is running in " + args.dataDir, 1);
  }
  auto pod = readPod(args.dataDir, args.ns, args.pod);
  if (!pod.ok()) {
    return refuse(pod.error().message, 1);
  }
  const node::FaultTarget target{(*pod)["metadata"].value("uid", ""), args.ns + "/" + args.pod};
  auto records = node::Records::open(args.dataDir);
  if (!records.ok()) {
    return refuse(records.error().message, 1);
  }
  node::Records& r = *records.value();
  const std::string quoted = "pod \"" + target.pod + "\"";
  if (args.verb == "partition" || args.verb == "heal") {
    auto done = args.verb == "partition" ? node::partitionPod(r, target) : node::healPod(r, target);
    if (!done.ok()) {
      return refuse(done.error().message, 1);
    }
    std::printf("%s %s\n", args.verb == "partition" ? "partitioned" : "healed", quoted.c_str());
    return 0;
  }
  if (args.verb == "freeze" || args.verb == "thaw") {
    auto done = args.verb == "freeze" ? node::freezePod(r, target) : node::thawPod(r, target);
    if (!done.ok()) {
      return refuse(done.error().message, 1);
    }
    std::printf("%s %s (%d processes)\n", args.verb == "freeze" ? "froze" : "thawed",
                quoted.c_str(), *done);
    return 0;
  }
  const std::string container = pickContainer(*pod, args.container);
  if (container.empty()) {
    return refuse(quoted + " has no container \"" + args.container + "\"", 1);
  }
  auto pid = node::killContainer(r, target, container);
  if (!pid.ok()) {
    return refuse(pid.error().message, 1);
  }
  std::printf("killed container \"%s\" of %s (pid %d)\n", container.c_str(), quoted.c_str(), *pid);
  return 0;
}

}  // namespace mysqlop::local::cluster
