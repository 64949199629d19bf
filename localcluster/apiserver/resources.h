#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "localcluster/apiserver/api_error.h"

namespace mysqlop::local {

class Schema;

// How a kind's scale subresource maps onto the object (JSON paths like ".spec.replicas").
struct ScaleSpec {
  std::string specReplicasPath = ".spec.replicas";
  std::string statusReplicasPath = ".status.replicas";
  std::string labelSelectorPath = ".status.selector";
};

// One served resource: everything the handlers need to know about a kind.
struct ResourceType {
  std::string group;  // "" for core
  std::string version;
  std::vector<std::string> versions;  // every served version (CRDs may serve several)
  std::string kind;
  std::string listKind;
  std::string plural;
  std::string singular;
  bool namespaced = true;
  std::vector<std::string> shortNames;
  std::vector<std::string> categories;
  bool hasStatus = false;
  std::optional<ScaleSpec> scale;
  bool tracksGeneration = false;
  bool custom = false;  // a CR served from a CRD
  bool allowUnconditionalUpdate = true;
  bool returnDeletedObject = false;  // DELETE answers with the object instead of a Status
  bool createOnUpdate = false;       // PUT of a missing object creates it (Endpoints)
  bool orphanByDefault = false;      // batch/v1 Jobs
  bool createOnly = false;           // reviews: POST answered, never stored (access_reviews.cpp)
  bool strategicMerge = true;        // false for CRs: strategic merge patch is refused (415)
  std::vector<std::string> extraFieldSelectors;  // beyond metadata.name / metadata.namespace
  std::vector<std::string> extraSubresources;    // listed in discovery only (log, finalize...)
  std::shared_ptr<const Schema> schema;          // CRs with an openAPIV3Schema
  nlohmann::json printerColumns;                 // CRs: additionalPrinterColumns

  std::string apiVersion() const { return group.empty() ? version : group + "/" + version; }
  std::string storageKey() const { return group + "/" + plural; }
  GroupResource gr() const { return {group, plural}; }
  bool serves(const std::string& v) const;
};

using ResourceTypePtr = std::shared_ptr<const ResourceType>;

// Every resource the server serves: the built-in kinds plus those of established CRDs.
// Thread-safe; lookups return shared pointers that stay valid after a CRD changes.
class Registry {
 public:
  Registry();

  ResourceTypePtr find(const std::string& group, const std::string& version,
                       const std::string& plural) const;
  ResourceTypePtr findByStorageKey(const std::string& key) const;
  // Every resource type (one entry per storage key).
  std::vector<ResourceTypePtr> all() const;
  // Group names (core excluded) in the order discovery lists them.
  std::vector<std::string> groups() const;
  std::vector<std::string> groupVersions(const std::string& group) const;
  std::vector<ResourceTypePtr> inGroupVersion(const std::string& group,
                                              const std::string& version) const;

  // Registers (or replaces) the resource a CRD defines; returns it. Fails with the field errors
  // of a CRD that cannot be served.
  ResourceTypePtr applyCrd(const nlohmann::json& crd);
  void removeCrd(const std::string& group, const std::string& plural);

 private:
  mutable std::shared_mutex mu_;
  std::vector<std::string> groupOrder_;
  std::map<std::string, ResourceTypePtr> byKey_;  // storageKey -> type
};

// Field errors of a CRD's spec (names, group, versions, scope); empty when it can be served.
std::vector<FieldError> validateCrd(const nlohmann::json& crd);

}  // namespace mysqlop::local
