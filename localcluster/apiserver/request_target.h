#pragma once

#include <cstddef>
#include <string>

#include "core/common/result.h"
#include "localcluster/apiserver/http_types.h"

namespace mysqlop::local {

// kube-apiserver's request size limit, applied by every way into the server.
constexpr std::size_t kMaxRequestBody = std::size_t{3} * 1024 * 1024;

// Fills request.path (percent-decoded, without the query) and request.query (the first value of
// each parameter, decoded) from an HTTP request target such as
// "/api/v1/namespaces/a/pods?labelSelector=app%3Dx". The HTTP front and the in-process transport
// both use it, so that a request means the same whichever way it came. Fails (Errc::Invalid) on
// a target that is not a valid URI reference.
Result<void> parseRequestTarget(const std::string& target, ApiRequest& request);

}  // namespace mysqlop::local
