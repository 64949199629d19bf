// The NameService against a real API server: files written from Services and EndpointSlices,
// rewritten in place as they change, and seen by a running bubblewrap container that binds them.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "localcluster/proxy/names.h"
#include "tests/integration/proxy/proxy_env.h"
#include "tests/support/process/child_process.h"

namespace mysqlop::local::proxy::it {
namespace {

using names::NameService;

class NamesTest : public ProxyEnv {
 protected:
  void SetUp() override {
    ProxyEnv::SetUp();
    if (HasFatalFailure()) {
      return;
    }
    createNamespace("db");
    createNamespace("other");
    names_ = std::make_unique<NameService>(*informers_, dir_);
  }
  void TearDown() override {
    if (names_) {
      names_->stop();
    }
    ProxyEnv::TearDown();
  }

  static json pod(const std::string& name, const std::string& uid, const std::string& subdomain) {
    json p = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", {{"name", name}, {"namespace", "db"}, {"uid", uid}}},
              {"spec", {{"containers", {{{"name", "c"}, {"image", "busybox"}}}}}}};
    if (!subdomain.empty()) {
      p["spec"]["subdomain"] = subdomain;
    }
    return p;
  }

  static std::string read(const std::string& path) { return mysqlop::testing::readFile(path); }
  static bool has(const std::string& text, const std::string& line) {
    return text.find(line) != std::string::npos;
  }
  static ino_t inode(const std::string& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0);
    return st.st_ino;
  }
  // getent's answer "<ip> <name>..." (padded with spaces) among its output lines.
  static bool resolved(const std::string& output, const std::string& ip, const std::string& name) {
    std::istringstream lines(output);
    for (std::string line; std::getline(lines, line);) {
      std::istringstream words(line);
      std::string first;
      words >> first;
      for (std::string w; first == ip && words >> w;) {
        if (w == name) {
          return true;
        }
      }
    }
    return false;
  }
  std::string ipOf(const json& service) { return service["spec"]["clusterIP"].get<std::string>(); }

  std::unique_ptr<NameService> names_;
};

TEST_F(NamesTest, FilesListThePodEveryServiceAndReadyHeadlessEndpoints) {
  json api = createService("db", "api", "");
  json web = createService("other", "web", "");
  createService("db", "mysql", "None");
  putSlice("db", "mysql",
           {{"198.18.0.5", "mysql-0", true},
            {"198.18.0.6", "mysql-1", false},
            {"198.18.0.7", "", true}});
  names_->start();
  startInformers();

  auto files = names_->filesFor(pod("mysql-0", "uid-1", "mysql"), "198.18.0.5");
  ASSERT_TRUE(files.ok()) << files.error().message;
  EXPECT_EQ(files->hosts, dir_ + "/pods/uid-1/etc-hosts");
  EXPECT_EQ(files->resolvConf, dir_ + "/pods/uid-1/etc-resolv.conf");

  std::string hosts = read(files->hosts);
  EXPECT_TRUE(has(hosts, "127.0.0.1\tlocalhost\n")) << hosts;
  EXPECT_TRUE(has(hosts, "\n198.18.0.5\tmysql-0.mysql.db.svc.cluster.local\tmysql-0\n")) << hosts;
  EXPECT_TRUE(
      has(hosts, "\n" + ipOf(api) + "\tapi.db.svc.cluster.local\tapi.db.svc\tapi.db\tapi\n"))
      << hosts;
  EXPECT_TRUE(
      has(hosts, "\n" + ipOf(web) + "\tweb.other.svc.cluster.local\tweb.other.svc\tweb.other\n"))
      << hosts;
  EXPECT_TRUE(has(hosts,
                  "\n198.18.0.5\tmysql-0.mysql.db.svc.cluster.local\tmysql-0.mysql.db.svc\t"
                  "mysql-0.mysql.db\tmysql-0.mysql\tmysql.db.svc.cluster.local\tmysql.db.svc\t"
                  "mysql.db\tmysql\n"))
      << hosts;
  EXPECT_TRUE(
      has(hosts, "\n198.18.0.7\tmysql.db.svc.cluster.local\tmysql.db.svc\tmysql.db\tmysql\n"))
      << hosts;
  EXPECT_FALSE(has(hosts, "198.18.0.6")) << "a not-ready endpoint has no name:\n" << hosts;
  EXPECT_EQ(read(files->resolvConf),
            "search db.svc.cluster.local svc.cluster.local cluster.local\n"
            "nameserver 127.0.0.1\n"
            "options ndots:5\n");
}

TEST_F(NamesTest, ChangesRewriteTheSameInode) {
  json api = createService("db", "api", "");
  createService("db", "mysql", "None");
  names_->start();
  startInformers();
  auto files = names_->filesFor(pod("mysql-0", "uid-1", "mysql"), "198.18.0.5");
  ASSERT_TRUE(files.ok()) << files.error().message;
  const std::string path = files->hosts;
  ino_t ino = inode(path);

  json cache = createService("db", "cache", "");
  std::string cacheLine = ipOf(cache) + "\tcache.db.svc.cluster.local";
  ASSERT_TRUE(eventually(
      "the new Service is listed", [&] { return has(read(path), cacheLine); },
      [&] { return read(path); }));

  putSlice("db", "mysql", {{"198.18.0.6", "mysql-1", false}});
  putSlice("db", "mysql", {{"198.18.0.6", "mysql-1", true}});
  ASSERT_TRUE(eventually(
      "mysql-1 is listed once ready",
      [&] { return has(read(path), "198.18.0.6\tmysql-1.mysql.db.svc.cluster.local"); },
      [&] { return read(path); }));

  deleteObject(kube::resources::kServices, "db", "api");
  ASSERT_TRUE(eventually(
      "the deleted Service is gone", [&] { return !has(read(path), "api.db.svc.cluster.local"); },
      [&] { return read(path); }));
  deleteObject(kEndpointSlices, "db", "mysql-slice");
  ASSERT_TRUE(eventually(
      "the deleted slice's endpoint is gone", [&] { return !has(read(path), "mysql-1.mysql"); },
      [&] { return read(path); }));
  EXPECT_EQ(inode(path), ino);
}

// The file bound at /etc/hosts of a container that keeps running: glibc in it sees each rewrite.
TEST_F(NamesTest, RunningContainerResolvesTheNewNames) {
  // bubblewrap is installed by scripts/test: without it this test fails, never skips.
  ASSERT_EQ(::access("/usr/bin/bwrap", X_OK), 0) << "no /usr/bin/bwrap";
  names_->start();
  startInformers();
  auto files = names_->filesFor(pod("mysql-0", "uid-1", "mysql"), "198.18.0.5");
  ASSERT_TRUE(files.ok()) << files.error().message;

  // The container reads names to look up from a FIFO and answers in a file. The test holds the
  // FIFO open read-write so that neither side blocks on open.
  std::string fifo = dir_ + "/ask";
  std::string out = dir_ + "/answers";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  int ask = ::open(fifo.c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(ask, 0);
  mysqlop::testing::SpawnSpec spec;
  spec.argv = {"/usr/bin/bwrap",
               "--ro-bind",
               "/",
               "/",
               "--dev",
               "/dev",
               "--proc",
               "/proc",
               "--bind",
               files->hosts,
               "/etc/hosts",
               "--bind",
               files->resolvConf,
               "/etc/resolv.conf",
               "--unshare-net",
               "--die-with-parent",
               "/bin/sh",
               "-c",
               "while read name; do getent hosts \"$name\" || echo \"missing $name\"; done"};
  spec.stdinPath = fifo;
  spec.stdoutPath = out;
  pid_t pid = mysqlop::testing::spawnProcess(spec);
  auto askFor = [&](const std::string& name) {
    std::string line = name + "\n";
    ASSERT_EQ(::write(ask, line.data(), line.size()), static_cast<ssize_t>(line.size()));
  };

  askFor("later");
  ASSERT_TRUE(eventually(
      "the unknown name fails (no DNS server is asked)",
      [&] { return has(read(out), "missing later\n"); }, [&] { return read(out); }));
  askFor("mysql-0.mysql.db.svc.cluster.local");
  ASSERT_TRUE(eventually(
      "the pod's own name resolves",
      [&] { return resolved(read(out), "198.18.0.5", "mysql-0.mysql.db.svc.cluster.local"); },
      [&] { return read(out); }));

  json later = createService("db", "later", "");
  ASSERT_TRUE(eventually("the file lists the new Service",
                         [&] { return has(read(files->hosts), "\tlater\n"); }));
  askFor("later");
  ASSERT_TRUE(eventually(
      "the running container resolves it",
      [&] { return resolved(read(out), ipOf(later), "later"); }, [&] { return read(out); }));
  ::close(ask);  // EOF ends the loop
  EXPECT_EQ(mysqlop::testing::waitForExit(pid, std::chrono::seconds(30)), 0);
}

TEST_F(NamesTest, UnchangedTextIsNotRewritten) {
  json api = createService("db", "api", "");
  names_->start();
  startInformers();
  auto files = names_->filesFor(pod("mysql-0", "uid-1", ""), "198.18.0.5");
  ASSERT_TRUE(files.ok()) << files.error().message;
  auto before = names_->stats();

  // A slice of a ClusterIP Service changes the model but not the text: a round, no write.
  putSlice("db", "api", {{"198.18.0.9", "", true}});
  ASSERT_TRUE(eventually("a round ran", [&] { return names_->stats().renders > before.renders; }));
  EXPECT_EQ(names_->stats().writes, before.writes);

  createService("db", "cache", "");
  ASSERT_TRUE(eventually("the new Service is written",
                         [&] { return names_->stats().writes == before.writes + 1; }));
}

TEST_F(NamesTest, PodIpFollowsTheApi) {
  json p = pod("mysql-0", "", "mysql");
  p["metadata"].erase("uid");
  auto created = client_->create(kube::resources::kPods, p);
  ASSERT_TRUE(created.ok()) << created.error().message;
  names_->start();
  startInformers();
  auto files = names_->filesFor(created.value(), "198.18.0.40");
  ASSERT_TRUE(files.ok()) << files.error().message;
  EXPECT_TRUE(
      has(read(files->hosts), "\n198.18.0.40\tmysql-0.mysql.db.svc.cluster.local\tmysql-0\n"));

  json withIp = created.value();
  withIp["status"]["podIP"] = "198.18.0.41";
  auto u = client_->updateStatus(kube::resources::kPods, withIp);
  ASSERT_TRUE(u.ok()) << u.error().message;
  ASSERT_TRUE(eventually(
      "the pod's line has its new IP",
      [&] { return has(read(files->hosts), "\n198.18.0.41\tmysql-0.mysql"); },
      [&] { return read(files->hosts); }));
}

TEST_F(NamesTest, ForgottenPodIsLeftAlone) {
  names_->start();
  startInformers();
  auto files = names_->filesFor(pod("mysql-0", "uid-1", ""), "198.18.0.5");
  ASSERT_TRUE(files.ok()) << files.error().message;
  std::string text = read(files->hosts);
  names_->forget("uid-1");
  auto before = names_->stats();
  createService("db", "cache", "");
  ASSERT_TRUE(eventually("a round ran", [&] { return names_->stats().renders > before.renders; }));
  EXPECT_EQ(read(files->hosts), text);
}

TEST_F(NamesTest, BadInput) {
  json noUid = pod("x", "", "");
  noUid["metadata"].erase("uid");
  auto r = names_->filesFor(noUid, "198.18.0.5");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "pod db/x has no metadata.uid");

  auto noIp = names_->filesFor(pod("x", "u", ""), "");
  ASSERT_FALSE(noIp.ok());
  EXPECT_EQ(noIp.error().message, "pod db/x has no IP (status.podIP is empty and none was given)");

  std::string file = dir_ + "/plain-file";
  std::ofstream(file) << "x";
  NameService bad(*informers_, file);
  auto notDir = bad.filesFor(pod("x", "u", ""), "198.18.0.5");
  ASSERT_FALSE(notDir.ok());
  EXPECT_EQ(notDir.error().message, "cannot create " + file + "/pods/u: Not a directory");
}

}  // namespace
}  // namespace mysqlop::local::proxy::it
