// Pods on the node's network: one pod reaches another by its IP, and sees its own name in the
// /etc/hosts the NameService wrote for it.
#include "tests/integration/kubelet/kubelet_env.h"

namespace mysqlop::local::kubelet::it {
namespace {

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST_F(KubeletEnv, PodReachesAnotherPodByIpAndSeesItsOwnHostsFile) {
  json server = shellPod("server", "");
  server["spec"]["containers"][0]["image"] = "python:3";
  server["spec"]["containers"][0]["command"] =
      json::array({"python3", "-m", "http.server", "8080"});
  server["spec"]["containers"][0]["readinessProbe"] = {{"tcpSocket", {{"port", 8080}}},
                                                       {"periodSeconds", 1}};
  create(server);
  ASSERT_TRUE(
      waitPod("server", "Ready", [](const json& q) { return condition(q, "Ready") == "True"; }));
  std::string serverIp = pod("server")["status"]["podIP"];

  std::string out = dir_ + "/fetched";
  json client = shellPod("client", "", "Never");
  client["spec"]["containers"][0]["image"] = "python:3";
  client["spec"]["containers"][0]["command"] =
      json::array({"python3", "-c",
                   "import socket, urllib.request\n"
                   "status = urllib.request.urlopen('http://" +
                       serverIp +
                       ":8080/', timeout=10).status\n"
                       "hosts = open('/etc/hosts').read()\n"
                       "open('" +
                       out + "', 'w').write(f'{status} {socket.gethostname()}\\n' + hosts)\n"});
  create(client);
  ASSERT_TRUE(waitPod("client", "Succeeded", [](const json& q) {
    return phase(q) == "Succeeded" || phase(q) == "Failed";
  }));
  ASSERT_EQ(phase(pod("client")), "Succeeded") << dump("client");
  std::string fetched = readFile(out);
  EXPECT_EQ(fetched.rfind("200 client\n", 0), 0u) << fetched;
  std::string clientIp = pod("client")["status"]["podIP"];
  EXPECT_NE(fetched.find(clientIp), std::string::npos) << fetched;
}

}  // namespace
}  // namespace mysqlop::local::kubelet::it
