// The test-only admin paths under /_local/ (see localcluster/README.md).
#include "localcluster/apiserver/api_server.h"

namespace mysqlop::local {

using nlohmann::json;

void ApiServer::serveAdmin(const ApiRequest& req, ApiResponse& resp) {
  const std::string& p = req.path;
  json body = req.body.empty() ? json::object() : parseBody(req.body);
  if (!body.is_object()) {
    raise(errBadRequest("the body must be a JSON object"));
  }
  auto count = [&](const char* key, int def) {
    return body.contains(key) && body[key].is_number_integer() ? body[key].get<int>() : def;
  };
  if (p == "/_local/status" && req.method == "GET") {
    answerJson(resp, 200,
               {{"resourceVersion", std::to_string(store_.currentRv())},
                {"historyFloor", std::to_string(store_.floor())},
                {"historySize", store_.historySize()},
                {"openWatches", openWatches_.load()},
                {"faults", faults_.describe()}});
    return;
  }
  if (req.method != "POST") {
    raise(errMethodNotAllowed());
  }
  if (p == "/_local/watches/close") {
    ++closeWatchesGen_;
    store_.wakeAll();
  } else if (p == "/_local/watches/bookmark") {
    ++bookmarkGen_;
    store_.wakeAll();
  } else if (p == "/_local/faults/expire-watches") {
    faults_.expireWatches(count("count", 1));
  } else if (p == "/_local/faults/fail-writes") {
    int code = count("code", 500);
    if (code != 409 && code != 500) {
      raise(errBadRequest("code must be 409 or 500"));
    }
    faults_.failWrites(count("count", 1), code, body.value("group", ""),
                       body.value("resource", ""));
  } else if (p == "/_local/faults/delay") {
    faults_.setDelayMs(count("ms", 0));
  } else if (p == "/_local/faults/clear") {
    faults_.clear();
  } else if (p == "/_local/history/compact") {
    std::uint64_t rv = 0;
    if (body.contains("resourceVersion")) {
      const json& v = body["resourceVersion"];
      rv = v.is_string() ? std::stoull(v.get<std::string>()) : v.get<std::uint64_t>();
    }
    store_.compact(rv);
  } else {
    raise(errPathNotFound());
  }
  answerJson(resp, 200,
             {{"resourceVersion", std::to_string(store_.currentRv())},
              {"historyFloor", std::to_string(store_.floor())},
              {"openWatches", openWatches_.load()},
              {"faults", faults_.describe()}});
}

}  // namespace mysqlop::local
