#pragma once

// Runs the real mysql-operator binary and collects its stderr on a thread (header-only: the test
// target defines MYSQLOP_BINARY_DIR).

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <mutex>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/wait/poll.h"

namespace mysqlop::testing {

inline const std::string kOperatorBinary = std::string(MYSQLOP_BINARY_DIR) + "/bin/mysql-operator";

class OperatorProcess {
 public:
  explicit OperatorProcess(std::vector<std::string> args, Poco::Process::Env env = {}) {
    Poco::Pipe errPipe;
    handle_ = std::make_unique<Poco::ProcessHandle>(Poco::Process::launch(
        kOperatorBinary, args, std::filesystem::temp_directory_path().string(), nullptr, nullptr,
        &errPipe, env));
    reader_ = std::thread([this, errPipe]() mutable {
      Poco::PipeInputStream in(errPipe);
      std::string line;
      while (std::getline(in, line)) {
        std::lock_guard<std::mutex> lock(mu_);
        stderr_ += line + "\n";
      }
    });
  }
  ~OperatorProcess() {
    if (!exited_) {
      ::kill(handle_->id(), SIGKILL);
      wait();
    }
  }
  int pid() const { return handle_->id(); }
  int wait() {
    if (!exited_) {
      code_ = handle_->wait();
      exited_ = true;
      reader_.join();
    }
    return code_;
  }
  int terminate() {
    ::kill(handle_->id(), SIGTERM);
    return wait();
  }
  int killHard() {
    ::kill(handle_->id(), SIGKILL);
    return wait();
  }
  std::string err() {
    std::lock_guard<std::mutex> lock(mu_);
    return stderr_;
  }
  // Waits (up to a minute) for the first match of re in the log; returns group 1 ("" if none).
  std::string waitFor(const std::string& pattern) {
    const std::regex re(pattern);
    std::string found;
    pollUntil(
        [&] {
          std::smatch m;
          const std::string e = err();
          if (std::regex_search(e, m, re)) {
            found = m.size() > 1 ? m[1].str() : m[0].str();
            return true;
          }
          return static_cast<bool>(exited_);
        },
        Poll{std::chrono::seconds(60), std::chrono::milliseconds(10)});
    return found;
  }
  // The port of a "serving <what> on HOST:PORT" log line (0 when none came within a minute).
  int portOf(const std::string& what) {
    const std::string p = waitFor("serving " + what + " on [0-9.]*:([0-9]+)");
    return p.empty() ? 0 : std::stoi(p);
  }
  int metricsPort() {
    if (metricsPort_ == 0) {
      metricsPort_ = portOf("/metrics");
    }
    return metricsPort_;
  }
  std::string get(const std::string& path) {
    try {
      Poco::Net::HTTPClientSession s("127.0.0.1", static_cast<Poco::UInt16>(metricsPort()));
      Poco::Net::HTTPRequest req("GET", path, Poco::Net::HTTPMessage::HTTP_1_1);
      s.sendRequest(req);
      Poco::Net::HTTPResponse resp;
      std::stringstream body;
      body << s.receiveResponse(resp).rdbuf();
      return body.str();
    } catch (const std::exception&) {
      return {};
    }
  }
  // The value of one exposition line ("name{labels} value"), or -1.
  double metric(const std::string& series) {
    const std::string text = get("/metrics");
    const auto at = text.find("\n" + series + " ");
    if (at == std::string::npos) {
      return -1;
    }
    return std::stod(text.substr(at + series.size() + 2));
  }

 private:
  std::unique_ptr<Poco::ProcessHandle> handle_;
  std::thread reader_;
  std::mutex mu_;
  std::string stderr_;
  int code_ = -1;
  bool exited_ = false;
  int metricsPort_ = 0;
};

}  // namespace mysqlop::testing
