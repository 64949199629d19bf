// mysql-operator-local: the local control plane. `up`/`down`/`status` run a whole local cluster;
// `apiserver` serves the Kubernetes API alone.
#include <signal.h>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>

#include "localcluster/apiserver/http_server.h"
#include "localcluster/cluster/commands.h"
#include "localcluster/cluster/listen_address.h"

namespace {

constexpr const char* kCommands =
    "usage: mysql-operator-local COMMAND [options]   (COMMAND --help for its options)\n"
    "\n"
    "  up          run a local cluster: API server, controllers, Service proxy, process kubelet\n"
    "  down        stop the local cluster of a data dir and remove what it made on the machine\n"
    "  status      nodes, pods and Services of a running local cluster\n"
    "  fault       partition|heal|freeze|thaw|kill a pod of a running local cluster\n"
    "  apiserver   the Kubernetes API server alone\n";

constexpr const char* kUsage =
    "usage: mysql-operator-local apiserver --data-dir DIR [--listen HOST:PORT] [options]\n"
    "\n"
    "Serves a Kubernetes-compatible API (HTTPS with a generated CA and bearer token) with state\n"
    "in DIR/state.db, and writes DIR/kubeconfig. Prints one line 'listening on URL' when ready.\n"
    "\n"
    "options:\n"
    "  --listen HOST:PORT            address (default 127.0.0.1:6443; port 0 picks a free one)\n"
    "  --data-dir DIR                state, certificates, token and kubeconfig\n"
    "  --insecure-http               plain HTTP (loopback only)\n"
    "  --history-limit N             watch history kept, in events (default 20000)\n"
    "  --bookmark-interval-seconds S watch bookmark period (default 60)\n"
    "  --max-watch-seconds S         longest watch before the server ends it (default 1800)\n"
    "  --max-threads N               HTTP worker threads (default 512)\n"
    "  --service-account-max-token-expiration-seconds S\n"
    "                                longest service-account token TokenRequest grants\n"
    "                                (default: as asked)\n"
    "  --service-cidr CIDR           Service ClusterIPs, inside 198.18.0.0/15 (default\n"
    "                                198.19.0.0/16); the first address is the kubernetes\n"
    "                                Service's\n"
    "  --tls-san NAME                an IP address or DNS name for the serving certificate\n"
    "                                (repeatable)\n"
    "  --log-level LEVEL             trace, debug, info, warn, error (default info)\n";

int apiserver(int argc, char** argv) {
  mysqlop::local::HttpFront::Options opts;
  opts.port = 6443;
  std::string level = "info";
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "mysql-operator-local: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    try {
      if (a == "--listen") {
        if (!mysqlop::local::cluster::parseListen(value(), &opts.host, &opts.port)) {
          std::fprintf(stderr, "mysql-operator-local: invalid --listen address %s\n", argv[i]);
          return 2;
        }
      } else if (a == "--data-dir") {
        opts.dataDir = value();
      } else if (a == "--insecure-http") {
        opts.insecureHttp = true;
      } else if (a == "--history-limit") {
        opts.api.historyLimit = std::stoul(value());
      } else if (a == "--bookmark-interval-seconds") {
        opts.api.bookmarkIntervalSeconds = std::stoi(value());
      } else if (a == "--max-watch-seconds") {
        opts.api.maxWatchSeconds = std::stoi(value());
      } else if (a == "--service-account-max-token-expiration-seconds") {
        opts.api.maxTokenSeconds = std::stoll(value());
        if (opts.api.maxTokenSeconds <= 0) {
          throw std::invalid_argument("not positive");
        }
      } else if (a == "--max-threads") {
        opts.maxThreads = std::stoi(value());
      } else if (a == "--service-cidr") {
        opts.api.serviceCidr = value();
      } else if (a == "--tls-san") {
        opts.extraSans.push_back(value());
      } else if (a == "--log-level") {
        level = value();
      } else if (a == "-h" || a == "--help") {
        std::fputs(kUsage, stdout);
        return 0;
      } else {
        std::fprintf(stderr, "mysql-operator-local: unknown flag %s\n%s", a.c_str(), kUsage);
        return 2;
      }
    } catch (const std::exception&) {
      std::fprintf(stderr, "mysql-operator-local: invalid value for %s\n", a.c_str());
      return 2;
    }
  }
  if (opts.dataDir.empty()) {
    std::fprintf(stderr, "mysql-operator-local: --data-dir is required\n%s", kUsage);
    return 2;
  }
  spdlog::set_level(spdlog::level::from_str(level));
  spdlog::set_default_logger(spdlog::stderr_color_mt("apiserver"));
  spdlog::set_level(spdlog::level::from_str(level));

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  mysqlop::local::HttpFront front;
  if (auto r = front.start(opts); !r.ok()) {
    std::fprintf(stderr, "mysql-operator-local: %s\n", r.error().message.c_str());
    return 1;
  }
  std::printf("listening on %s\n", front.url().c_str());
  std::fflush(stdout);
  spdlog::info("serving {} (data in {})", front.url(), opts.dataDir);
  int sig = 0;
  sigwait(&signals, &sig);
  spdlog::info("signal {}: shutting down", sig);
  front.stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "-h") == 0 || std::strcmp(argv[1], "--help") == 0) {
    std::fputs(kCommands, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  std::string cmd = argv[1];
  if (cmd == "apiserver") {
    return apiserver(argc - 2, argv + 2);
  }
  if (cmd == "up") {
    return mysqlop::local::cluster::upCommand(argc - 2, argv + 2);
  }
  if (cmd == "down") {
    return mysqlop::local::cluster::downCommand(argc - 2, argv + 2);
  }
  if (cmd == "status") {
    return mysqlop::local::cluster::statusCommand(argc - 2, argv + 2);
  }
  if (cmd == "fault") {
    return mysqlop::local::cluster::faultCommand(argc - 2, argv + 2);
  }
  std::fprintf(stderr, "mysql-operator-local: unknown command %s\n%s", cmd.c_str(), kCommands);
  return 2;
}
