#include "plugins/user/src/reconciler.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <utility>

#include "plugins/common/kube/resources.h"
#include "plugins/common/mysql/identifiers.h"
#include "plugins/common/mysql/mysql_object.h"
#include "plugins/user/src/account.h"
#include "plugins/user/src/grants.h"
#include "plugins/user/src/spec.h"

namespace mysqlop::user {
namespace {

using mysqlop::Outcome;
using mysqlop::kube::res::kMysqlUser;

constexpr const char* kSucceeded = "The user provisioning has succeeded.";
constexpr const char* kFailedPrefix = "The user provisioning has failed: ";
constexpr const char* kNotReady = "cluster is not ready";
constexpr const char* kCrossNamespace = "cross namespace user creation is disabled";

std::vector<std::string> merged(std::vector<std::string> a, const std::vector<std::string>& b) {
  for (const std::string& s : b) {
    if (std::find(a.begin(), a.end(), s) == a.end()) {
      a.push_back(s);
    }
  }
  return a;
}

// "MysqlUser ns/name: what" for the log.
std::string describe(const std::string& key, const std::string& what) {
  std::string out = "MysqlUser ";
  out += key;
  out += ": ";
  out += what;
  return out;
}

void setAllowedHosts(nlohmann::json& obj, const std::vector<std::string>& hosts) {
  if (!obj["status"].is_object()) {
    obj["status"] = nlohmann::json::object();
  }
  obj["status"]["allowedHosts"] = hosts;
}

}  // namespace

Reconciler::Reconciler(Options options, mysql::LogFn log)
    : options_(std::move(options)), log_(std::move(log)), pool_(options_.pool), clusters_(pool_) {}

void Reconciler::log(mysqlop_type_log_level level, const std::string& message) const {
  if (log_) {
    log_(level, message);
  }
}

Outcome Reconciler::reconcile(mysql::KubeGateway& kube, std::string_view ns,
                              std::string_view name) {
  mysqlop::Reply got = kube.get(kMysqlUser, ns, name);
  if (got.notFound()) {
    return Outcome::done();
  }
  const std::string key = std::string(ns) + "/" + std::string(name);
  if (!got.ok()) {
    return Outcome::retry("reading MysqlUser " + key + ": " + got.error);
  }
  nlohmann::json obj = nlohmann::json::parse(got.data, nullptr, false);
  if (!obj.is_object()) {
    return Outcome::retry("MysqlUser " + key + " is not a JSON object");
  }
  if (mysql::isDeleting(obj)) {
    return finalize(kube, obj);
  }
  return provision(kube, obj);
}

Outcome Reconciler::fail(mysql::KubeGateway& kube, nlohmann::json& obj, const std::string& error,
                         Outcome outcome, const std::vector<std::string>& touchedHosts) {
  const std::string message = error == kNotReady ? error : kFailedPrefix + error;
  bool changed = mysql::setReady(obj, false, mysql::kProvisionFailed, message);
  if (!touchedHosts.empty()) {
    // Accounts created by a pass that then failed are remembered, so that they are dropped if the
    // spec stops listing them.
    const auto before = appliedHosts(obj);
    const auto after = merged(before, touchedHosts);
    if (after != before) {
      setAllowedHosts(obj, after);
      changed = true;
    }
  }
  return mysql::reportFailure(kube, kMysqlUser, "MysqlUser", obj, changed, error, message,
                              std::move(outcome));
}

Outcome Reconciler::provision(mysql::KubeGateway& kube, nlohmann::json& obj) {
  const std::string key = mysql::objectKey(obj);
  const std::string ns = mysql::objectNamespace(obj);
  std::string error;
  auto ref = mysql::clusterRefOf(obj, &error);
  if (!ref) {
    return fail(kube, obj, error, Outcome::invalid(error));
  }
  if (!options_.allowCrossNamespace && ref->ns != ns) {
    return fail(kube, obj, kCrossNamespace, Outcome::invalid(kCrossNamespace));
  }
  auto spec = parseSpec(obj, options_.reservedUsers, &error);
  if (!spec) {
    return fail(kube, obj, error, Outcome::invalid(error));
  }

  mysql::ClusterConnect cluster = clusters_.connect(kube, *ref, true);
  if (!cluster.ok()) {
    if (cluster.problem == mysql::ClusterConnect::Problem::Failed) {
      return fail(kube, obj, cluster.message, Outcome::retry(cluster.message));
    }
    return fail(
        kube, obj, cluster.message,
        Outcome::requeueAfter(static_cast<std::uint64_t>(options_.notReadyRequeue.count())));
  }

  const std::string secretRef =
      "secret " + ns + "/" + spec->passwordSecret + " key " + spec->passwordKey;
  mysqlop::Reply password = kube.readSecretValue(ns, spec->passwordSecret, spec->passwordKey);
  if (!password.ok()) {
    const std::string message =
        "reading the password (spec.password, " + secretRef + "): " + password.error;
    return fail(kube, obj, message, Outcome::retry(message));
  }
  if (password.data.empty()) {
    const std::string message = "the MySQL user's password must not be empty";
    return fail(kube, obj, message, Outcome::retry(message));
  }
  if (password.data.find('\0') != std::string::npos) {
    const std::string message = "the password (spec.password, " + secretRef +
                                ") contains a NUL character, which MySQL clients cannot send";
    return fail(kube, obj, message, Outcome::retry(message));
  }

  const mysql::Dialect& dialect = cluster.session->dialect;
  auto desired = desiredGrants(*spec, dialect, &error);
  if (!desired) {
    return fail(kube, obj, error, Outcome::invalid(error));
  }
  mysql::Connection& conn = *cluster.session->conn;
  AccountResult applied = applyAccounts(conn, dialect, *spec, password.data, *desired);
  for (const std::string& change : applied.changes) {
    log(mysqlop_log_Info, describe(key, change));
  }
  if (!applied.ok()) {
    return fail(kube, obj, applied.error, Outcome::retry(applied.error), applied.created);
  }
  for (const std::string& host : appliedHosts(obj)) {
    if (std::find(spec->hosts.begin(), spec->hosts.end(), host) != spec->hosts.end()) {
      continue;
    }
    auto dropped = dropAccount(conn, spec->user, host);
    const std::string who = mysql::Dialect::grantee(spec->user, host);
    if (!dropped.ok()) {
      const std::string message = dropped.error().describe("dropping " + who);
      return fail(kube, obj, message, Outcome::retry(message));
    }
    log(mysqlop_log_Info, describe(key, "dropped " + who + " (host removed from the spec)"));
  }

  if (mysql::addFinalizer(obj, kFinalizer)) {
    mysqlop::Reply updated = mysql::updateObject(kube, kMysqlUser, obj);
    if (!updated.ok()) {
      return Outcome::retry("adding the finalizer to MysqlUser " + key + ": " + updated.error);
    }
  }
  bool changed = mysql::setReady(obj, true, mysql::kProvisionSucceeded, kSucceeded);
  if (appliedHosts(obj) != spec->hosts) {
    setAllowedHosts(obj, spec->hosts);
    changed = true;
  }
  if (changed) {
    mysqlop::Reply saved = mysql::updateObjectStatus(kube, kMysqlUser, obj);
    if (!saved.ok()) {
      return Outcome::retry("updating the status of MysqlUser " + key + ": " + saved.error);
    }
  }
  if (changed || !applied.changes.empty()) {
    kube.recordEvent(obj, mysqlop_event_Normal, mysql::kProvisionSucceeded,
                     applied.changes.empty()
                         ? std::string(kSucceeded)
                         : std::string(kSucceeded) + " " + std::to_string(applied.changes.size()) +
                               " change(s) applied to MySQL.");
  }
  return Outcome::requeueAfter(static_cast<std::uint64_t>(options_.requeueAfter.count()));
}

Outcome Reconciler::finalize(mysql::KubeGateway& kube, nlohmann::json& obj) {
  if (!mysql::hasFinalizer(obj, kFinalizer)) {
    return Outcome::done();
  }
  const std::string key = mysql::objectKey(obj);
  std::string error;
  auto ref = mysql::clusterRefOf(obj, &error);
  auto spec = ref ? parseSpec(obj, options_.reservedUsers, &error) : std::nullopt;
  std::string kept;
  if (!ref || !spec) {
    kept = "the user is not dropped: " + error;
  } else if (!options_.allowCrossNamespace && ref->ns != mysql::objectNamespace(obj)) {
    kept = "the user is not dropped: " + std::string(kCrossNamespace);
  } else if (mysql::retainOnDelete(obj)) {
    kept = "user " + mysql::shown(spec->user) + " is kept in MysqlCluster " + ref->key() +
           " (resourceDeletionPolicy: retain)";
  }
  if (kept.empty()) {
    mysql::ClusterConnect cluster = clusters_.connect(kube, *ref, false);
    if (cluster.problem == mysql::ClusterConnect::Problem::ClusterNotFound) {
      log(mysqlop_log_Info, "MysqlUser " + key + ": " + cluster.message + ", nothing to drop");
    } else if (!cluster.ok()) {
      const std::string message =
          "dropping user " + mysql::shown(spec->user) + ": " + cluster.message;
      kube.recordEvent(obj, mysqlop_event_Warning, "DeletionFailed", message);
      return Outcome::retry(message);
    } else {
      for (const std::string& host : merged(appliedHosts(obj), spec->hosts)) {
        const std::string who = mysql::Dialect::grantee(spec->user, host);
        auto dropped = dropAccount(*cluster.session->conn, spec->user, host);
        if (!dropped.ok()) {
          const std::string message = dropped.error().describe("dropping " + who);
          kube.recordEvent(obj, mysqlop_event_Warning, "DeletionFailed", message);
          return Outcome::retry(message);
        }
        log(mysqlop_log_Info, describe(key, "dropped " + who));
      }
    }
  } else {
    log(mysqlop_log_Info, "MysqlUser " + key + ": " + kept);
    kube.recordEvent(obj, mysqlop_event_Normal, "Retained", kept);
  }
  mysql::removeFinalizer(obj, kFinalizer);
  mysqlop::Reply updated = mysql::updateObject(kube, kMysqlUser, obj);
  if (!updated.ok() && !updated.notFound()) {
    return Outcome::retry("removing the finalizer of MysqlUser " + key + ": " + updated.error);
  }
  return Outcome::done();
}

mysql::ObjectKeys Reconciler::usersOfSecret(mysql::KubeGateway& kube, std::string_view secretJson) {
  mysql::ObjectKeys out;
  nlohmann::json secret = nlohmann::json::parse(secretJson, nullptr, false);
  if (!secret.is_object() || !secret.contains("metadata")) {
    return out;
  }
  const std::string ns = mysql::objectNamespace(secret);
  const std::string name = secret["metadata"].value("name", "");
  mysqlop::Reply listed = kube.list(kMysqlUser, ns);
  if (!listed.ok()) {
    return out;
  }
  nlohmann::json items = nlohmann::json::parse(listed.data, nullptr, false);
  if (items.is_object() && items.contains("items")) {
    items = items["items"];
  }
  if (!items.is_array()) {
    return out;
  }
  for (const auto& u : items) {
    std::string error;
    const nlohmann::json spec =
        u.is_object() ? u.value("spec", nlohmann::json::object()) : nlohmann::json::object();
    const nlohmann::json password = spec.is_object()
                                        ? spec.value("password", nlohmann::json::object())
                                        : nlohmann::json::object();
    auto secretName = mysql::stringField(password, "name", "spec.password.name", &error);
    if (secretName && *secretName == name && mysql::objectNamespace(u) == ns) {
      out.emplace_back(ns, u["metadata"].value("name", ""));
    }
  }
  return out;
}

}  // namespace mysqlop::user
