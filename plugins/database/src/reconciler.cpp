#include "plugins/database/src/reconciler.h"

#include <nlohmann/json.hpp>
#include <utility>

#include "plugins/common/kube/resources.h"
#include "plugins/common/mysql/dialect.h"
#include "plugins/common/mysql/identifiers.h"
#include "plugins/common/mysql/mysql_object.h"

namespace mysqlop::database {
namespace {

using mysql::Arg;
using mysqlop::Outcome;

constexpr const char* kCreated = "Database successfully created.";
constexpr const char* kCrossNamespace = "cross namespace database creation is disabled";

// Server errors that a retry cannot fix: an unknown character set or collation, or a collation of
// another character set.
bool permanent(const mysql::SqlError& e) {
  return e.kind == mysql::SqlError::Kind::Server &&
         (e.code == 1115 || e.code == 1273 || e.code == 1253);
}

std::vector<Arg> charsetArgs(const DatabaseSpec& spec) {
  std::vector<Arg> args;
  if (spec.characterSet) {
    args.push_back(Arg::text(*spec.characterSet));
  }
  if (spec.collation) {
    args.push_back(Arg::text(*spec.collation));
  }
  return args;
}

}  // namespace

Reconciler::Reconciler(Options options, mysql::LogFn log)
    : options_(options), log_(std::move(log)), pool_(options_.pool), clusters_(pool_) {}

void Reconciler::log(mysqlop_type_log_level level, const std::string& message) const {
  if (log_) {
    log_(level, message);
  }
}

Outcome Reconciler::reconcile(mysql::KubeGateway& kube, std::string_view ns,
                              std::string_view name) {
  mysqlop::Reply got = kube.get(kube::res::kMysqlDatabase, ns, name);
  if (got.notFound()) {
    return Outcome::done();
  }
  if (!got.ok()) {
    return Outcome::retry("reading MysqlDatabase " + std::string(ns) + "/" + std::string(name) +
                          ": " + got.error);
  }
  nlohmann::json obj = nlohmann::json::parse(got.data, nullptr, false);
  if (!obj.is_object()) {
    return Outcome::retry("MysqlDatabase " + std::string(ns) + "/" + std::string(name) +
                          " is not a JSON object");
  }
  if (mysql::isDeleting(obj)) {
    return finalize(kube, obj);
  }
  return provision(kube, obj);
}

Outcome Reconciler::fail(mysql::KubeGateway& kube, nlohmann::json& obj, const std::string& message,
                         Outcome outcome) {
  const bool changed = mysql::setReady(obj, false, mysql::kProvisionFailed, message);
  return mysql::reportFailure(kube, kube::res::kMysqlDatabase, "MysqlDatabase", obj, changed,
                              message, message, std::move(outcome));
}

Outcome Reconciler::provision(mysql::KubeGateway& kube, nlohmann::json& obj) {
  std::string error;
  auto ref = mysql::clusterRefOf(obj, &error);
  if (!ref) {
    return fail(kube, obj, error, Outcome::invalid(error));
  }
  if (!options_.allowCrossNamespace && ref->ns != mysql::objectNamespace(obj)) {
    return fail(kube, obj, kCrossNamespace, Outcome::invalid(kCrossNamespace));
  }
  auto spec = parseSpec(obj, &error);
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
  mysql::Connection& conn = *cluster.session->conn;
  const std::string quoted = mysql::quoteIdentifier(spec->database);
  const bool cs = spec->characterSet.has_value();
  const bool co = spec->collation.has_value();

  auto created =
      conn.exec(mysql::Dialect::createDatabase(spec->database, cs, co), charsetArgs(*spec));
  if (!created.ok()) {
    const std::string message = created.error().describe("creating database " + quoted);
    return fail(kube, obj, message,
                permanent(created.error()) ? Outcome::invalid(message) : Outcome::retry(message));
  }
  if (cs || co) {
    // CREATE ... IF NOT EXISTS leaves an existing database as it is: converge its defaults.
    auto rows = conn.query(mysql::Dialect::selectSchema(), {Arg::text(spec->database)});
    if (!rows.ok()) {
      const std::string message = rows.error().describe("reading database " + quoted);
      return fail(kube, obj, message, Outcome::retry(message));
    }
    if (!rows->rows.empty()) {
      const mysql::Row& r = rows->rows.front();
      const bool csDiffers =
          cs && !mysql::Dialect::sameCharsetName(r[0].value_or(""), *spec->characterSet);
      const bool coDiffers =
          co && !mysql::Dialect::sameCharsetName(r[1].value_or(""), *spec->collation);
      if (csDiffers || coDiffers) {
        log(mysqlop_log_Info, "altering the defaults of database " + quoted + " of MysqlDatabase " +
                                  mysql::objectKey(obj));
        auto altered =
            conn.exec(mysql::Dialect::alterDatabase(spec->database, cs, co), charsetArgs(*spec));
        if (!altered.ok()) {
          const std::string message = altered.error().describe("altering database " + quoted);
          return fail(
              kube, obj, message,
              permanent(altered.error()) ? Outcome::invalid(message) : Outcome::retry(message));
        }
      }
    }
  }

  if (mysql::addFinalizer(obj, kFinalizer)) {
    mysqlop::Reply updated = mysql::updateObject(kube, kube::res::kMysqlDatabase, obj);
    if (!updated.ok()) {
      return Outcome::retry("adding the finalizer to MysqlDatabase " + mysql::objectKey(obj) +
                            ": " + updated.error);
    }
  }
  if (mysql::setReady(obj, true, mysql::kProvisionSucceeded, kCreated)) {
    mysqlop::Reply saved = mysql::updateObjectStatus(kube, kube::res::kMysqlDatabase, obj);
    if (!saved.ok()) {
      return Outcome::retry("updating the status of MysqlDatabase " + mysql::objectKey(obj) + ": " +
                            saved.error);
    }
    log(mysqlop_log_Info, "database " + quoted + " of MysqlDatabase " + mysql::objectKey(obj) +
                              " is ready in MysqlCluster " + ref->key());
    kube.recordEvent(obj, mysqlop_event_Normal, mysql::kProvisionSucceeded, kCreated);
  }
  return Outcome::done();
}

Outcome Reconciler::finalize(mysql::KubeGateway& kube, nlohmann::json& obj) {
  if (!mysql::hasFinalizer(obj, kFinalizer)) {
    return Outcome::done();
  }
  const std::string key = mysql::objectKey(obj);
  std::string error;
  auto ref = mysql::clusterRefOf(obj, &error);
  auto spec = ref ? parseSpec(obj, &error) : std::nullopt;
  std::string kept;  // why the database stays, when it does
  if (!ref || !spec) {
    kept = "the database is not dropped: " + error;
  } else if (!options_.allowCrossNamespace && ref->ns != mysql::objectNamespace(obj)) {
    kept = "the database is not dropped: " + std::string(kCrossNamespace);
  } else if (mysql::retainOnDelete(obj)) {
    kept = "database " + mysql::quoteIdentifier(spec->database) + " is kept in MysqlCluster " +
           ref->key() + " (resourceDeletionPolicy: retain)";
  }

  if (kept.empty()) {
    mysql::ClusterConnect cluster = clusters_.connect(kube, *ref, false);
    if (cluster.problem == mysql::ClusterConnect::Problem::ClusterNotFound) {
      log(mysqlop_log_Info, "MysqlDatabase " + key + ": " + cluster.message + ", nothing to drop");
    } else if (!cluster.ok()) {
      const std::string message =
          "dropping database " + mysql::quoteIdentifier(spec->database) + ": " + cluster.message;
      kube.recordEvent(obj, mysqlop_event_Warning, "DeletionFailed", message);
      return Outcome::retry(message);
    } else {
      const std::string quoted = mysql::quoteIdentifier(spec->database);
      auto dropped = (*cluster.session->conn).exec(mysql::Dialect::dropDatabase(spec->database));
      if (!dropped.ok()) {
        const std::string message = dropped.error().describe("dropping database " + quoted);
        kube.recordEvent(obj, mysqlop_event_Warning, "DeletionFailed", message);
        return Outcome::retry(message);
      }
      log(mysqlop_log_Info, "dropped database " + quoted + " of MysqlDatabase " + key +
                                " from MysqlCluster " + ref->key());
    }
  } else {
    log(mysqlop_log_Info, "MysqlDatabase " + key + ": " + kept);
    kube.recordEvent(obj, mysqlop_event_Normal, "Retained", kept);
  }

  mysql::removeFinalizer(obj, kFinalizer);
  mysqlop::Reply updated = mysql::updateObject(kube, kube::res::kMysqlDatabase, obj);
  if (!updated.ok() && !updated.notFound()) {
    return Outcome::retry("removing the finalizer of MysqlDatabase " + key + ": " + updated.error);
  }
  return Outcome::done();
}

}  // namespace mysqlop::database
