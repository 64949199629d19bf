#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string_view>

#include "mysqlop/plugin.hpp"

namespace mysqlop::kube {

// The reference the host's record_event needs (apiVersion, kind, namespace, name, uid), so that
// an Event never carries a copy of the whole object.
nlohmann::json objectReference(const nlohmann::json& obj);

// Records a Normal or Warning Event on obj. Failing to record an Event never fails a reconcile:
// the host's answer is returned for logging only.
mysqlop::Reply recordEvent(mysqlop::Call& call, const nlohmann::json& obj,
                           mysqlop_type_event_kind kind, std::string_view reason,
                           std::string_view message);

}  // namespace mysqlop::kube
