// The backup plugin end to end on the local control plane: the real operator (backup and cluster
// plugins, the bundled backup targets), the real API server, Job controller and process kubelet.
// A MysqlBackup gets its Job with the contract's spec and its status from the Job; a failing Job
// makes Failed; remoteDeletePolicy: delete runs the cleanup Job and releases the object; a
// schedule creates backups and keeps the history limit.
//
// The clusters have no MySQL pods (replicas 0) and name a stand-in sidecar image, an image profile
// of this test: `take-backup-to` exits 0 (1 when the URL has "/fail/"), `remove-backup` exits 0.
// It keeps these tests about the operator's side (Jobs, status, finalizer, schedules) fast and
// independent of MariaDB; backup_restore_e2e_test.cpp runs the real sidecar end to end.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "tests/support/kube/kubectl.h"
#include "tests/support/kube/local_cluster_process.h"
#include "tests/support/kube/operator_process.h"
#include "tests/support/wait/poll.h"

namespace mysqlop::testing {
namespace {

using nlohmann::json;

constexpr const char* kImage = "e2e/fake-backup-sidecar";

// The stand-in sidecar: the image profile's entrypoint is this script.
constexpr const char* kProfiles = R"(- images: ["e2e/fake-backup-sidecar"]
  entrypoint: [sh, -c, 'case "$1" in take-backup-to) case "$3" in */fail/*) echo "cannot write $3" >&2; exit 1;; esac; exit 0;; remove-backup) exit 0;; *) echo "unexpected $1" >&2; exit 2;; esac', fake-sidecar]
  cmd: []
  env:
    - {name: PATH, value: /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin}
)";

std::string clusterYaml(const std::string& name, const std::string& extraSpec,
                        const std::string& annotations = "{}") {
  return "apiVersion: v1\nkind: Secret\nmetadata: {name: " + name +
         "-secret, namespace: default}\nstringData: {ROOT_PASSWORD: pw}\n---\n"
         "apiVersion: mysql.presslabs.org/v1alpha1\nkind: MysqlCluster\n"
         "metadata: {name: " +
         name + ", namespace: default, annotations: " + annotations +
         "}\n"
         "spec:\n"
         "  replicas: 0\n"
         "  secretName: " +
         name +
         "-secret\n"
         "  mysqlVersion: \"mariadb-10.11\"\n"
         "  sidecarImage: " +
         kImage + "\n" + extraSpec;
}

class BackupE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    profiles_ = std::filesystem::temp_directory_path() /
                ("mysqlop-backup-e2e-profiles-" + std::to_string(::getpid()) + ".yaml");
    std::ofstream(profiles_) << kProfiles;
    cluster_ = new LocalClusterProcess();
    LocalClusterProcess::Options o;
    o.extraArgs = {"--image-profiles", profiles_.string()};
    if (auto started = cluster_->start(o); !started.ok()) {
      error_ = "mysql-operator-local up: " + started.error().message;
      return;
    }
    kubectl_ = new Kubectl(cluster_->kubeconfigPath());
    const CommandResult crds =
        kubectl_->run({"apply", "-f", std::string(MYSQLOP_SOURCE_DIR) + "/crds/"});
    if (crds.exitCode != 0) {
      error_ = "applying the CRDs: " + crds.err;
      return;
    }
    if (!pollUntil(
            [] {
              return kubectl_->run({"get", "mysqlbackups"}).exitCode == 0;
            },
            Poll{std::chrono::seconds(30), std::chrono::milliseconds(100)})) {
      error_ = "the MysqlBackup CRD is not served after 30 s";
      return;
    }
    const std::string config = cluster_->dataDir() + "/operator-config.yaml";
    std::ofstream(config) << "plugins:\n"
                             "  - {name: backup, config: {backoffLimit: 0}}\n"
                             "  - {name: orchestrator, enabled: false}\n"
                             "  - {name: database, enabled: false}\n"
                             "  - {name: user, enabled: false}\n";
    operator_ = new OperatorProcess(std::vector<std::string>{
        "--kubeconfig", cluster_->kubeconfigPath(), "--config", config, "--leader-election=false",
        "--metrics-addr", "127.0.0.1:0", "--healthz-addr", "127.0.0.1:0"});
    // The Secret the Jobs take their target credentials from (envFrom).
    apply(
        "apiVersion: v1\nkind: Secret\nmetadata: {name: bk-creds, namespace: default}\n"
        "stringData: {S3_ENDPOINT: 'http://198.18.255.1:9'}\n");
  }
  static void TearDownTestSuite() {
    delete operator_;
    delete kubectl_;
    delete cluster_;
    std::filesystem::remove(profiles_);
  }
  void SetUp() override { ASSERT_EQ(error_, ""); }
  void TearDown() override {
    if (HasFailure()) {
      std::cerr << "---- operator log (tail) ----\n"
                << tail(operator_->err(), 60) << "\n---- events ----\n"
                << kubectl_->run({"get", "events", "-A"}).out << std::endl;
    }
  }

  static std::string tail(const std::string& s, std::size_t lines) {
    std::size_t pos = s.size();
    for (std::size_t i = 0; i < lines && pos != std::string::npos && pos > 0; ++i) {
      pos = s.rfind('\n', pos - 1);
    }
    return pos == std::string::npos ? s : s.substr(pos);
  }
  static void apply(const std::string& yaml) {
    const CommandResult r = kubectl_->run({"apply", "-f", "-"}, yaml);
    ASSERT_EQ(r.exitCode, 0) << r.err;
  }
  // The object as JSON, or null when kubectl cannot get it.
  static json get(const std::string& kind, const std::string& name) {
    const CommandResult r = kubectl_->run({"get", kind, name, "-n", "default", "-o", "json"});
    return r.exitCode == 0 ? json::parse(r.out, nullptr, false) : json();
  }
  static json list(const std::string& kind, const std::string& selector) {
    const CommandResult r =
        kubectl_->run({"get", kind, "-n", "default", "-l", selector, "-o", "json"});
    return r.exitCode == 0 ? json::parse(r.out, nullptr, false).value("items", json::array())
                           : json::array();
  }
  static std::string condition(const json& obj, const std::string& type, const char* field) {
    for (const json& c : obj.value("status", json::object()).value("conditions", json::array())) {
      if (c.value("type", "") == type) {
        return c.value(field, "");
      }
    }
    return "";
  }
  // Polls until the object satisfies pred; the last object seen otherwise (for the message).
  template <class Pred>
  static json waitFor(const std::string& kind, const std::string& name, Pred pred,
                      std::chrono::seconds timeout = std::chrono::seconds(120)) {
    json last;
    pollUntil(
        [&] {
          last = get(kind, name);
          return !last.is_null() && pred(last);
        },
        Poll{timeout, std::chrono::milliseconds(250)});
    return last;
  }

  static inline std::filesystem::path profiles_;
  static inline LocalClusterProcess* cluster_ = nullptr;
  static inline Kubectl* kubectl_ = nullptr;
  static inline OperatorProcess* operator_ = nullptr;
  static inline std::string error_;
};

TEST_F(BackupE2E, TheJobHasTheContractsSpecAndTheBackupCompletes) {
  apply(clusterYaml("c1", "  backupURL: file:///tmp/bk-e2e/\n  backupSecretName: bk-creds\n",
                    "{mysql.presslabs.org/backup-compression: zstd}"));
  apply(
      "apiVersion: mysql.presslabs.org/v1alpha1\nkind: MysqlBackup\n"
      "metadata: {name: b1, namespace: default}\nspec: {clusterName: c1}\n");
  const json job = waitFor("job", "b1-backup", [](const json&) { return true; });
  ASSERT_TRUE(job.is_object()) << "no Job b1-backup";
  const json backup = get("mysqlbackup", "b1");
  // The defaults are persisted into the spec (bitpoke), with zstd's extension.
  EXPECT_EQ(backup["spec"]["backupURL"], "file:///tmp/bk-e2e/b1.xbackup.zst");
  EXPECT_EQ(backup["spec"]["backupSecretName"], "bk-creds");

  EXPECT_EQ(job["metadata"]["labels"]["cluster"], "c1");
  EXPECT_EQ(job["metadata"]["ownerReferences"][0]["kind"], "MysqlBackup");
  EXPECT_EQ(job["metadata"]["ownerReferences"][0]["uid"], backup["metadata"]["uid"]);
  EXPECT_EQ(job["spec"]["backoffLimit"], 0);
  const json& pod = job["spec"]["template"]["spec"];
  EXPECT_EQ(pod["restartPolicy"], "Never");
  ASSERT_EQ(pod["containers"].size(), 1U);
  const json& c = pod["containers"][0];
  EXPECT_EQ(c["name"], "backup");
  EXPECT_EQ(c["image"], kImage);  // the cluster's sidecar image, from its StatefulSet
  EXPECT_EQ(c["args"], json({"take-backup-to", "c1-mysql-0.mysql.default",
                             "file:///tmp/bk-e2e/b1.xbackup.zst"}));
  EXPECT_EQ(c["envFrom"], json::parse(R"([{"secretRef":{"name":"bk-creds"}}])"));
  std::set<std::string> envNames;
  json targets;
  for (const json& e : c["env"]) {
    envNames.insert(e.value("name", ""));
    if (e.value("name", "") == "MYSQLOP_BACKUP_TARGETS") {
      targets = json::parse(e.value("value", ""), nullptr, false);
    }
  }
  EXPECT_EQ(envNames,
            (std::set<std::string>{"BACKUP_USER", "BACKUP_PASSWORD", "MYSQLOP_BACKUP_TARGETS"}));
  // The operator's targets as it loaded them: the file target among them, by absolute path.
  bool file = false;
  for (const json& t : targets.value("targets", json::array())) {
    if (t.value("name", "") == "file") {
      file = true;
      EXPECT_EQ(std::filesystem::path(t.value("path", "")).filename(), "mysqlop_target_file.so");
      EXPECT_TRUE(std::filesystem::path(t.value("path", "")).is_absolute());
      EXPECT_TRUE(t["config"].is_object());
    }
  }
  EXPECT_TRUE(file) << targets.dump();

  const json done = waitFor("mysqlbackup", "b1", [](const json& b) {
    return b.value("status", json::object()).value("completed", false);
  });
  EXPECT_EQ(condition(done, "Complete", "status"), "True") << done.dump();
}

TEST_F(BackupE2E, AFailingJobMakesFailedWithTheJobsMessage) {
  apply(clusterYaml("c2", "  backupURL: file:///tmp/bk-e2e/fail/\n"));
  apply(
      "apiVersion: mysql.presslabs.org/v1alpha1\nkind: MysqlBackup\n"
      "metadata: {name: b2, namespace: default}\nspec: {clusterName: c2}\n");
  const json failed = waitFor("mysqlbackup", "b2", [](const json& b) {
    return b.value("status", json::object()).value("completed", false);
  });
  EXPECT_EQ(condition(failed, "Failed", "status"), "True") << failed.dump();
  // No termination message reaches the status on the local kubelet: the Job's own condition.
  EXPECT_EQ(condition(failed, "Failed", "reason"), "BackoffLimitExceeded");
  EXPECT_EQ(condition(failed, "Failed", "message"), "Job has reached the specified backoff limit");
  const CommandResult events =
      kubectl_->run({"get", "events", "-n", "default", "--field-selector", "involvedObject.name=b2",
                     "-o", "jsonpath={range .items[*]}{.reason}:{.message}{\"\\n\"}{end}"});
  EXPECT_NE(events.out.find("BackupFailed:Job has reached the specified backoff limit"),
            std::string::npos)
      << events.out << events.err;
}

TEST_F(BackupE2E, RemoteDeletePolicyDeleteRunsTheCleanupJobAndReleasesTheBackup) {
  apply(clusterYaml("c3", "  backupURL: file:///tmp/bk-e2e/c3\n"));
  apply(
      "apiVersion: mysql.presslabs.org/v1alpha1\nkind: MysqlBackup\n"
      "metadata: {name: b3, namespace: default}\n"
      "spec: {clusterName: c3, remoteDeletePolicy: delete}\n");
  const json done = waitFor("mysqlbackup", "b3", [](const json& b) {
    return b.value("status", json::object()).value("completed", false);
  });
  ASSERT_EQ(condition(done, "Complete", "status"), "True") << done.dump();
  EXPECT_EQ(done["metadata"]["finalizers"],
            json({"backups.mysql.presslabs.org/remote-storage-cleanup"}));

  // The cleanup Job lives briefly (the backup's deletion collects it): watch every Job, and
  // delete only once the watch has listed b3-backup, so it cannot miss the cleanup Job.
  auto watch = kubectl_->start({"get", "jobs", "-n", "default", "-w", "-o", "json"});
  ASSERT_TRUE(watch->waitForOutput("\"b3-backup\"", 60)) << watch->err();
  const CommandResult del = kubectl_->run({"delete", "mysqlbackup", "b3", "--wait=false"});
  ASSERT_EQ(del.exitCode, 0) << del.err;
  ASSERT_TRUE(watch->waitForOutput("\"b3-cleanup\"", 120)) << watch->err();
  EXPECT_TRUE(watch->waitForOutput("\"remove-backup\"", 10)) << watch->out();
  EXPECT_TRUE(watch->waitForOutput("\"file:///tmp/bk-e2e/c3/b3.xbackup.gz\"", 10)) << watch->out();
  EXPECT_TRUE(watch->waitForOutput("\"name\": \"delete\"", 10)) << watch->out();
  EXPECT_TRUE(watch->waitForOutput("\"cleanup-job\": \"true\"", 10)) << watch->out();
  watch->stop();
  EXPECT_TRUE(pollUntil([] { return get("mysqlbackup", "b3").is_null(); },
                        Poll{std::chrono::seconds(120), std::chrono::milliseconds(250)}))
      << get("mysqlbackup", "b3").dump();
}

TEST_F(BackupE2E, AScheduleCreatesBackupsAndKeepsTheHistoryLimit) {
  // A time-zoned schedule is accepted by the CRD and the plugin (no Warning).
  apply(clusterYaml("tz", "  backupSchedule: \"CRON_TZ=Europe/Paris 0 0 0 * * *\"\n"));
  apply(clusterYaml("c4",
                    "  backupURL: file:///tmp/bk-e2e/c4\n"
                    "  backupSchedule: \"@every 3s\"\n"
                    "  backupScheduleJobsHistoryLimit: 2\n"));
  std::set<std::string> seen;
  json items;
  const bool kept = pollUntil(
      [&] {
        items = list("mysqlbackups", "recurrent=true,cluster=c4");
        for (const json& b : items) {
          seen.insert(b["metadata"].value("name", ""));
        }
        return seen.size() >= 4 && items.size() <= 2;
      },
      Poll{std::chrono::seconds(180), std::chrono::milliseconds(500)});
  ASSERT_TRUE(kept) << "seen " << seen.size() << ", now " << items.dump();
  for (const std::string& name : seen) {
    EXPECT_EQ(name.rfind("c4-auto-", 0), 0U) << name;
  }
  EXPECT_EQ(items[0]["spec"]["clusterName"], "c4");
  const CommandResult events =
      kubectl_->run({"get", "events", "-n", "default", "--field-selector", "involvedObject.name=tz",
                     "-o", "jsonpath={range .items[*]}{.reason}{\"\\n\"}{end}"});
  EXPECT_EQ(events.out.find("InvalidBackupSchedule"), std::string::npos) << events.out;
  EXPECT_TRUE(list("mysqlbackups", "cluster=tz").empty());
}

TEST_F(BackupE2E, RetentionByAgeDeletesOldScheduledBackups) {
  apply(clusterYaml("c5",
                    "  backupURL: file:///tmp/bk-e2e/c5\n"
                    "  backupSchedule: \"@every 2s\"\n",
                    "{mysql.presslabs.org/backup-retention-age: 3s}"));
  // Without a history limit, only the age prunes: the first backups go while new ones come.
  std::string first;
  std::set<std::string> seen;
  json items;
  const bool pruned = pollUntil(
      [&] {
        items = list("mysqlbackups", "recurrent=true,cluster=c5");
        for (const json& b : items) {
          const std::string name = b["metadata"].value("name", "");
          seen.insert(name);
          if (first.empty() || name < first) {
            first = name;
          }
        }
        bool firstGone = !first.empty();
        for (const json& b : items) {
          firstGone = firstGone && b["metadata"].value("name", "") != first;
        }
        return seen.size() >= 4 && firstGone && !items.empty();
      },
      Poll{std::chrono::seconds(180), std::chrono::milliseconds(500)});
  ASSERT_TRUE(pruned) << "seen " << seen.size() << ", first " << first << ", now " << items.dump();
}

}  // namespace
}  // namespace mysqlop::testing
