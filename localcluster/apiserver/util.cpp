#include <chrono>
#include <ctime>
#include <random>

#include "localcluster/apiserver/api_server.h"
#include "localcluster/apiserver/protobuf_body.h"

namespace mysqlop::local {

using nlohmann::json;

std::string nowRfc3339() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string nowRfc3339Micro() {
  auto now = std::chrono::system_clock::now();
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  std::time_t t = static_cast<std::time_t>(us / 1000000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[48];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[64];
  std::snprintf(out, sizeof out, "%s.%06lldZ", buf, static_cast<long long>(us % 1000000));
  return out;
}

std::string mediaType(const std::string& contentType) {
  std::string t = contentType.substr(0, contentType.find(';'));
  t.erase(t.find_last_not_of(" \t") + 1);
  return t;
}

std::string newUid() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uint64_t a = rng();
  std::uint64_t b = rng();
  a = (a & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;  // version 4
  b = (b & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // variant 10
  char buf[40];
  std::snprintf(
      buf, sizeof buf, "%08llx-%04llx-%04llx-%04llx-%012llx",
      static_cast<unsigned long long>(a >> 32), static_cast<unsigned long long>((a >> 16) & 0xFFFF),
      static_cast<unsigned long long>(a & 0xFFFF), static_cast<unsigned long long>(b >> 48),
      static_cast<unsigned long long>(b & 0xFFFFFFFFFFFFULL));
  return buf;
}

std::string metaString(const json& obj, const char* field) {
  if (!obj.is_object()) {
    return "";
  }
  auto m = obj.find("metadata");
  if (m == obj.end() || !m->is_object()) {
    return "";
  }
  auto f = m->find(field);
  if (f == m->end() || !f->is_string()) {
    return "";
  }
  return f->get<std::string>();
}

json parseBody(const std::string& body) {
  if (isProtobufBody(body)) {
    return decodeProtobufBody(body);  // client-go's typed clients (helm's release storage)
  }
  try {
    return json::parse(body);
  } catch (const json::parse_error& e) {
    raise(errBadRequest(std::string("the body of the request could not be decoded as JSON: ") +
                        e.what()));
  }
}

void answerJson(ApiResponse& resp, int code, const json& body) {
  resp.code = code;
  resp.contentType = "application/json";
  resp.body = body.dump();
}

json asServed(const json& obj, const ResourceType& rt) {
  if (!rt.custom) {
    return obj;
  }
  json out = obj;
  out["apiVersion"] = rt.apiVersion();
  return out;
}

void answerObject(ApiResponse& resp, int code, const ObjPtr& obj, const ResourceType& rt) {
  resp.code = code;
  resp.contentType = "application/json";
  if (rt.custom && obj->json.value("apiVersion", "") != rt.apiVersion()) {
    resp.body = asServed(obj->json, rt).dump();
  } else {
    resp.body = obj->data;
  }
}

void answerError(ApiResponse& resp, const ApiError& error) {
  answerJson(resp, error.code, error.status());
  if (error.retryAfterSeconds > 0) {
    resp.headers.emplace_back("Retry-After", std::to_string(error.retryAfterSeconds));
  }
}

}  // namespace mysqlop::local
