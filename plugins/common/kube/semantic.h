#pragma once

#include <nlohmann/json_fwd.hpp>

namespace mysqlop::kube {

// True when every field set in `desired` has the same value in `actual`: objects compare key by
// key (extra keys in actual are fields other writers or API-server defaulting added), arrays
// element by element with equal lengths, and two strings that are the same Kubernetes quantity
// ("1Gi" and "1024Mi") are equal. This is how a controller decides that what it owns is already
// in place without fighting defaulting.
bool isSemanticSubset(const nlohmann::json& desired, const nlohmann::json& actual);

// Copies every field of `desired` into `target`, recursing into objects (arrays replace). The
// fields of target that desired does not mention stay as they are.
void overlay(nlohmann::json& target, const nlohmann::json& desired);

}  // namespace mysqlop::kube
