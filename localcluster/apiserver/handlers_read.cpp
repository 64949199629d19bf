#include <Poco/Base64Decoder.h>
#include <Poco/Base64Encoder.h>

#include <sstream>

#include "localcluster/apiserver/api_server.h"
#include "localcluster/apiserver/query_params.h"
#include "localcluster/apiserver/request_selectors.h"
#include "localcluster/apiserver/table.h"

namespace mysqlop::local {

using nlohmann::json;

namespace {

constexpr const char* kContinueExpired =
    "The provided continue parameter is too old to display a consistent list result. You can "
    "start a new list without the continue parameter, or use the continue token in this response "
    "to retrieve the remainder of the results. Continuing with the provided token results in an "
    "inconsistent list - objects that were created, modified, or deleted between the time the "
    "first chunk was returned and now may show up in the list.";

std::string encodeToken(std::uint64_t rv, const std::string& start) {
  std::ostringstream out;
  Poco::Base64Encoder enc(out, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
  enc.rdbuf()->setLineLength(0);
  enc << json{{"v", "meta.k8s.io/v1"}, {"rv", rv}, {"start", start}}.dump();
  enc.close();
  return out.str();
}

bool decodeToken(const std::string& token, std::uint64_t* rv, std::string* start) {
  try {
    std::istringstream in(token);
    Poco::Base64Decoder dec(in, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
    std::string text((std::istreambuf_iterator<char>(dec)), std::istreambuf_iterator<char>());
    json j = json::parse(text);
    *rv = j.at("rv").get<std::uint64_t>();
    *start = j.at("start").get<std::string>();
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

bool parseRv(const std::string& s, std::uint64_t* out) {
  if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos || s.size() > 19) {
    return false;
  }
  *out = std::stoull(s);
  return true;
}

}  // namespace

void ApiServer::getObject(const Target& t, const ApiRequest& req, ApiResponse& resp) {
  auto obj = store_.get(t.rt->storageKey(), t.ns, t.name);
  if (!obj) {
    raise(errNotFound(t.rt->gr(), t.name));
  }
  if (t.sub.empty() && wantsTable(req.accept)) {
    answerJson(resp, 200, makeTable(*t.rt, {&obj->json}, json(), true));
    return;
  }
  answerObject(resp, 200, obj, *t.rt);
}

void ApiServer::listObjects(const Target& t, const ApiRequest& req, ApiResponse& resp) {
  const ResourceType& rt = *t.rt;
  const RequestSelectors selectors = parseRequestSelectors(req, rt);
  std::string rvText = req.param("resourceVersion");
  std::string match = req.param("resourceVersionMatch");
  std::string cont = req.param("continue");
  long long limit = queryInt64(req, "limit").value_or(0);
  if (!match.empty() && match != "NotOlderThan" && match != "Exact") {
    raise(errBadRequest("resourceVersionMatch: Unsupported value: \"" + match +
                        "\": supported values: \"Exact\", \"NotOlderThan\", \"\""));
  }
  if (!match.empty() && rvText.empty()) {
    raise(errBadRequest("resourceVersionMatch is forbidden unless resourceVersion is provided"));
  }
  if (!cont.empty() && !rvText.empty() && rvText != "0") {
    raise(errBadRequest("specifying resource version is not allowed when using continue"));
  }
  std::uint64_t current = store_.currentRv();
  Store::Snapshot snap;
  std::string start;
  if (!cont.empty()) {
    std::uint64_t tokenRv = 0;
    if (!decodeToken(cont, &tokenRv, &start)) {
      raise(
          errBadRequest("continue key is not valid: incorrect encoded start resourceVersion "
                        "(version meta.k8s.io/v1)"));
    }
    auto s = store_.listAt(rt.storageKey(), t.ns, tokenRv);
    if (!s.ok()) {
      raise(errExpired(kContinueExpired));
    }
    snap = std::move(s.value());
  } else if (rvText.empty() || rvText == "0") {
    snap = store_.list(rt.storageKey(), t.ns);
    if (rvText == "0") {
      limit = 0;  // like the watch cache: everything, no continue
    }
  } else {
    std::uint64_t want = 0;
    if (!parseRv(rvText, &want)) {
      raise(errBadRequest("invalid resource version: " + rvText));
    }
    if (want > current) {
      raise(errTooLargeResourceVersion(want, current));
    }
    if (match == "Exact" || (limit > 0 && match != "NotOlderThan")) {
      auto s = store_.listAt(rt.storageKey(), t.ns, want);
      if (!s.ok()) {
        raise(errExpired("The resourceVersion for the provided list is too old."));
      }
      snap = std::move(s.value());
      snap.rv = want;
    } else {
      snap = store_.list(rt.storageKey(), t.ns);
    }
  }
  const bool filtered = !selectors.empty();
  const bool table = wantsTable(req.accept);
  std::vector<const json*> rows;
  std::string items;
  long long count = 0;
  long long remaining = 0;
  std::string lastKey;
  bool more = false;
  for (const auto& o : snap.items) {
    const json& meta = o->json["metadata"];
    std::string key = objectKey(meta.value("namespace", ""), meta.value("name", ""));
    if (!start.empty() && key <= start) {
      continue;
    }
    if (filtered && !selectors.matches(o->json)) {
      continue;
    }
    if (limit > 0 && count >= limit) {
      more = true;
      ++remaining;
      continue;
    }
    lastKey = key;
    ++count;
    if (table) {
      rows.push_back(&o->json);
      continue;
    }
    if (!items.empty()) {
      items += ",";
    }
    if (rt.custom && o->json.value("apiVersion", "") != rt.apiVersion()) {
      items += asServed(o->json, rt).dump();
    } else {
      items += o->data;
    }
  }
  json meta = {{"resourceVersion", std::to_string(snap.rv)}};
  if (more) {
    meta["continue"] = encodeToken(snap.rv, lastKey);
    if (!filtered) {
      meta["remainingItemCount"] = remaining;
    }
  }
  if (table) {
    answerJson(resp, 200, makeTable(rt, rows, meta, true));
    return;
  }
  resp.code = 200;
  resp.contentType = "application/json";
  resp.body = "{\"apiVersion\":" + json(rt.apiVersion()).dump() + ",\"items\":[" + items +
              "],\"kind\":" + json(rt.listKind).dump() + ",\"metadata\":" + meta.dump() + "}";
}

}  // namespace mysqlop::local
