// OpenAPI v2 from the v3 schemas, and gnostic's protobuf encoding of it (openapi_v2.h).
#include "localcluster/apiserver/openapi_v2.h"

#include <cstdint>
#include <cstring>
#include <string_view>

namespace mysqlop::local {

using nlohmann::json;

namespace {

constexpr std::string_view kV3Prefix = "#/components/schemas/";
constexpr std::string_view kV2Prefix = "#/definitions/";

std::string v2Ref(const std::string& ref) {
  if (ref.rfind(kV3Prefix, 0) == 0) {
    return std::string(kV2Prefix) + ref.substr(kV3Prefix.size());
  }
  return ref;
}

bool flag(const json& s, const char* key) {
  auto it = s.find(key);
  return it != s.end() && it->is_boolean() && it->get<bool>();
}

// The v3 keywords v2 has with the same name and meaning (values copied as they are).
constexpr const char* kSameKeywords[] = {"description",      "title",
                                         "format",           "type",
                                         "required",         "enum",
                                         "default",          "maximum",
                                         "minimum",          "exclusiveMaximum",
                                         "exclusiveMinimum", "maxLength",
                                         "minLength",        "pattern",
                                         "maxItems",         "minItems",
                                         "uniqueItems",      "maxProperties",
                                         "minProperties",    "multipleOf"};

}  // namespace

json openApiV2Schema(const json& v3) {
  if (!v3.is_object()) {
    return json::object();
  }
  // A reference (alone, or the single member of an allOf as kube-openapi writes v3 references
  // with a default or a description beside them): v2 clients reject a type or properties beside
  // a $ref, so only the description stays.
  std::string ref = v3.value("$ref", "");
  if (ref.empty() && v3.contains("allOf") && v3["allOf"].is_array() && v3["allOf"].size() == 1 &&
      v3["allOf"][0].is_object() && v3["allOf"][0].size() == 1 && v3["allOf"][0].contains("$ref")) {
    ref = v3["allOf"][0]["$ref"].get<std::string>();
  }
  if (!ref.empty()) {
    json out = {{"$ref", v2Ref(ref)}};
    if (v3.contains("description")) {
      out["description"] = v3["description"];
    }
    return out;
  }
  json out = json::object();
  for (const char* key : kSameKeywords) {
    if (v3.contains(key)) {
      out[key] = v3[key];
    }
  }
  for (const auto& [key, value] : v3.items()) {
    if (key.rfind("x-", 0) == 0) {
      out[key] = value;
    }
  }
  // What v2 cannot say takes away what would make a v2 client stricter than the server: the
  // values it accepts there are any values.
  const bool nullable = flag(v3, "nullable");
  const bool open = flag(v3, "x-kubernetes-preserve-unknown-fields") ||
                    flag(v3, "x-kubernetes-embedded-resource") || nullable;
  if (nullable || flag(v3, "x-kubernetes-int-or-string")) {
    out.erase("type");
  }
  if (!open) {
    if (v3.contains("properties") && v3["properties"].is_object()) {
      json props = json::object();
      for (const auto& [name, sub] : v3["properties"].items()) {
        props[name] = openApiV2Schema(sub);
      }
      out["properties"] = props;
    }
    if (v3.contains("items")) {
      const json& items = v3["items"];
      if (items.is_object()) {
        out["items"] = openApiV2Schema(items);
      } else if (items.is_array() && items.size() == 1) {
        out["items"] = openApiV2Schema(items[0]);
      }
    }
  }
  if (v3.contains("additionalProperties")) {
    const json& ap = v3["additionalProperties"];
    if (ap.is_boolean()) {
      out["additionalProperties"] = ap;
    } else if (ap.is_object()) {
      out["additionalProperties"] = openApiV2Schema(ap);
    }
  }
  // An array without one item schema is refused by v2 clients ("array without items"): untyped.
  if (out.value("type", "") == "array" && !out.contains("items")) {
    out.erase("type");
  }
  if (out.contains("type") && !out["type"].is_string()) {
    out.erase("type");
  }
  return out;
}

json openApiV2Document(const json& definitions, const json& paths) {
  return {{"swagger", "2.0"},
          {"info", {{"title", "Kubernetes"}, {"version", "v1.30.0"}}},
          {"paths", paths},
          {"definitions", definitions}};
}

json openApiV2PatchPath(const std::string& group, const std::string& version,
                        const std::string& kind, bool strategicMerge) {
  json consumes = {"application/json-patch+json", "application/merge-patch+json",
                   "application/apply-patch+yaml"};
  if (strategicMerge) {
    consumes.push_back("application/strategic-merge-patch+json");
  }
  return {{"patch",
           {{"x-kubernetes-group-version-kind",
             {{"group", group}, {"version", version}, {"kind", kind}}},
            {"consumes", consumes},
            {"parameters",
             json::array({{{"name", "dryRun"}, {"in", "query"}, {"type", "string"}},
                          {{"name", "fieldManager"}, {"in", "query"}, {"type", "string"}}})},
            {"responses", {{"200", {{"description", "OK"}}}}}}}};
}

namespace {

// Protobuf wire format, writing only: varints, length-delimited fields, 64-bit doubles.
class ProtoWriter {
 public:
  void string(int field, const std::string& value) {
    key(field, 2);
    varint(value.size());
    out_ += value;
  }
  void message(int field, const std::string& encoded) { string(field, encoded); }
  void boolean(int field, bool value) {
    key(field, 0);
    varint(value ? 1 : 0);
  }
  void int64(int field, std::int64_t value) {
    key(field, 0);
    varint(static_cast<std::uint64_t>(value));
  }
  void dbl(int field, double value) {
    key(field, 1);
    std::uint64_t bits = 0;
    std::memcpy(&bits, &value, sizeof bits);
    for (int i = 0; i < 8; ++i) {
      out_.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
    }
  }
  const std::string& bytes() const { return out_; }

 private:
  void key(int field, int wireType) {
    varint((static_cast<std::uint64_t>(field) << 3) | static_cast<std::uint64_t>(wireType));
  }
  void varint(std::uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  std::string out_;
};

// openapi.v2.Any: the value as JSON text in `yaml` (field 2).
std::string encodeAny(const json& value) {
  ProtoWriter w;
  w.string(2, value.dump());
  return w.bytes();
}

std::string encodeNamed(const std::string& name, int valueField, const std::string& value) {
  ProtoWriter w;
  w.string(1, name);
  w.message(valueField, value);
  return w.bytes();
}

// A vendor extension (x-...) as openapi.v2.NamedAny.
void vendorExtensions(const json& object, int field, ProtoWriter& w) {
  for (const auto& [key, value] : object.items()) {
    if (key.rfind("x-", 0) == 0) {
      w.message(field, encodeNamed(key, 2, encodeAny(value)));
    }
  }
}

std::string encodeSchema(const json& s);

// Field numbers of openapi.v2.Schema.
constexpr int kRef = 1;
constexpr int kFormat = 2;
constexpr int kTitle = 3;
constexpr int kDescription = 4;
constexpr int kDefault = 5;
constexpr int kMultipleOf = 6;
constexpr int kMaximum = 7;
constexpr int kExclusiveMaximum = 8;
constexpr int kMinimum = 9;
constexpr int kExclusiveMinimum = 10;
constexpr int kMaxLength = 11;
constexpr int kMinLength = 12;
constexpr int kPattern = 13;
constexpr int kMaxItems = 14;
constexpr int kMinItems = 15;
constexpr int kUniqueItems = 16;
constexpr int kMaxProperties = 17;
constexpr int kMinProperties = 18;
constexpr int kRequired = 19;
constexpr int kEnum = 20;
constexpr int kAdditionalProperties = 21;
constexpr int kType = 22;
constexpr int kItems = 23;
constexpr int kProperties = 25;
constexpr int kVendorExtension = 31;

std::string encodeSchema(const json& s) {
  ProtoWriter w;
  auto str = [&](const char* key, int field) {
    if (s.contains(key) && s[key].is_string()) {
      w.string(field, s[key].get<std::string>());
    }
  };
  auto num = [&](const char* key, int field) {
    if (s.contains(key) && s[key].is_number()) {
      w.dbl(field, s[key].get<double>());
    }
  };
  auto count = [&](const char* key, int field) {
    if (s.contains(key) && s[key].is_number_integer()) {
      w.int64(field, s[key].get<std::int64_t>());
    }
  };
  auto boolean = [&](const char* key, int field) {
    if (s.contains(key) && s[key].is_boolean()) {
      w.boolean(field, s[key].get<bool>());
    }
  };
  str("$ref", kRef);
  str("format", kFormat);
  str("title", kTitle);
  str("description", kDescription);
  if (s.contains("default")) {
    w.message(kDefault, encodeAny(s["default"]));
  }
  num("multipleOf", kMultipleOf);
  num("maximum", kMaximum);
  boolean("exclusiveMaximum", kExclusiveMaximum);
  num("minimum", kMinimum);
  boolean("exclusiveMinimum", kExclusiveMinimum);
  count("maxLength", kMaxLength);
  count("minLength", kMinLength);
  str("pattern", kPattern);
  count("maxItems", kMaxItems);
  count("minItems", kMinItems);
  boolean("uniqueItems", kUniqueItems);
  count("maxProperties", kMaxProperties);
  count("minProperties", kMinProperties);
  for (const auto& r : s.value("required", json::array())) {
    if (r.is_string()) {
      w.string(kRequired, r.get<std::string>());
    }
  }
  for (const auto& e : s.value("enum", json::array())) {
    w.message(kEnum, encodeAny(e));
  }
  if (s.contains("additionalProperties")) {
    // openapi.v2.AdditionalPropertiesItem: oneof schema = 1, boolean = 2.
    ProtoWriter ap;
    if (s["additionalProperties"].is_boolean()) {
      ap.boolean(2, s["additionalProperties"].get<bool>());
    } else {
      ap.message(1, encodeSchema(s["additionalProperties"]));
    }
    w.message(kAdditionalProperties, ap.bytes());
  }
  if (s.contains("type") && s["type"].is_string()) {
    ProtoWriter type;  // openapi.v2.TypeItem: repeated string value = 1
    type.string(1, s["type"].get<std::string>());
    w.message(kType, type.bytes());
  }
  if (s.contains("items") && s["items"].is_object()) {
    ProtoWriter items;  // openapi.v2.ItemsItem: repeated Schema schema = 1
    items.message(1, encodeSchema(s["items"]));
    w.message(kItems, items.bytes());
  }
  if (s.contains("properties") && s["properties"].is_object()) {
    ProtoWriter props;  // openapi.v2.Properties: repeated NamedSchema additional_properties = 1
    for (const auto& [name, sub] : s["properties"].items()) {
      props.message(1, encodeNamed(name, 2, encodeSchema(sub)));
    }
    w.message(kProperties, props.bytes());
  }
  vendorExtensions(s, kVendorExtension, w);
  return w.bytes();
}

// openapi.v2.Operation: its query parameters, responses and vendor extensions.
std::string encodeOperation(const json& op) {
  ProtoWriter w;
  for (const auto& c : op.value("consumes", json::array())) {
    w.string(7, c.get<std::string>());
  }
  for (const auto& p : op.value("parameters", json::array())) {
    ProtoWriter query;  // QueryParameterSubSchema: in = 2, name = 4, type = 6
    query.string(2, p.value("in", "query"));
    query.string(4, p.value("name", ""));
    query.string(6, p.value("type", "string"));
    ProtoWriter nonBody;  // NonBodyParameter: query_parameter_sub_schema = 3
    nonBody.message(3, query.bytes());
    ProtoWriter parameter;  // Parameter: non_body_parameter = 2
    parameter.message(2, nonBody.bytes());
    ProtoWriter item;  // ParametersItem: parameter = 1
    item.message(1, parameter.bytes());
    w.message(8, item.bytes());
  }
  ProtoWriter responses;  // Responses: repeated NamedResponseValue response_code = 1
  const json codes = op.value("responses", json::object());
  for (const auto& [code, response] : codes.items()) {
    ProtoWriter r;  // Response: description = 1
    r.string(1, response.value("description", ""));
    ProtoWriter value;  // ResponseValue: response = 1
    value.message(1, r.bytes());
    responses.message(1, encodeNamed(code, 2, value.bytes()));
  }
  w.message(9, responses.bytes());
  vendorExtensions(op, 13, w);
  return w.bytes();
}

// openapi.v2.Paths: repeated NamedPathItem path = 2; a PathItem's patch is field 8 (the only
// operation this server describes).
std::string encodePaths(const json& paths) {
  ProtoWriter w;
  for (const auto& [path, item] : paths.items()) {
    ProtoWriter pathItem;
    if (item.contains("patch")) {
      pathItem.message(8, encodeOperation(item["patch"]));
    }
    w.message(2, encodeNamed(path, 2, pathItem.bytes()));
  }
  return w.bytes();
}

}  // namespace

std::string encodeOpenApiV2(const json& document) {
  ProtoWriter doc;  // openapi.v2.Document
  doc.string(1, document.value("swagger", "2.0"));
  const json info = document.value("info", json::object());
  ProtoWriter infoW;  // openapi.v2.Info: title = 1, version = 2
  infoW.string(1, info.value("title", ""));
  infoW.string(2, info.value("version", ""));
  doc.message(2, infoW.bytes());
  doc.message(8, encodePaths(document.value("paths", json::object())));
  ProtoWriter defs;  // openapi.v2.Definitions: repeated NamedSchema = 1
  const json definitions = document.value("definitions", json::object());
  for (const auto& [name, schema] : definitions.items()) {
    defs.message(1, encodeNamed(name, 2, encodeSchema(schema)));
  }
  doc.message(9, defs.bytes());
  return doc.bytes();
}

}  // namespace mysqlop::local
