// A second real client: the official Kubernetes Python client runs each script of this directory
// (Python unittest modules) against a fresh local API server. The server keeps a short history
// (--history-limit 40) so that test_gone.py can expire a resourceVersion.
#include <gtest/gtest.h>

#include <string>

#include "tests/support/kube/kubectl.h"
#include "tests/support/kube/local_api_server.h"

namespace mysqlop::testing {
namespace {

constexpr const char* kPython = "/usr/bin/python3";  // Debian's: the one that has the client
const std::string kScripts = std::string(MYSQLOP_SOURCE_DIR) + "/tests/integration/python_client";

class PythonClient : public ::testing::TestWithParam<std::string> {};

TEST_P(PythonClient, Suite) {
  CommandResult probe = runCommand({kPython, "-c", "import kubernetes, yaml"});
  ASSERT_EQ(probe.exitCode, 0) << "python3-kubernetes is not installed for " << kPython << ": "
                               << probe.err;
  LocalApiServer api;
  LocalApiServer::Options options;
  options.extraArgs = {"--history-limit", "40"};
  auto started = api.start(options);
  ASSERT_TRUE(started.ok()) << started.error().message;
  CommandResult r = runCommand({kPython, "-B", "-m", "unittest", "-v", GetParam()},
                               {"KUBECONFIG=" + api.kubeconfigPath(), "PYTHONPATH=" + kScripts,
                                "MYSQLOP_SOURCE_DIR=" + std::string(MYSQLOP_SOURCE_DIR)},
                               "", 300);
  EXPECT_EQ(r.exitCode, 0) << r.out << r.err;
  // unittest reports on stderr; its last line is "OK" when every test passed.
  EXPECT_NE(r.err.find("\nOK"), std::string::npos) << r.err;
}

INSTANTIATE_TEST_SUITE_P(Scripts, PythonClient,
                         ::testing::Values("test_list", "test_watch", "test_gone", "test_patch",
                                           "test_crd"),
                         [](const ::testing::TestParamInfo<std::string>& script) {
                           return script.param;
                         });

}  // namespace
}  // namespace mysqlop::testing
