// The HTTP transport against the local API server: TLS verification (CA, tls-server-name,
// insecure), keep-alive reuse, Warning headers logged, token file rotation after a 401, and the
// token never in a log line.
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/log/logging.h"
#include "tests/integration/kube/kube_env.h"

namespace mysqlop::kube::testing {
namespace {

using nlohmann::json;
using resources::kConfigMaps;

class TransportTest : public KubeEnv {
 protected:
  Result<HttpResponse> getVersion(const RestConfig& rc) {
    auto t = HttpTransport::create(rc);
    if (!t.ok()) {
      return t.error();
    }
    return (*t)->send(HttpRequest{"GET", "/version", "", "", "application/json"});
  }
};

TEST_F(TransportTest, VerifiesTheServerAgainstTheClusterCa) {
  auto ok = getVersion(rest_);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(json::parse(ok->body)["major"], "1");

  // Another server's CA must not verify this one.
  mysqlop::testing::LocalApiServer other;
  ASSERT_TRUE(other.start().ok());
  auto otherRc = restConfigOf(other);
  ASSERT_TRUE(otherRc.ok());
  RestConfig wrongCa = rest_;
  wrongCa.caPem = otherRc->caPem;
  auto refused = getVersion(wrongCa);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.code(), Errc::Unavailable);
  EXPECT_EQ(refused.error().message.rfind("GET " + rest_.server + "/version: ", 0), 0u)
      << refused.error().message;

  // Without a CA the system roots do not know the local CA either.
  RestConfig systemRoots = rest_;
  systemRoots.caPem.clear();
  EXPECT_FALSE(getVersion(systemRoots).ok());

  // insecure-skip-tls-verify accepts it.
  RestConfig insecure = rest_;
  insecure.caPem.clear();
  insecure.insecureSkipTlsVerify = true;
  auto accepted = getVersion(insecure);
  ASSERT_TRUE(accepted.ok()) << accepted.error().message;
  EXPECT_EQ(accepted->status, 200);
}

TEST_F(TransportTest, TlsServerNameIsWhatIsVerified) {
  RestConfig byName = rest_;
  byName.tlsServerName = "kubernetes.default.svc";  // a DNS SAN of the serving certificate
  auto ok = getVersion(byName);
  ASSERT_TRUE(ok.ok()) << ok.error().message;

  RestConfig wrongName = rest_;
  wrongName.tlsServerName = "not-the-server.example";
  auto refused = getVersion(wrongName);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.code(), Errc::Unavailable);

  RestConfig localhost = rest_;
  localhost.server = "https://localhost:" + std::to_string(api_.port());
  auto viaDns = getVersion(localhost);
  ASSERT_TRUE(viaDns.ok()) << viaDns.error().message;
}

TEST_F(TransportTest, BadTlsMaterialIsRefusedUpFront) {
  RestConfig badCa = rest_;
  badCa.caPem = "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n";
  auto t = HttpTransport::create(badCa);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().message, "TLS configuration for " + rest_.server +
                                   ": certificate authority: no PEM certificate could be read");
  RestConfig badKey = rest_;
  badKey.clientCertPem = rest_.caPem;
  badKey.clientKeyPem = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
  auto k = HttpTransport::create(badKey);
  ASSERT_FALSE(k.ok());
  EXPECT_EQ(k.error().message, "TLS configuration for " + rest_.server +
                                   ": client key: no PEM private key could be read");
  RestConfig badScheme = rest_;
  badScheme.server = "ftp://127.0.0.1:1";
  EXPECT_EQ(HttpTransport::create(badScheme).error().message,
            "server \"ftp://127.0.0.1:1\" must use https:// or http://");
}

TEST_F(TransportTest, KeepAliveReusesOneConnection) {
  ASSERT_TRUE(client_->create(kConfigMaps, configMap("default", "k")).ok());
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(client_->get(kConfigMaps, "default", "k").ok());
  }
  EXPECT_EQ(transport_->connectionsOpened(), 1u);
  EXPECT_EQ(transport_->idleConnections(), 1u);
}

TEST_F(TransportTest, ServerRestartDropsIdleConnectionsWithoutFailingRequests) {
  ASSERT_TRUE(client_->create(kConfigMaps, configMap("default", "k")).ok());
  ASSERT_TRUE(api_.restart().ok());
  // The pooled connection is dead; the next request notices before sending and reconnects.
  auto r = client_->get(kConfigMaps, "default", "k");
  ASSERT_TRUE(r.ok()) << r.error().message;
  auto w = client_->create(kConfigMaps, configMap("default", "after-restart"));
  ASSERT_TRUE(w.ok()) << w.error().message;
  EXPECT_EQ(transport_->connectionsOpened(), 2u);
}

TEST_F(TransportTest, UnreachableServerIsUnavailable) {
  RestConfig down = rest_;
  down.insecureSkipTlsVerify = true;
  down.caPem.clear();
  down.server = "https://127.0.0.1:1";
  auto r = getVersion(down);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Errc::Unavailable);
  EXPECT_EQ(r.error().message, "GET https://127.0.0.1:1/version: Connection refused");
}

class LogCapture {
 public:
  LogCapture() {
    log::initWithSink(std::make_shared<spdlog::sinks::ostream_sink_mt>(out_), log::Format::Text,
                      spdlog::level::debug);
  }
  ~LogCapture() { log::init(log::Format::Text, spdlog::level::info); }
  std::string text() {
    spdlog::default_logger()->flush();
    return out_.str();
  }

 private:
  std::ostringstream out_;
};

TEST_F(TransportTest, WarningHeadersAreReturnedAndLoggedAndTheTokenNeverIs) {
  LogCapture logs;
  json job = {{"apiVersion", "batch/v1"},
              {"kind", "Job"},
              {"metadata", {{"name", "orphan-me"}, {"namespace", "default"}}},
              {"spec",
               {{"template",
                 {{"spec",
                   {{"restartPolicy", "Never"},
                    {"containers", json::array({{{"name", "c"}, {"image", "busybox"}}})}}}}}}}};
  ASSERT_TRUE(client_->create(resources::kJobs, job).ok());
  // A raw DELETE without propagationPolicy: the server's Job default (Orphan) and its Warning.
  auto r = transport_->send(HttpRequest{
      "DELETE", "/apis/batch/v1/namespaces/default/jobs/orphan-me", "", "", "application/json"});
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_EQ(r->warnings[0],
            "child pods are preserved by default when jobs are deleted; set "
            "propagationPolicy=Background to remove them or set propagationPolicy=Orphan to "
            "suppress this warning");
  const std::string text = logs.text();
  EXPECT_NE(text.find("Kubernetes API warning from " + rest_.server +
                      ": child pods are preserved by default"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find(rest_.token), std::string::npos);
  // Our client always names the policy (Background), so deleting a Job draws no warning.
  job["metadata"]["name"] = "background";
  ASSERT_TRUE(client_->create(resources::kJobs, job).ok());
  ASSERT_TRUE(client_->remove(resources::kJobs, "default", "background").ok());
  const std::string after = logs.text();
  EXPECT_EQ(after.find("warning", text.size()), std::string::npos) << after.substr(text.size());
}

TEST_F(TransportTest, RotatedTokenFileIsReReadAfterA401) {
  const std::string tokenFile = api_.dataDir() + "/rotating-token";
  std::ofstream(tokenFile) << "first-token-0123456789\n";
  ASSERT_TRUE(api_.setTokens({"first-token-0123456789"}, true).ok());
  RestConfig rc = rest_;
  rc.token.clear();
  rc.tokenFile = tokenFile;
  auto t = HttpTransport::create(rc);
  ASSERT_TRUE(t.ok());
  Client c(*t);
  ASSERT_TRUE(c.get(resources::kNamespaces, "", "default").ok());
  // The kubelet rotates the projected token; the server stops accepting the old one.
  std::ofstream(tokenFile) << "second-token-9876543210\n";
  ASSERT_TRUE(api_.setTokens({"second-token-9876543210"}, true).ok());
  auto r = c.get(resources::kNamespaces, "", "default");
  ASSERT_TRUE(r.ok()) << r.error().message;  // 401, re-read, retried with the new token
  // A token nobody accepts stays a 401 (no retry loop).
  std::ofstream(tokenFile) << "unknown-token-5555555555\n";
  ASSERT_TRUE(api_.setTokens({"third-token-1111111111"}, true).ok());
  auto denied = c.get(resources::kNamespaces, "", "default");
  EXPECT_EQ(denied.code(), Errc::Unauthorized);
}

}  // namespace
}  // namespace mysqlop::kube::testing
