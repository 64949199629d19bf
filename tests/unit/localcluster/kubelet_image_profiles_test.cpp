#include <unistd.h>

#include <gtest/gtest.h>

#include "localcluster/kubelet/container_plan.h"
#include "localcluster/kubelet/image_ref.h"
#include "tests/support/temp_dir.h"

namespace mysqlop::local::kubelet {
namespace {

using mysqlop::testing::TempDir;

std::string normalised(const std::string& image) { return parseImageReference(image).toString(); }

TEST(ImageReference, NormalisesAsTheRuntimeDoes) {
  EXPECT_EQ(normalised("busybox"), "docker.io/library/busybox:latest");
  EXPECT_EQ(normalised("busybox:1.36"), "docker.io/library/busybox:1.36");
  EXPECT_EQ(normalised("docker.io/library/busybox:latest"), "docker.io/library/busybox:latest");
  EXPECT_EQ(normalised("index.docker.io/library/busybox"), "docker.io/library/busybox:latest");
  EXPECT_EQ(normalised("docker.io/busybox"), "docker.io/library/busybox:latest");
  EXPECT_EQ(normalised("bitpoke/mysql-operator:v1"), "docker.io/bitpoke/mysql-operator:v1");
  EXPECT_EQ(normalised("quay.io/x/y"), "quay.io/x/y:latest");
  EXPECT_EQ(normalised("localhost/y:2"), "localhost/y:2");
  EXPECT_EQ(normalised("localhost:5000/y"), "localhost:5000/y:latest");  // a port, not a tag
  EXPECT_EQ(normalised("Registry/y"), "Registry/y:latest");              // upper case: a domain
  EXPECT_EQ(normalised("debian@sha256:abc"), "docker.io/library/debian@sha256:abc");
  EXPECT_EQ(normalised("debian:12@sha256:abc"), "docker.io/library/debian:12@sha256:abc");
  EXPECT_EQ(normalised(""), "");
}

TEST(ImagePattern, WithoutTagMatchesEveryTagAndDigest) {
  ImagePattern p("busybox");
  EXPECT_TRUE(p.matches(parseImageReference("busybox")));
  EXPECT_TRUE(p.matches(parseImageReference("busybox:1.36")));
  EXPECT_TRUE(p.matches(parseImageReference("docker.io/library/busybox@sha256:ab")));
  EXPECT_FALSE(p.matches(parseImageReference("quay.io/busybox")));
  EXPECT_FALSE(p.matches(parseImageReference("busyboxes")));
  EXPECT_FALSE(p.matches(parseImageReference("")));
}

TEST(ImagePattern, TagsDigestsAndStars) {
  EXPECT_TRUE(ImagePattern("busybox:1.*").matches(parseImageReference("busybox:1.36")));
  EXPECT_FALSE(ImagePattern("busybox:1.*").matches(parseImageReference("busybox:2")));
  EXPECT_FALSE(ImagePattern("busybox:*").matches(parseImageReference("busybox@sha256:ab")));
  EXPECT_TRUE(ImagePattern("busybox:latest").matches(parseImageReference("busybox")));
  EXPECT_TRUE(ImagePattern("busybox@sha256:a*").matches(parseImageReference("busybox@sha256:ab")));
  EXPECT_FALSE(ImagePattern("busybox@sha256:a*").matches(parseImageReference("busybox:1")));
  EXPECT_TRUE(ImagePattern("*/library/debian:*").matches(parseImageReference("debian:12")));
  EXPECT_TRUE(ImagePattern("*/library/debian:*")
                  .matches(parseImageReference("mirror.io/library/debian:1")));
  EXPECT_TRUE(ImagePattern("percona/*").matches(parseImageReference("percona/server:8")));
  EXPECT_TRUE(ImagePattern("*/*").matches(parseImageReference("quay.io/a/b/c:1")));
}

TEST(GlobMatch, StarMatchesAnyRun) {
  EXPECT_TRUE(globMatch("a*c", "abbbc"));
  EXPECT_TRUE(globMatch("a*c", "ac"));
  EXPECT_TRUE(globMatch("*", ""));
  EXPECT_TRUE(globMatch("a*b*c", "aXbYbZc"));
  EXPECT_FALSE(globMatch("a*c", "abd"));
  EXPECT_FALSE(globMatch("abc", "ab"));
}

TEST(ImageProfiles, LoadsEveryField) {
  TempDir dir;
  const auto file = dir.write("p.yaml", R"(# comment
- images: [busybox, "quay.io/x/*"]
  entrypoint: [/bin/tini, --]
  cmd: [sh]
  readOnlyBinds:
    - {host: /usr/bin/busybox, container: /bin/busybox}
  env:
    - {name: PATH, value: /bin}
  workingDir: /data
- images: [percona]
  unavailable: use MariaDB
)");
  auto profiles = ImageProfiles::load({file});
  ASSERT_TRUE(profiles) << profiles.error().message;
  const ImageProfile* p = profiles->find("busybox:1.36");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->images, (std::vector<std::string>{"busybox", "quay.io/x/*"}));
  EXPECT_EQ(p->entrypoint, (std::vector<std::string>{"/bin/tini", "--"}));
  EXPECT_EQ(p->cmd, (std::vector<std::string>{"sh"}));
  ASSERT_EQ(p->readOnlyBinds.size(), 1u);
  EXPECT_EQ(p->readOnlyBinds[0].first, "/usr/bin/busybox");
  EXPECT_EQ(p->readOnlyBinds[0].second, "/bin/busybox");
  ASSERT_EQ(p->env.size(), 1u);
  EXPECT_EQ(p->env[0].first, "PATH");
  EXPECT_EQ(p->env[0].second, "/bin");
  EXPECT_EQ(p->workingDir, "/data");
  EXPECT_EQ(p->source, file + ":2");
  EXPECT_EQ(profiles->find("quay.io/x/y:1"), p);
  EXPECT_EQ(p->unavailable, "");
  EXPECT_EQ(profiles->find("debian"), nullptr);
  ASSERT_NE(profiles->find("percona:8.0"), nullptr);
  EXPECT_EQ(profiles->find("percona:8.0")->unavailable, "use MariaDB");
  EXPECT_EQ(profiles->filesForMessage(), file);
}

TEST(ImageProfiles, LaterProfilesWin) {
  TempDir dir;
  const auto a =
      dir.write("a.yaml", "- {images: [busybox], cmd: [a]}\n- {images: [debian], cmd: [d]}\n");
  const auto b = dir.write("b.yaml", "- {images: ['busybox:*'], cmd: [b]}\n");
  auto profiles = ImageProfiles::load({a, b});
  ASSERT_TRUE(profiles) << profiles.error().message;
  EXPECT_EQ(profiles->find("busybox:1")->cmd, std::vector<std::string>{"b"});
  EXPECT_EQ(profiles->find("debian")->cmd, std::vector<std::string>{"d"});
  EXPECT_EQ(profiles->filesForMessage(), a + ", " + b);
}

TEST(ImageProfiles, EmptyFileHasNoProfiles) {
  TempDir dir;
  auto profiles = ImageProfiles::load({dir.write("e.yaml", "# nothing\n")});
  ASSERT_TRUE(profiles) << profiles.error().message;
  EXPECT_EQ(profiles->find("busybox"), nullptr);
}

// Each bad file gives FILE:LINE: cause.
std::string loadError(const std::string& text) {
  TempDir dir;
  const auto file = dir.write("bad.yaml", text);
  auto profiles = ImageProfiles::load({file});
  if (profiles) {
    return "loaded";
  }
  EXPECT_EQ(profiles.error().code, Errc::Invalid);
  const std::string& m = profiles.error().message;
  EXPECT_EQ(m.rfind(file + ":", 0), 0u) << m;
  return m.substr(file.size());
}

TEST(ImageProfiles, ErrorsNameFileLineAndCause) {
  EXPECT_EQ(loadError("images: [a]\n"), ":1: expected a list of profiles");
  EXPECT_EQ(loadError("- busybox\n"), ":1: a profile must be a mapping");
  EXPECT_EQ(loadError("- images: [a]\n  entrypiont: [x]\n"),
            ":2: unknown key \"entrypiont\" (expected images, entrypoint, cmd, readOnlyBinds, env, "
            "workingDir, unavailable)");
  EXPECT_EQ(loadError("- images: [a]\n  unavailable: ''\n"),
            ":2: unavailable must say why and what to use instead");
  EXPECT_EQ(loadError("- images: [a]\n  unavailable: [x]\n"), ":2: unavailable must be a string");
  EXPECT_EQ(loadError("- images: [a]\n- cmd: [sh]\n"), ":2: profile has no images");
  EXPECT_EQ(loadError("- images: []\n"), ":1: profile has no images");
  EXPECT_EQ(loadError("- images: busybox\n"), ":1: images must be a list of strings");
  EXPECT_EQ(loadError("- images: [a]\n  cmd:\n    - [x]\n"), ":3: cmd must be a list of strings");
  EXPECT_EQ(loadError("- images: [a]\n  entrypoint: {a: b}\n"),
            ":2: entrypoint must be a list of strings");
  EXPECT_EQ(loadError("- images: [a]\n  workingDir: [x]\n"), ":2: workingDir must be a string");
  EXPECT_EQ(loadError("- images: [a]\n  env:\n    - {name: A}\n"),
            ":3: env must be a list of {name, value}");
  EXPECT_EQ(loadError("- images: [a]\n  env: [x]\n"), ":2: env must be a list of {name, value}");
  EXPECT_EQ(loadError("- images: [a]\n  readOnlyBinds:\n    - {host: /a, path: /b}\n"),
            ":3: readOnlyBinds must be a list of {host, container}");
  EXPECT_EQ(loadError("- images: [a]\n  readOnlyBinds: /a\n"),
            ":2: readOnlyBinds must be a list of {host, container}");
  EXPECT_EQ(loadError("- images: [a, '']\n"), ":1: images: an empty pattern matches no image");
  EXPECT_EQ(loadError("- images: [a]\n  readOnlyBinds:\n    - {host: usr/bin, container: /b}\n"),
            ":3: readOnlyBinds: \"usr/bin\" -> \"/b\": both paths must be absolute");
  EXPECT_EQ(loadError("- images: [a\n"), ":2: end of sequence flow not found");
}

TEST(ImageProfiles, UnreadableFileIsNamed) {
  TempDir dir;
  auto missing = ImageProfiles::load({dir.file("none.yaml")});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message,
            dir.file("none.yaml") + ": cannot read: No such file or directory");
  auto directory = ImageProfiles::load({dir.path()});
  ASSERT_FALSE(directory);
  EXPECT_EQ(directory.error().message, dir.path() + ": cannot read: Is a directory");
}

TEST(ImageProfiles, ShippedFileLoadsAndCoversTheTestImages) {
  auto profiles = ImageProfiles::load({MYSQLOP_SOURCE_DIR "/localcluster/image-profiles.yaml"});
  ASSERT_TRUE(profiles) << profiles.error().message;
  for (const char* image : {"busybox", "busybox:1.36", "debian:12", "debian:bookworm-slim",
                            "ubuntu:22.04", "python:3.12-slim", "alpine"}) {
    EXPECT_NE(profiles->find(image), nullptr) << image;
  }
  EXPECT_EQ(profiles->find("python:3")->cmd, std::vector<std::string>{"python3"});
  EXPECT_EQ(profiles->find("debian")->cmd, std::vector<std::string>{"sh"});
  EXPECT_TRUE(profiles->find("debian")->entrypoint.empty());
}

// The images the cluster plugin puts in a pod (issue 11): the exporter runs Debian's
// prometheus-mysqld-exporter; MySQL and Percona servers are known but unavailable, with the
// message the pod waits with.
TEST(ImageProfiles, ShippedFileCoversTheClusterPluginsImages) {
  auto profiles = ImageProfiles::load({MYSQLOP_SOURCE_DIR "/localcluster/image-profiles.yaml"});
  ASSERT_TRUE(profiles) << profiles.error().message;
  for (const char* image : {"prom/mysqld-exporter:v0.13.0", "docker.io/prom/mysqld-exporter",
                            "quay.io/prometheus/mysqld-exporter:v0.15.1"}) {
    const ImageProfile* p = profiles->find(image);
    ASSERT_NE(p, nullptr) << image;
    EXPECT_EQ(p->entrypoint, std::vector<std::string>{"prometheus-mysqld-exporter"}) << image;
    EXPECT_EQ(p->unavailable, "") << image;
  }
  const std::string why =
      "MySQL and Percona Server images do not run on the local cluster, which runs MariaDB only: "
      "use a MariaDB version for local clusters (spec.mysqlVersion: \"mariadb-10.11\")";
  for (const char* image :
       {"docker.io/library/percona:5.7.35", "percona:8.0.20", "percona/percona-server:8.0.32-24",
        "mysql:8.0", "docker.io/library/mysql:5.7", "mysql/mysql-server:8.0",
        "registry.local:5000/library/percona:5.7", "mirror.io/percona/percona-server:8.0"}) {
    const ImageProfile* p = profiles->find(image);
    ASSERT_NE(p, nullptr) << image;
    EXPECT_EQ(p->unavailable, why) << image;
  }
  for (const char* image : {"mariadb:10.11", "docker.io/bitpoke/mysql-operator-sidecar-5.7:latest",
                            "quay.io/x/mysql-server:8"}) {
    const ImageProfile* p = profiles->find(image);
    EXPECT_TRUE(p == nullptr || p->unavailable.empty()) << image;
  }
}

// The container's / is the host's: each shipped profile's program must be a host executable found
// through the profile's own PATH, as the container's exec would look it up.
TEST(ImageProfiles, ShippedProgramsExistOnThisHost) {
  auto profiles = ImageProfiles::load({MYSQLOP_SOURCE_DIR "/localcluster/image-profiles.yaml"});
  ASSERT_TRUE(profiles) << profiles.error().message;
  for (const char* image : {"busybox", "debian", "python", "prom/mysqld-exporter"}) {
    const ImageProfile* p = profiles->find(image);
    ASSERT_NE(p, nullptr) << image;
    const auto argv = resolveArgv(nlohmann::json::object(), *p, {});
    ASSERT_FALSE(argv.empty()) << image;
    std::string path;
    for (const auto& [name, value] : p->env) {
      if (name == "PATH") {
        path = value;
      }
    }
    bool found = false;
    size_t start = 0;
    while (!found && start <= path.size()) {
      const size_t colon = std::min(path.find(':', start), path.size());
      const std::string candidate = path.substr(start, colon - start) + "/" + argv[0];
      found = ::access(candidate.c_str(), X_OK) == 0;
      start = colon + 1;
    }
    EXPECT_TRUE(found) << image << ": " << argv[0] << " not in " << path;
    for (const auto& [host, container] : p->readOnlyBinds) {
      EXPECT_EQ(::access(host.c_str(), F_OK), 0) << image << ": " << host;
    }
  }
}

}  // namespace
}  // namespace mysqlop::local::kubelet
