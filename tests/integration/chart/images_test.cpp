// The Dockerfiles cannot be built here (no Docker): every path they copy must exist, in the
// repository (the build context) or in the build tree (what the build stage produces, checked in
// this tree built by the same scripts), and their build stages must call the functions CI calls.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "localcluster/kubelet/container_plan.h"
#include "tests/integration/chart/chart_support.h"

namespace mysqlop::chart_test {
namespace {

namespace fs = std::filesystem;

struct Copy {
  bool fromBuild = false;
  std::vector<std::string> sources;
  int line = 0;
};

std::vector<Copy> copies(const std::string& dockerfile) {
  std::vector<Copy> out;
  std::istringstream in(readFile(dockerfile));
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.rfind("COPY ", 0) != 0) {
      continue;
    }
    std::istringstream words(line.substr(5));
    std::vector<std::string> args;
    Copy c;
    c.line = n;
    for (std::string w; words >> w;) {
      if (w.rfind("--from=", 0) == 0) {
        EXPECT_EQ(w, "--from=build") << dockerfile << ":" << n;
        c.fromBuild = true;
      } else if (w.rfind("--", 0) != 0) {
        args.push_back(w);
      }
    }
    EXPECT_GE(args.size(), 2u) << dockerfile << ":" << n;
    if (!args.empty()) {
      args.pop_back();  // the destination
    }
    c.sources = args;
    out.push_back(c);
  }
  return out;
}

// /src is the build stage's WORKDIR (the repository), /src/build its build tree.
std::string localPath(const Copy& c, const std::string& source) {
  if (!c.fromBuild) {
    return sourceDir() + "/" + source;
  }
  if (source.rfind("/src/build/", 0) == 0) {
    return std::string(MYSQLOP_BINARY_DIR) + "/" + source.substr(11);
  }
  EXPECT_EQ(source.rfind("/src/", 0), 0u) << source;
  return sourceDir() + "/" + source.substr(5);
}

class Images : public ::testing::TestWithParam<std::string> {};

TEST_P(Images, EveryCopiedPathExists) {
  const std::string dockerfile = sourceDir() + "/" + GetParam();
  ASSERT_TRUE(fs::exists(dockerfile));
  const std::vector<Copy> all = copies(dockerfile);
  ASSERT_FALSE(all.empty());
  for (const Copy& c : all) {
    for (const std::string& s : c.sources) {
      EXPECT_TRUE(fs::exists(localPath(c, s)))
          << GetParam() << ":" << c.line << ": " << s << " -> " << localPath(c, s)
          << " does not exist (build the tree first for build-stage paths)";
    }
  }
}

TEST_P(Images, TheBuildStageRunsCiScriptsAndTheImageIsNotRoot) {
  const std::string text = readFile(sourceDir() + "/" + GetParam());
  EXPECT_NE(text.find("FROM debian:bookworm-slim AS build"), std::string::npos);
  EXPECT_NE(text.find("source scripts/lib.sh && install_packages"), std::string::npos);
  EXPECT_NE(text.find("configure_and_build /src/build"), std::string::npos);
  const std::string lib = readFile(sourceDir() + "/scripts/lib.sh");
  EXPECT_NE(lib.find("install_packages() {"), std::string::npos);
  EXPECT_NE(lib.find("configure_and_build() {"), std::string::npos);
  // Every final stage runs as a non-root user.
  static const std::regex user(R"(\nUSER (\d+):(\d+)\n)");
  auto n =
      std::distance(std::sregex_iterator(text.begin(), text.end(), user), std::sregex_iterator());
  EXPECT_GE(n, 1);
  EXPECT_EQ(text.find("USER root"), std::string::npos);
  EXPECT_EQ(text.find("USER 0"), std::string::npos);
}

// The build stage sees only what it copies: those sources alone must configure (tests off, as
// the Dockerfiles build) and plan the image's programs.
TEST_P(Images, TheBuildStageBuildsFromWhatItCopiesAlone) {
  const std::string dockerfile = sourceDir() + "/" + GetParam();
  const std::string text = readFile(dockerfile);
  // Line of the second FROM: the end of the build stage.
  int buildEnd = 0;
  {
    std::istringstream in(text);
    int n = 0;
    int froms = 0;
    for (std::string line; std::getline(in, line);) {
      ++n;
      if (line.rfind("FROM ", 0) == 0 && ++froms == 2) {
        buildEnd = n;
        break;
      }
    }
  }
  ASSERT_GT(buildEnd, 0);
  const fs::path dir =
      fs::temp_directory_path() / ("mysqlop-image-src-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "src");
  for (const Copy& c : copies(dockerfile)) {
    if (c.fromBuild || c.line > buildEnd) {
      continue;
    }
    for (const std::string& s : c.sources) {
      fs::path from = sourceDir() + "/" + s;
      fs::path to = dir / "src" / fs::path(s).lexically_normal();
      fs::create_directories(to.parent_path());
      fs::copy(from, to, fs::copy_options::recursive);
    }
  }
  const std::string build = (dir / "src" / "build").string();
  auto configured =
      testing::runCommand({"/usr/bin/env", "cmake", "-S", (dir / "src").string(), "-B", build, "-G",
                           "Ninja", "-DCMAKE_BUILD_TYPE=RelWithDebInfo",
                           "-DMYSQLOP_BUILD_TESTS=OFF", "-DMYSQLOP_BUILD_BENCH=OFF"});
  EXPECT_EQ(configured.exitCode, 0) << configured.out << configured.err;
  const std::vector<std::string> programs =
      GetParam().find("operator/") != std::string::npos
          ? std::vector<std::string>{"mysql-operator", "mysqlop_plugin_cluster",
                                     "mysqlop_plugin_orchestrator"}
          : std::vector<std::string>{"mysql-operator-sidecar",   "mysqlop_plugin_target_file",
                                     "mysqlop_plugin_target_s3", "mysqlop_plugin_target_azure",
                                     "mysqlop_plugin_target_gs", "mysqlop_plugin_target_rclone"};
  std::vector<std::string> plan = {"/usr/bin/env", "ninja", "-C", build, "-n"};
  plan.insert(plan.end(), programs.begin(), programs.end());
  auto planned = testing::runCommand(plan);
  EXPECT_EQ(planned.exitCode, 0) << planned.out << planned.err;
  fs::remove_all(dir);
}

// The runtime stages start from debian:bookworm-slim, which has libc, libstdc++ and libgcc: every
// other shared library that a program copied from the build stage links (ldd on this build tree,
// built by the same scripts) must come from a package the Dockerfile installs by name.
TEST_P(Images, TheRuntimeStagesInstallEveryLibraryTheCopiedProgramsLink) {
  const std::string dockerfile = sourceDir() + "/" + GetParam();
  const std::string text = readFile(dockerfile);
  const std::string runtime = text.substr(text.find("\nFROM ", text.find(" AS build")));
  // The sanitizer runtimes are linked only by a -DMYSQLOP_SANITIZE=ON tree; the images are built
  // from a release tree, which links neither.
  static const std::set<std::string> inBase = {"libc6", "libstdc++6", "libgcc-s1", "libasan8",
                                               "libubsan1"};
  std::set<std::string> missing;
  for (const Copy& c : copies(dockerfile)) {
    if (!c.fromBuild) {
      continue;
    }
    for (const std::string& s : c.sources) {
      std::vector<fs::path> files;
      const fs::path local = localPath(c, s);
      if (fs::is_directory(local)) {
        for (const auto& e : fs::recursive_directory_iterator(local)) {
          if (e.is_regular_file() && e.path().extension() == ".so") {
            files.push_back(e.path());
          }
        }
      } else if (fs::is_regular_file(local) && local.string().find("/bin/") != std::string::npos) {
        files.push_back(local);
      }
      for (const fs::path& f : files) {
        auto ldd = testing::runCommand({"/usr/bin/ldd", f.string()});
        ASSERT_EQ(ldd.exitCode, 0) << f << ": " << ldd.err;
        static const std::regex lib(R"(=> (/\S+) \(0x)");
        for (auto it = std::sregex_iterator(ldd.out.begin(), ldd.out.end(), lib);
             it != std::sregex_iterator(); ++it) {
          // Debian's merged /usr: dpkg may know the file under /lib, under /usr/lib, or only
          // by the name of a symlink to it.
          const std::string linked = (*it)[1].str();
          const std::string real = fs::canonical(linked).string();
          testing::CommandResult owner;
          for (const std::string& path : {linked, real}) {
            for (const std::string& candidate :
                 {path, path.rfind("/usr/", 0) == 0 ? path.substr(4) : "/usr" + path}) {
              if (owner.exitCode != 0) {
                owner = testing::runCommand({"/usr/bin/dpkg", "-S", candidate});
              }
            }
          }
          ASSERT_EQ(owner.exitCode, 0) << linked << " (linked by " << f << ") is in no package";
          const std::string pkg = owner.out.substr(0, owner.out.find_first_of(":"));
          if (!inBase.count(pkg) && !std::regex_search(runtime, std::regex("\\s" + pkg + "\\s"))) {
            missing.insert(pkg + " (" + fs::path(real).filename().string() + ", linked by " +
                           f.filename().string() + ")");
          }
        }
      }
    }
  }
  std::string list;
  for (const std::string& m : missing) {
    list += "\n  " + m;
  }
  EXPECT_TRUE(missing.empty()) << GetParam() << " installs none of:" << list;
}

INSTANTIATE_TEST_SUITE_P(Dockerfiles, Images,
                         ::testing::Values("images/operator/Dockerfile",
                                           "images/sidecar/Dockerfile"),
                         [](const ::testing::TestParamInfo<std::string>& p) {
                           return p.param.find("operator/") != std::string::npos ? "operator"
                                                                                 : "sidecar";
                         });

// Each sidecar flavor (a final stage) ends as the mysql user.
TEST(Images, EverySidecarFlavorEndsAsTheMysqlUser) {
  const std::string text = readFile(sourceDir() + "/images/sidecar/Dockerfile");
  for (const std::string flavor : {"mariadb", "mysql57", "mysql80"}) {
    auto at = text.find(" AS " + flavor + "\n");
    ASSERT_NE(at, std::string::npos) << flavor;
    auto next = text.find("\nFROM ", at);
    const std::string stage = text.substr(at, next == std::string::npos ? next : next - at);
    EXPECT_NE(stage.find("\nUSER 999:999"), std::string::npos) << flavor;
  }
}

// The local control plane runs the chart's operator image from the build tree (image profiles):
// the chart's container (args --config=...) becomes ${binDir}/mysql-operator --config=..., and
// the binary's plugin directory (<binary dir>/plugins) holds the bundled plugins.
TEST(Images, TheOperatorImageMapsToTheBuildTree) {
  const std::string binDir = std::string(MYSQLOP_BINARY_DIR) + "/bin";
  auto profiles = local::kubelet::ImageProfiles::load(
      {sourceDir() + "/localcluster/image-profiles.yaml"}, {binDir});
  ASSERT_TRUE(profiles) << profiles.error().message;
  auto docs = render({});
  const json* sts = findObject(docs, "StatefulSet", "r-mysql-operator");
  ASSERT_NE(sts, nullptr);
  const json& container = (*sts)["spec"]["template"]["spec"]["containers"][0];
  for (const std::string& image :
       {container["image"].get<std::string>(), std::string("mysqlop/mysql-operator"),
        std::string("registry.local:5000/mysqlop/mysql-operator:dev")}) {
    const local::kubelet::ImageProfile* p = profiles->find(image);
    ASSERT_NE(p, nullptr) << image;
    EXPECT_EQ(local::kubelet::resolveArgv(container, *p, {}),
              (std::vector<std::string>{binDir + "/mysql-operator",
                                        "--config=/etc/mysql-operator/config.yaml"}))
        << image;
  }
  EXPECT_TRUE(fs::exists(binDir + "/mysql-operator"));
  EXPECT_TRUE(fs::exists(binDir + "/plugins/mysqlop_cluster.so"));
  // The sidecar image of MariaDB clusters the chart configures runs the sidecar entrypoint.
  const local::kubelet::ImageProfile* sidecar =
      profiles->find("docker.io/mysqlop/mysql-operator-sidecar:0.1.0");
  ASSERT_NE(sidecar, nullptr);
  EXPECT_EQ(sidecar->entrypoint.back(), sourceDir() + "/localcluster/images/sidecar-entrypoint.sh");
}

}  // namespace
}  // namespace mysqlop::chart_test
