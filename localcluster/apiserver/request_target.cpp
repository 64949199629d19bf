#include "localcluster/apiserver/request_target.h"

#include <Poco/Exception.h>
#include <Poco/URI.h>

namespace mysqlop::local {

Result<void> parseRequestTarget(const std::string& target, ApiRequest& request) {
  try {
    Poco::URI uri(target);
    request.path = uri.getPath();
    request.query.clear();
    for (const auto& [k, v] : uri.getQueryParameters()) {
      request.query.emplace(k, v);  // the first value of a repeated parameter wins
    }
  } catch (const Poco::Exception& e) {
    return fail(Errc::Invalid, "invalid request target \"" + target + "\": " + e.displayText());
  }
  return {};
}

}  // namespace mysqlop::local
