#include "localcluster/apiserver/request_selectors.h"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "localcluster/apiserver/api_error.h"

namespace mysqlop::local {

bool RequestSelectors::matches(const nlohmann::json& object) const {
  const auto& meta = object["metadata"];
  return labels.matches(meta.value("labels", nlohmann::json())) && fields.matches(object);
}

RequestSelectors parseRequestSelectors(const ApiRequest& req, const ResourceType& rt) {
  auto labels = LabelSelector::parse(req.param("labelSelector"));
  if (!labels.ok()) {
    raise(errBadRequest(labels.error().message));
  }
  auto fields = FieldSelector::parse(req.param("fieldSelector"));
  if (!fields.ok()) {
    raise(errBadRequest(fields.error().message));
  }
  std::vector<std::string> supported = {"metadata.name", "metadata.namespace"};
  supported.insert(supported.end(), rt.extraFieldSelectors.begin(), rt.extraFieldSelectors.end());
  if (auto c = fields->check(supported); !c.ok()) {
    raise(errBadRequest(c.error().message));
  }
  return {std::move(labels.value()), std::move(fields.value())};
}

}  // namespace mysqlop::local
