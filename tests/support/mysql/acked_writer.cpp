#include "tests/support/mysql/acked_writer.h"

#include <algorithm>
#include <chrono>

namespace mysqlop::testing {

AckedWriter::AckedWriter(std::vector<mysql::Endpoint> nodes, Options options)
    : AckedWriter([nodes = std::move(nodes)] { return nodes; }, std::move(options)) {}

AckedWriter::AckedWriter(Nodes nodes, Options options)
    : nodes_(std::move(nodes)), options_(std::move(options)) {
  thread_ = std::thread([this] { run(); });
}

void AckedWriter::stop() {
  stop_ = true;
  if (thread_.joinable()) {
    thread_.join();
  }
}

std::set<long long> AckedWriter::acked() const {
  std::lock_guard<std::mutex> lock(mu_);
  return acked_;
}

double AckedWriter::longestGapMs() const {
  std::lock_guard<std::mutex> lock(mu_);
  return gapMs_;
}

double AckedWriter::takeGapMs() {
  std::lock_guard<std::mutex> lock(mu_);
  const double g = gapMs_;
  gapMs_ = 0;
  return g;
}

std::unique_ptr<mysql::Connection> AckedWriter::findWritable() const {
  for (const auto& ep : nodes_()) {
    auto c = mysql::Connection::open(
        ep, {options_.user, options_.password},
        {std::chrono::seconds(1), std::chrono::seconds(3), std::chrono::seconds(3)});
    if (!c.ok()) {
      continue;
    }
    auto ro = (*c)->query("SELECT @@GLOBAL.read_only");
    if (ro.ok() && !ro->empty() && ro->rows[0][0].value_or("") == "0") {
      return std::move(*c);
    }
  }
  return nullptr;
}

void AckedWriter::run() {
  long long next = 1;
  auto last = std::chrono::steady_clock::now();
  std::unique_ptr<mysql::Connection> conn;
  while (!stop_) {
    if (!conn) {
      conn = findWritable();
    }
    if (conn) {
      const long long id = next++;
      if (conn->exec(options_.insert, {mysql::Arg::integer(id)}).ok()) {
        const auto now = std::chrono::steady_clock::now();
        std::lock_guard<std::mutex> lock(mu_);
        acked_.insert(id);
        gapMs_ = std::max(gapMs_, std::chrono::duration<double, std::milli>(now - last).count());
        last = now;
      } else {
        conn.reset();
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace mysqlop::testing
