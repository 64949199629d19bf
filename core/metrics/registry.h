#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/result.h"

namespace mysqlop::metrics {

enum class Kind { Counter, Gauge, Histogram };

bool validMetricName(std::string_view name);
bool validLabelName(std::string_view name);
// Prometheus' default histogram buckets (5 ms .. 10 s).
const std::vector<double>& defaultBuckets();

// One time series of a family. Counters and gauges are lock-free; histograms take a small lock.
class Series {
 public:
  // bounds: the family's histogram upper bounds (empty for counters and gauges); must outlive it.
  explicit Series(const std::vector<double>& bounds)
      : bounds_(bounds), bucketCounts_(bounds.size() + 1, 0) {}
  void add(double v) { value_.fetch_add(v, std::memory_order_relaxed); }
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }
  void observe(double v);

 private:
  friend class Family;
  std::atomic<double> value_{0};
  const std::vector<double>& bounds_;
  std::mutex mu_;
  std::vector<std::uint64_t> bucketCounts_;  // non-cumulative; rendered cumulative
  double sum_ = 0;
  std::uint64_t count_ = 0;
};

// A metric family: name, help, label names, and one Series per combination of label values.
class Family {
 public:
  Family(Kind kind, std::string name, std::string help, std::vector<std::string> labelNames,
         std::vector<double> buckets);

  Kind kind() const { return kind_; }
  const std::string& name() const { return name_; }
  const std::vector<std::string>& labelNames() const { return labelNames_; }
  const std::vector<double>& buckets() const { return buckets_; }

  // The series for these label values; nullptr if their count does not match the label names.
  // The pointer stays valid for the life of the family, so hot paths can keep it.
  Series* series(const std::vector<std::string>& labelValues);

  bool add(const std::vector<std::string>& labelValues, double v);
  bool set(const std::vector<std::string>& labelValues, double v);
  bool observe(const std::vector<std::string>& labelValues, double v);
  // Current value of a counter or gauge series (0 if absent); for tests and readiness.
  double value(const std::vector<std::string>& labelValues) const;

  void render(std::string& out) const;

 private:
  Kind kind_;
  std::string name_;
  std::string help_;
  std::vector<std::string> labelNames_;
  std::vector<double> buckets_;
  mutable std::mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<Series>> series_;
};

// All metric families of the process, rendered in the Prometheus text format (version 0.0.4).
class Registry {
 public:
  // Registers a family, or returns the existing one if name, kind and labels are identical.
  // Fails with Invalid on a bad name, or a name already used with another shape.
  Result<Family*> add(Kind kind, const std::string& name, const std::string& help,
                      const std::vector<std::string>& labelNames,
                      const std::vector<double>& buckets = {});
  Family& counter(const std::string& name, const std::string& help,
                  const std::vector<std::string>& labelNames = {});
  Family& gauge(const std::string& name, const std::string& help,
                const std::vector<std::string>& labelNames = {});
  Family& histogram(const std::string& name, const std::string& help,
                    const std::vector<std::string>& labelNames,
                    const std::vector<double>& buckets = {});

  // Adds text produced at scrape time (process metrics), already in the exposition format.
  void addCollector(std::function<void(std::string&)> collector);

  std::string render() const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Family>> families_;
  std::vector<std::function<void(std::string&)>> collectors_;
};

// Appends process_resident_memory_bytes, process_cpu_seconds_total, process_open_fds,
// process_max_fds, process_start_time_seconds and process_virtual_memory_bytes.
void renderProcessMetrics(std::string& out);

// Resident set size of this process in bytes, from /proc/self/statm.
std::uint64_t residentBytes();

}  // namespace mysqlop::metrics
