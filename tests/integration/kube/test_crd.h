#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/kube/resource.h"

namespace mysqlop::kube::testing {

// A namespaced test CRD: widgets.test.mysqlop.io (status + scale subresources) or, with
// withStatus=false, gadgets.test.mysqlop.io (no subresources, like MysqlBackup).
inline nlohmann::json testCrd(bool withStatus) {
  const std::string plural = withStatus ? "widgets" : "gadgets";
  const std::string kind = withStatus ? "Widget" : "Gadget";
  nlohmann::json version = {
      {"name", "v1"},
      {"served", true},
      {"storage", true},
      {"schema",
       {{"openAPIV3Schema",
         {{"type", "object"},
          {"x-kubernetes-preserve-unknown-fields", true},
          {"properties",
           {{"spec", {{"type", "object"}, {"x-kubernetes-preserve-unknown-fields", true}}},
            {"status", {{"type", "object"}, {"x-kubernetes-preserve-unknown-fields", true}}}}}}}}}};
  if (withStatus) {
    version["subresources"] = {
        {"status", nlohmann::json::object()},
        {"scale",
         {{"specReplicasPath", ".spec.replicas"}, {"statusReplicasPath", ".status.replicas"}}}};
  }
  return {{"apiVersion", "apiextensions.k8s.io/v1"},
          {"kind", "CustomResourceDefinition"},
          {"metadata", {{"name", plural + ".test.mysqlop.io"}}},
          {"spec",
           {{"group", "test.mysqlop.io"},
            {"scope", "Namespaced"},
            {"names",
             {{"plural", plural},
              {"singular", withStatus ? "widget" : "gadget"},
              {"kind", kind},
              {"listKind", kind + "List"}}},
            {"versions", nlohmann::json::array({version})}}}};
}

inline const Resource kCrds{"apiextensions.k8s.io", "v1", "CustomResourceDefinition",
                            "customresourcedefinitions", false};
inline const Resource kWidgets{"test.mysqlop.io", "v1", "Widget", "widgets", true};
inline const Resource kGadgets{"test.mysqlop.io", "v1", "Gadget", "gadgets", true};

}  // namespace mysqlop::kube::testing
