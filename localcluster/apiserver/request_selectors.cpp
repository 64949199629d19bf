#include "localcluster/apiserver/request_selectors.h"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "localcluster/apiserver/api_error.h"

namespace mysqlop::local {

namespace {

// Reads metadata.labels in place; a label that is not a string counts as absent.
bool labelsMatch(const kube::LabelSelector& selector, const nlohmann::json& object) {
  if (selector.empty()) {
    return true;
  }
  const nlohmann::json* labels = nullptr;
  if (auto meta = object.find("metadata"); meta != object.end() && meta->is_object()) {
    if (auto l = meta->find("labels"); l != meta->end() && l->is_object()) {
      labels = &*l;
    }
  }
  return selector.matchesWith([&](const std::string& key) -> const std::string* {
    if (labels == nullptr) {
      return nullptr;
    }
    auto it = labels->find(key);
    return it == labels->end() ? nullptr : it->get_ptr<const std::string*>();
  });
}

}  // namespace

bool RequestSelectors::matches(const nlohmann::json& object) const {
  return labelsMatch(labels, object) && fields.matches(object);
}

RequestSelectors parseRequestSelectors(const ApiRequest& req, const ResourceType& rt) {
  auto labels = kube::LabelSelector::parse(req.param("labelSelector"));
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
