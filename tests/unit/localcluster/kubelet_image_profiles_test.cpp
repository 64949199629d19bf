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
            "workingDir, scratchDirs, localVersion, unavailable)");
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
  EXPECT_EQ(loadError("- images: [a]\n  scratchDirs: [tmp]\n"),
            ":2: scratchDirs: \"tmp\" must be an absolute path below /");
  EXPECT_EQ(loadError("- images: [a]\n  scratchDirs: [/]\n"),
            ":2: scratchDirs: \"/\" must be an absolute path below /");
  EXPECT_EQ(loadError("- images: [a]\n  scratchDirs: /tmp\n"),
            ":2: scratchDirs must be a list of strings");
  const std::string versionShape = "localVersion must be {name, command: [program, args...]}";
  EXPECT_EQ(loadError("- images: [a]\n  localVersion: [x]\n"), ":2: " + versionShape);
  EXPECT_EQ(loadError("- images: [a]\n  localVersion: {name: X}\n"), ":2: " + versionShape);
  EXPECT_EQ(loadError("- images: [a]\n  localVersion: {command: [x]}\n"), ":2: " + versionShape);
  EXPECT_EQ(loadError("- images: [a]\n  localVersion: {name: X, cmd: [x]}\n"),
            ":2: " + versionShape);
  EXPECT_EQ(loadError("- images: [a]\n  localVersion: {name: X, command: x}\n"),
            ":2: localVersion.command must be a list of strings");
}

// ${binDir} and ${profileDir} in every field that names a host path or program; an unknown or
// unclosed variable names the file and the line of the word.
TEST(ImageProfiles, VariablesExpandAndUnknownOnesAreRefused) {
  TempDir dir;
  const auto file = dir.write("v.yaml", R"(- images: [tool]
  entrypoint: ["${binDir}/tool", "--conf=${profileDir}/tool.conf"]
  cmd: ["${binDir}"]
  readOnlyBinds:
    - {host: "${profileDir}/etc", container: /etc/tool}
  scratchDirs: [/run/tool]
  localVersion: {name: Tool, command: ["${binDir}/tool", --version]}
  env:
    - {name: TOOL, value: "${binDir}/tool $HOME $(X) ${profileDir}"}
  workingDir: "${profileDir}"
)");
  auto profiles = ImageProfiles::load({file}, {"/opt/bin"});
  ASSERT_TRUE(profiles) << profiles.error().message;
  const ImageProfile* p = profiles->find("tool");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->entrypoint,
            (std::vector<std::string>{"/opt/bin/tool", "--conf=" + dir.path() + "/tool.conf"}));
  EXPECT_EQ(p->cmd, std::vector<std::string>{"/opt/bin"});
  ASSERT_EQ(p->readOnlyBinds.size(), 1u);
  EXPECT_EQ(p->readOnlyBinds[0].first, dir.path() + "/etc");
  EXPECT_EQ(p->scratchDirs, std::vector<std::string>{"/run/tool"});
  EXPECT_EQ(p->localVersionName, "Tool");
  EXPECT_EQ(p->localVersionCommand, (std::vector<std::string>{"/opt/bin/tool", "--version"}));
  ASSERT_EQ(p->env.size(), 1u);
  EXPECT_EQ(p->env[0].second, "/opt/bin/tool $HOME $(X) " + dir.path());  // other $ words stay
  EXPECT_EQ(p->workingDir, dir.path());

  // Without a binDir: the running executable's directory.
  auto running = ImageProfiles::load({file});
  ASSERT_TRUE(running) << running.error().message;
  char exe[4096] = {};
  ASSERT_GT(::readlink("/proc/self/exe", exe, sizeof exe - 1), 0);
  const std::string exeDir = std::string(exe).substr(0, std::string(exe).rfind('/'));
  EXPECT_EQ(running->find("tool")->cmd, std::vector<std::string>{exeDir});

  EXPECT_EQ(loadError("- images: [a]\n  entrypoint: [\"${bindir}/x\"]\n"),
            ":2: unknown variable ${bindir} in \"${bindir}/x\" (expected ${binDir} or "
            "${profileDir})");
  EXPECT_EQ(
      loadError("- images: [a]\n  readOnlyBinds:\n    - {host: \"${HOME}/a\", container: /a}\n"),
      ":3: unknown variable ${HOME} in \"${HOME}/a\" (expected ${binDir} or ${profileDir})");
  EXPECT_EQ(loadError("- images: [a]\n  env:\n    - {name: A, value: \"${binDir\"}\n"),
            ":3: unclosed ${ in \"${binDir\"");
  EXPECT_EQ(loadError("- images: [a]\n  workingDir: \"${}\"\n"),
            ":2: unknown variable ${} in \"${}\" (expected ${binDir} or ${profileDir})");
  EXPECT_EQ(loadError("- images: [a]\n  scratchDirs: [\"${x}\"]\n"),
            ":2: unknown variable ${x} in \"${x}\" (expected ${binDir} or ${profileDir})");
}

TEST(LocalVersion, VersionNumbersAndTags) {
  EXPECT_EQ(findVersionNumber("mariadbd  Ver 10.11.19-MariaDB-0+deb12u1 for debian-linux-gnu on "
                              "x86_64 (Debian 12)"),
            "10.11.19");
  EXPECT_EQ(findVersionNumber("tool 2 (build 7.1)"), "7.1");
  EXPECT_EQ(findVersionNumber("v1.2.3"), "1.2.3");
  EXPECT_EQ(findVersionNumber("no version"), "");
  EXPECT_TRUE(tagNamesOtherVersion("10.6", "10.11.19"));
  EXPECT_TRUE(tagNamesOtherVersion("11.4.2-noble", "10.11.19"));
  EXPECT_TRUE(tagNamesOtherVersion("10.11.5", "10.11.19"));
  EXPECT_TRUE(tagNamesOtherVersion("10.11.19.1", "10.11.19"));
  EXPECT_FALSE(tagNamesOtherVersion("10.11", "10.11.19"));
  EXPECT_FALSE(tagNamesOtherVersion("10", "10.11.19"));
  EXPECT_FALSE(tagNamesOtherVersion("10.11.19-jammy", "10.11.19"));
  EXPECT_FALSE(tagNamesOtherVersion("10.011", "10.11.19"));
  EXPECT_FALSE(tagNamesOtherVersion("latest", "10.11.19"));
  EXPECT_FALSE(tagNamesOtherVersion("lts", "10.11.19"));
  EXPECT_FALSE(tagNamesOtherVersion("", "10.11.19"));
  EXPECT_FALSE(tagNamesOtherVersion("10.6", ""));
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
  for (const char* image : {"quay.io/x/mysql-server:8"}) {
    const ImageProfile* p = profiles->find(image);
    EXPECT_TRUE(p == nullptr || p->unavailable.empty()) << image;
  }
  // The MariaDB server (chooseMysqlImage: docker.io/library/mariadb:<tag as written>), any
  // registry and tag: the entrypoint emulation, mariadbd, the container's own /run/mysqld.
  const std::string shared = MYSQLOP_SOURCE_DIR "/localcluster";
  for (const char* image :
       {"docker.io/library/mariadb:10.11", "mariadb:10.6", "mariadb",
        "mirror.io/library/mariadb:11.4", "quay.io/mariadb/server:10.11", "mariadb@sha256:ab"}) {
    const ImageProfile* p = profiles->find(image);
    ASSERT_NE(p, nullptr) << image;
    EXPECT_EQ(p->entrypoint,
              (std::vector<std::string>{"bash", shared + "/images/mariadb/docker-entrypoint.sh"}))
        << image;
    EXPECT_EQ(p->cmd, std::vector<std::string>{"mariadbd"}) << image;
    EXPECT_EQ(p->scratchDirs, (std::vector<std::string>{"/run/mysqld", "/tmp", "/var/lib/mysql"}));
    EXPECT_EQ(p->localVersionName, "MariaDB");
    EXPECT_EQ(p->localVersionCommand, (std::vector<std::string>{"mariadbd", "--version"}));
  }
  // The sidecar images: bitpoke's (the plugin's defaults for 5.7, 8.0 and MariaDB), the older
  // presslabs name, and any repository called mysql-operator-sidecar (ours).
  for (const char* image :
       {"docker.io/bitpoke/mysql-operator-sidecar-5.7:latest",
        "docker.io/bitpoke/mysql-operator-sidecar-8.0:latest", "bitpoke/mysql-operator-sidecar-5.7",
        "quay.io/presslabs/mysql-operator-sidecar:0.4.0", "presslabs/mysql-operator-sidecar",
        "docker.io/mysqlop/mysql-operator-sidecar:latest", "ghcr.io/x/mysql-operator-sidecar:1"}) {
    const ImageProfile* p = profiles->find(image);
    ASSERT_NE(p, nullptr) << image;
    EXPECT_EQ(p->entrypoint,
              (std::vector<std::string>{"bash", shared + "/images/sidecar-entrypoint.sh"}))
        << image;
    EXPECT_TRUE(p->cmd.empty()) << image;
    EXPECT_EQ(p->scratchDirs, std::vector<std::string>{"/tmp"}) << image;
  }
}

// The container's / is the host's: each shipped profile's program must be a host executable found
// through the profile's own PATH, as the container's exec would look it up.
TEST(ImageProfiles, ShippedProgramsExistOnThisHost) {
  auto profiles = ImageProfiles::load({MYSQLOP_SOURCE_DIR "/localcluster/image-profiles.yaml"},
                                      {MYSQLOP_BINARY_DIR "/bin"});
  ASSERT_TRUE(profiles) << profiles.error().message;
  for (const char* image : {"busybox", "debian", "python", "prom/mysqld-exporter", "mariadb",
                            "bitpoke/mysql-operator-sidecar-5.7"}) {
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
    // An entrypoint script and what it runs: the script, the version command, the server's own
    // programs, pt-heartbeat/pt-kill, and our sidecar (from ${binDir}).
    for (size_t i = 1; i < argv.size(); ++i) {
      if (argv[i].find('/') != std::string::npos) {
        EXPECT_EQ(::access(argv[i].c_str(), R_OK), 0) << image << ": " << argv[i];
      }
    }
    for (const auto& [name, value] : p->env) {
      if (name == "MYSQLOP_SIDECAR_BINARY") {
        EXPECT_EQ(value, MYSQLOP_BINARY_DIR "/bin/mysql-operator-sidecar");
      }
    }
  }
  for (const char* program :
       {"/usr/sbin/mariadbd", "/usr/bin/mariadb-install-db", "/usr/bin/mariadb", "/usr/bin/setpriv",
        "/usr/bin/pt-heartbeat", "/usr/bin/pt-kill"}) {
    EXPECT_EQ(::access(program, X_OK), 0) << program;
  }
}

}  // namespace
}  // namespace mysqlop::local::kubelet
