// Endpoints and EndpointSlices against a real API server; the test plays the kubelet.
#include <gtest/gtest.h>

#include <chrono>

#include "localcluster/controllers/endpoints.h"
#include "tests/integration/controllers/fixture.h"

namespace mysqlop::local::controllers::it {
namespace {

json service(const std::string& name, const json& selector, const json& ports,
             bool headless = false) {
  json s = {{"apiVersion", "v1"},
            {"kind", "Service"},
            {"metadata", {{"name", name}, {"namespace", kNs}, {"labels", {{"team", "db"}}}}},
            {"spec", {{"selector", selector}, {"ports", ports}}}};
  if (headless) {
    s["spec"]["clusterIP"] = "None";
  }
  return s;
}

json pod(const std::string& name, const json& labels, bool namedPort = true) {
  json container = {{"name", "c"}, {"image", "busybox:1"}};
  if (namedPort) {
    container["ports"] = json::array({{{"name", "http"}, {"containerPort", 8080}}});
  }
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", name}, {"namespace", kNs}, {"labels", labels}}},
          {"spec", {{"containers", json::array({container})}}}};
}

class EndpointsTest : public ControllersTest {
 protected:
  json subsets(const std::string& svc) {
    auto e = get(r::kEndpoints, svc);
    return e ? e->value("subsets", json::array()) : json(nullptr);
  }
  std::vector<json> slices(const std::string& svc) {
    return list(r::kEndpointSlices, std::string(kServiceNameLabel) + "=" + svc);
  }
  // ip -> {ready, serving, terminating} of every endpoint in the Service's slices.
  std::map<std::string, json> sliceConditions(const std::string& svc) {
    std::map<std::string, json> out;
    for (const auto& s : slices(svc)) {
      for (const auto& e : s.value("endpoints", json::array())) {
        out[e["addresses"][0]] = e["conditions"];
      }
    }
    return out;
  }
  // The IPs in Endpoints addresses / notReadyAddresses.
  std::vector<std::string> ips(const std::string& svc, const char* field) {
    std::vector<std::string> out;
    json s = subsets(svc);
    if (!s.is_array()) {
      return out;
    }
    for (const auto& subset : s) {
      for (const auto& a : subset.value(field, json::array())) {
        out.push_back(a["ip"]);
      }
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  std::string uid(const json& o) { return o["metadata"]["uid"]; }
};

TEST_F(EndpointsTest, ReadyAndNotReadyPodsWithNamedPortsResolved) {
  json a = create(r::kPods, pod("a", {{"app", "web"}}));
  json b = create(r::kPods, pod("b", {{"app", "web"}}));
  create(r::kPods, pod("c", {{"app", "web"}}));  // no podIP: not an endpoint
  create(r::kPods, pod("other", {{"app", "db"}}));
  setPodStatus("a", "Running", true, "198.18.0.11");
  setPodStatus("b", "Running", false, "198.18.0.12");
  setPodStatus("other", "Running", true, "198.18.0.13");
  json svc =
      create(r::kServices,
             service("web", {{"app", "web"}},
                     json::array({{{"name", "http"}, {"port", 80}, {"targetPort", "http"}},
                                  {{"name", "metrics"}, {"port", 9}, {"targetPort", 9100}}})));
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(ips("web", "addresses").size() == 1 &&
                                 ips("web", "notReadyAddresses").size() == 1));
  json ep = *get(r::kEndpoints, "web");
  EXPECT_EQ(ep["metadata"]["labels"], (json{{"team", "db"}}));
  EXPECT_EQ(
      ep["subsets"],
      (json::array(
          {{{"addresses",
             json::array(
                 {{{"ip", "198.18.0.11"},
                   {"targetRef",
                    {{"kind", "Pod"}, {"namespace", kNs}, {"name", "a"}, {"uid", uid(a)}}}}})},
            {"notReadyAddresses",
             json::array(
                 {{{"ip", "198.18.0.12"},
                   {"targetRef",
                    {{"kind", "Pod"}, {"namespace", kNs}, {"name", "b"}, {"uid", uid(b)}}}}})},
            {"ports",
             json::array({{{"name", "http"}, {"port", 8080}, {"protocol", "TCP"}},
                          {{"name", "metrics"}, {"port", 9100}, {"protocol", "TCP"}}})}}})));

  ASSERT_TRUE(MYSQLOP_EVENTUALLY(sliceConditions("web").size() == 2));
  auto all = slices("web");
  ASSERT_EQ(all.size(), 1u);
  json slice = all[0];
  EXPECT_EQ(slice["metadata"]["name"].get<std::string>().rfind("web-", 0), 0u);
  EXPECT_EQ(slice["metadata"]["labels"],
            (json{{"team", "db"},
                  {"kubernetes.io/service-name", "web"},
                  {"endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io"}}));
  EXPECT_EQ(slice["addressType"], "IPv4");
  EXPECT_EQ(slice["metadata"]["ownerReferences"], (json::array({{{"apiVersion", "v1"},
                                                                 {"kind", "Service"},
                                                                 {"name", "web"},
                                                                 {"uid", uid(svc)},
                                                                 {"controller", true},
                                                                 {"blockOwnerDeletion", true}}})));
  EXPECT_EQ(slice["ports"],
            (json::array({{{"name", "http"}, {"port", 8080}, {"protocol", "TCP"}},
                          {{"name", "metrics"}, {"port", 9100}, {"protocol", "TCP"}}})));
  EXPECT_EQ(sliceConditions("web"),
            (std::map<std::string, json>{
                {"198.18.0.11", {{"ready", true}, {"serving", true}, {"terminating", false}}},
                {"198.18.0.12", {{"ready", false}, {"serving", false}, {"terminating", false}}}}));

  // Readiness follows the pod.
  markReady("b");
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(ips("web", "addresses") ==
                                 (std::vector<std::string>{"198.18.0.11", "198.18.0.12"})));
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(sliceConditions("web")["198.18.0.12"]["ready"] == true));
}

TEST_F(EndpointsTest, LabelChangeShowsUpWithinASecond) {
  create(r::kPods, pod("p1", {{"app", "api"}}));
  create(r::kPods, pod("p2", {{"app", "api"}}));
  setPodStatus("p1", "Running", true, "198.18.0.21");
  setPodStatus("p2", "Running", true, "198.18.0.22");
  create(r::kServices,
         service("api", {{"app", "api"}}, json::array({{{"port", 80}, {"targetPort", 8080}}})));
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(ips("api", "addresses").size() == 2 &&
                                 sliceConditions("api").size() == 2));

  auto start = std::chrono::steady_clock::now();
  modify(r::kPods, "p2", [](json& p) { p["metadata"]["labels"]["app"] = "elsewhere"; });
  ASSERT_TRUE(MYSQLOP_EVENTUALLY_WITHIN(
      within(std::chrono::milliseconds(1000)),
      ips("api", "addresses") == std::vector<std::string>{"198.18.0.21"} &&
          sliceConditions("api").size() == 1));
  auto out = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  std::cout << "label change to Endpoints and slices: " << out.count() << " ms\n";

  start = std::chrono::steady_clock::now();
  modify(r::kPods, "p2", [](json& p) { p["metadata"]["labels"]["app"] = "api"; });
  ASSERT_TRUE(MYSQLOP_EVENTUALLY_WITHIN(
      within(std::chrono::milliseconds(1000)),
      ips("api", "addresses").size() == 2 && sliceConditions("api").size() == 2));
  std::cout << "label change back: "
            << std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - start)
                   .count()
            << " ms\n";
}

TEST_F(EndpointsTest, HeadlessServicePublishingNotReadyAddressesWithHostnames) {
  json p = pod("db-0", {{"app", "db"}}, false);
  p["spec"]["hostname"] = "db-0";
  p["spec"]["subdomain"] = "db";
  create(r::kPods, p);
  setPodStatus("db-0", "Running", false, "198.18.0.31");
  json s = service("db", {{"app", "db"}}, json::array({{{"name", "mysql"}, {"port", 3306}}}), true);
  s["spec"]["publishNotReadyAddresses"] = true;
  create(r::kServices, s);
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(ips("db", "addresses").size() == 1));
  json address = subsets("db")[0]["addresses"][0];
  EXPECT_EQ(address["hostname"], "db-0");
  EXPECT_EQ((*get(r::kEndpoints, "db"))["metadata"]["labels"],
            (json{{"team", "db"}, {"service.kubernetes.io/headless", ""}}));
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(sliceConditions("db").size() == 1));
  EXPECT_EQ(sliceConditions("db")["198.18.0.31"],
            (json{{"ready", true}, {"serving", false}, {"terminating", false}}));
  EXPECT_EQ(slices("db")[0]["endpoints"][0]["hostname"], "db-0");
}

TEST_F(EndpointsTest, TerminatingPodLeavesEndpointsAndIsMarkedInSlices) {
  json p = pod("t", {{"app", "t"}});
  p["metadata"]["finalizers"] = {"test.local/hold"};
  create(r::kPods, p);
  setPodStatus("t", "Running", true, "198.18.0.41");
  create(r::kServices,
         service("t", {{"app", "t"}}, json::array({{{"port", 80}, {"targetPort", "http"}}})));
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(ips("t", "addresses").size() == 1));
  remove(r::kPods, "t");
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(subsets("t") == json::array()));
  ASSERT_TRUE(
      MYSQLOP_EVENTUALLY(sliceConditions("t")["198.18.0.41"] ==
                         (json{{"ready", false}, {"serving", true}, {"terminating", true}})));
  modify(r::kPods, "t", [](json& o) { o["metadata"].erase("finalizers"); });
  // No endpoint left: one placeholder slice without endpoints, as Kubernetes keeps.
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(sliceConditions("t").empty()));
  ASSERT_EQ(slices("t").size(), 1u);
  EXPECT_EQ(slices("t")[0]["endpoints"], json::array());
}

TEST_F(EndpointsTest, PodWithoutTheNamedPortIsLeftOut) {
  create(r::kPods, pod("named", {{"app", "n"}}));
  create(r::kPods, pod("plain", {{"app", "n"}}, false));
  setPodStatus("named", "Running", true, "198.18.0.51");
  setPodStatus("plain", "Running", true, "198.18.0.52");
  create(r::kServices,
         service("n", {{"app", "n"}}, json::array({{{"port", 80}, {"targetPort", "http"}}})));
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(ips("n", "addresses").size() == 1));
  EXPECT_EQ(ips("n", "addresses"), std::vector<std::string>{"198.18.0.51"});
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(sliceConditions("n").size() == 1));
}

TEST_F(EndpointsTest, MoreThanAHundredEndpointsSpreadOverSlices) {
  create(r::kServices,
         service("many", {{"app", "many"}}, json::array({{{"port", 80}, {"targetPort", 8080}}})));
  for (int i = 0; i < 120; ++i) {
    const std::string name = "m" + std::to_string(i);
    create(r::kPods, pod(name, {{"app", "many"}}));
    setPodStatus(name, "Running", true, "198.18.1." + std::to_string(i + 2));
  }
  auto sizes = [&] {
    std::vector<std::size_t> out;
    for (const auto& s : slices("many")) {
      out.push_back(s["endpoints"].size());
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(sizes() == (std::vector<std::size_t>{20, 100})));
  EXPECT_EQ(sliceConditions("many").size(), 120u);
  for (int i = 0; i < 30; ++i) {
    remove(r::kPods, "m" + std::to_string(i));
  }
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(sizes() == std::vector<std::size_t>{90}));
  EXPECT_EQ(ips("many", "addresses").size(), 90u);
}

TEST_F(EndpointsTest, ServiceWithoutSelectorIsLeftAloneAndDeletionCleansUp) {
  create(r::kServices, {{"apiVersion", "v1"},
                        {"kind", "Service"},
                        {"metadata", {{"name", "manual"}, {"namespace", kNs}}},
                        {"spec", {{"ports", json::array({{{"port", 80}}})}}}});
  create(r::kEndpoints,
         {{"apiVersion", "v1"},
          {"kind", "Endpoints"},
          {"metadata", {{"name", "manual"}, {"namespace", kNs}}},
          {"subsets", json::array({{{"addresses", json::array({{{"ip", "198.18.0.99"}}})},
                                    {"ports", json::array({{{"port", 80}}})}}})}});
  create(r::kPods, pod("x", {{"app", "x"}}));
  setPodStatus("x", "Running", true, "198.18.0.61");
  create(r::kServices,
         service("x", {{"app", "x"}}, json::array({{{"port", 80}, {"targetPort", 8080}}})));
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(ips("x", "addresses").size() == 1 && slices("x").size() == 1));
  // The selector-less Service's hand-written Endpoints stay as they are, and it gets no slice.
  EXPECT_EQ(ips("manual", "addresses"), std::vector<std::string>{"198.18.0.99"});
  EXPECT_TRUE(slices("manual").empty());

  remove(r::kServices, "x");
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(!get(r::kEndpoints, "x").has_value() && slices("x").empty()));
}

}  // namespace
}  // namespace mysqlop::local::controllers::it
