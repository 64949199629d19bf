#pragma once

#include <nlohmann/json_fwd.hpp>

#include "core/kube/selector.h"
#include "localcluster/apiserver/field_selector.h"
#include "localcluster/apiserver/http_types.h"
#include "localcluster/apiserver/resources.h"

namespace mysqlop::local {

// The labelSelector and fieldSelector of a list, watch or deletecollection request.
struct RequestSelectors {
  kube::LabelSelector labels;
  FieldSelector fields;

  bool empty() const { return labels.empty() && fields.empty(); }
  // Evaluated per object of a list or watch: reads the labels in place, copies nothing.
  bool matches(const nlohmann::json& object) const;
};

// Parses both selectors and checks the field selector against the fields rt supports
// (metadata.name, metadata.namespace and its extra ones). Raises 400 with the real server's
// message on a bad selector.
RequestSelectors parseRequestSelectors(const ApiRequest& req, const ResourceType& rt);

}  // namespace mysqlop::local
