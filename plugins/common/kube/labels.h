#pragma once

#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>

namespace mysqlop::kube {

using Labels = std::map<std::string, std::string>;

// "a=b,c=d" (keys sorted), the equality-based label selector the list callback takes.
std::string selectorString(const Labels& labels);

// True when every label of `want` is set to the same value in obj.metadata.labels.
bool hasLabels(const nlohmann::json& obj, const Labels& want);

// Labels as a JSON object.
nlohmann::json labelsJson(const Labels& labels);

}  // namespace mysqlop::kube
