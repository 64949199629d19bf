#pragma once

#include <Poco/Net/Context.h>

#include "core/common/result.h"
#include "core/kube/rest_config.h"

namespace mysqlop::kube {

// A TLS client context for one API server: verified against config.caPem (or the system roots
// when it is empty) unless insecureSkipTlsVerify, with the client certificate and key if given.
// TLS 1.2 is the minimum, as in client-go. Errors name the PEM that could not be used.
Result<Poco::Net::Context::Ptr> makeClientContext(const RestConfig& config);

}  // namespace mysqlop::kube
