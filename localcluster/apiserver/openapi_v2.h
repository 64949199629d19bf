#pragma once

// OpenAPI v2 (Swagger 2.0) at /openapi/v2, for clients older than OpenAPI v3 support: kubectl up
// to 1.26 downloads it for client-side validation (apply, create, replace) and for `explain`.
// Those clients ask for gnostic's protobuf encoding (openapi.v2.Document,
// application/com.github.proto-openapi.spec.v2@v1.0+protobuf) and decode nothing else; a JSON
// Accept gets the same document as JSON.
//
// What the document holds, and why:
// - every custom kind, from its CRD's schema, converted as kube-apiserver converts structural
//   schemas for v2: no oneOf/anyOf/not, a node that preserves unknown fields or is nullable loses
//   its properties and items (v2 clients would otherwise reject what the server accepts), an
//   int-or-string loses its type;
// - ObjectMeta and the definitions it refers to (complete: every field of Kubernetes 1.30);
// - no built-in kind. The built-in tables (openapi_builtin.cpp) hold a subset of each kind's
//   fields, and kubectl 1.20 rejects any field its schema lacks ("unknown field"): with no
//   schema for a kind it skips validation and computes patches from its compiled-in types, which
//   is what it does against kube-apiserver for fields it knows.

#include <nlohmann/json.hpp>

#include <string>

namespace mysqlop::local {

// One OpenAPI v3 schema (as a v3 document's components hold it) in v2 form: "$ref"s into
// "#/definitions/", a single-"$ref" allOf as that "$ref", what v2 cannot say removed (above).
nlohmann::json openApiV2Schema(const nlohmann::json& v3);

// The Swagger 2.0 document around the converted definitions (name -> v2 schema) and paths.
nlohmann::json openApiV2Document(const nlohmann::json& definitions, const nlohmann::json& paths);

// The path item of one object of a kind: its patch operation, with the kind (a map, as kubectl
// reads it on operations), the dryRun parameter (how kubectl <= 1.26 learns that
// `--dry-run=server` is supported for the kind) and the patch types it consumes. kubectl apply
// picks its patch type from them: strategic merge for built-in kinds only, as kube-apiserver
// (custom kinds get a JSON merge patch).
nlohmann::json openApiV2PatchPath(const std::string& group, const std::string& version,
                                  const std::string& kind, bool strategicMerge);

// The document in gnostic's protobuf encoding (openapi.v2.Document). Vendor extensions, default
// and enum values are carried as their JSON text in Any.yaml, which YAML parsers read.
std::string encodeOpenApiV2(const nlohmann::json& document);

// The media type of the answer, as kube-apiserver sends it: the '@' of the name old clients put
// in Accept is not valid in a media type, and Go's mime parser (client-go) refuses it.
inline constexpr const char* kOpenApiV2Protobuf =
    "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

}  // namespace mysqlop::local
