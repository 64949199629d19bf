#include "core/metrics/registry.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/common/assert.h"

namespace mysqlop::metrics {

namespace {

bool nameChar(char c, bool first, bool allowColon) {
  const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  const bool digit = c >= '0' && c <= '9';
  return alpha || (allowColon && c == ':') || (!first && digit);
}

void appendEscaped(std::string& out, std::string_view v, bool isHelp) {
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && !isHelp) {
      out += "\\\"";
    } else {
      out.push_back(c);
    }
  }
}

std::string formatValue(double v) {
  if (std::isnan(v)) {
    return "NaN";
  }
  if (std::isinf(v)) {
    return v > 0 ? "+Inf" : "-Inf";
  }
  return fmt::format("{}", v);
}

void appendLabels(std::string& out, const std::vector<std::string>& names,
                  const std::vector<std::string>& values, std::string_view extraName = {},
                  std::string_view extraValue = {}) {
  if (names.empty() && extraName.empty()) {
    return;
  }
  out.push_back('{');
  bool first = true;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (!first) {
      out.push_back(',');
    }
    first = false;
    out += names[i];
    out += "=\"";
    appendEscaped(out, values[i], false);
    out.push_back('"');
  }
  if (!extraName.empty()) {
    if (!first) {
      out.push_back(',');
    }
    out += extraName;
    out += "=\"";
    out += extraValue;
    out.push_back('"');
  }
  out.push_back('}');
}

const char* kindName(Kind k) {
  switch (k) {
    case Kind::Counter: return "counter";
    case Kind::Gauge: return "gauge";
    case Kind::Histogram: return "histogram";
  }
  return "untyped";
}

}  // namespace

bool validMetricName(std::string_view name) {
  if (name.empty()) {
    return false;
  }
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (!nameChar(name[i], i == 0, true)) {
      return false;
    }
  }
  return true;
}

bool validLabelName(std::string_view name) {
  if (name.empty() || name.substr(0, 2) == "__") {
    return false;
  }
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (!nameChar(name[i], i == 0, false)) {
      return false;
    }
  }
  return true;
}

const std::vector<double>& defaultBuckets() {
  static const std::vector<double> kBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                               0.5,   1,    2.5,   5,    10};
  return kBuckets;
}

void Series::observe(double v) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = std::lower_bound(bounds_.begin(), bounds_.end(), v);
  bucketCounts_[static_cast<std::size_t>(it - bounds_.begin())] += 1;  // last slot is +Inf
  sum_ += v;
  count_ += 1;
}

Family::Family(Kind kind, std::string name, std::string help, std::vector<std::string> labelNames,
               std::vector<double> buckets)
    : kind_(kind),
      name_(std::move(name)),
      help_(std::move(help)),
      labelNames_(std::move(labelNames)),
      buckets_(std::move(buckets)) {}

Series* Family::series(const std::vector<std::string>& labelValues) {
  if (labelValues.size() != labelNames_.size()) {
    return nullptr;
  }
  std::lock_guard<std::mutex> lock(mu_);
  auto& slot = series_[labelValues];
  if (!slot) {
    slot = std::make_unique<Series>(buckets_);
  }
  return slot.get();
}

bool Family::add(const std::vector<std::string>& labelValues, double v) {
  if (kind_ == Kind::Histogram || (kind_ == Kind::Counter && v < 0)) {
    return false;
  }
  Series* s = series(labelValues);
  if (!s) {
    return false;
  }
  s->add(v);
  return true;
}

bool Family::set(const std::vector<std::string>& labelValues, double v) {
  if (kind_ != Kind::Gauge) {
    return false;
  }
  Series* s = series(labelValues);
  if (!s) {
    return false;
  }
  s->set(v);
  return true;
}

bool Family::observe(const std::vector<std::string>& labelValues, double v) {
  if (kind_ != Kind::Histogram) {
    return false;
  }
  Series* s = series(labelValues);
  if (!s) {
    return false;
  }
  s->observe(v);
  return true;
}

double Family::value(const std::vector<std::string>& labelValues) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = series_.find(labelValues);
  return it == series_.end() ? 0 : it->second->value();
}

void Family::render(std::string& out) const {
  out += "# HELP " + name_ + " ";
  appendEscaped(out, help_, true);
  out += "\n# TYPE " + name_ + " " + kindName(kind_) + "\n";
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [labels, series] : series_) {
    if (kind_ != Kind::Histogram) {
      out += name_;
      appendLabels(out, labelNames_, labels);
      out += " " + formatValue(series->value()) + "\n";
      continue;
    }
    std::lock_guard<std::mutex> seriesLock(series->mu_);
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i <= buckets_.size(); ++i) {
      cumulative += series->bucketCounts_[i];
      out += name_ + "_bucket";
      appendLabels(out, labelNames_, labels, "le",
                   i < buckets_.size() ? formatValue(buckets_[i]) : "+Inf");
      out += " " + std::to_string(cumulative) + "\n";
    }
    out += name_ + "_sum";
    appendLabels(out, labelNames_, labels);
    out += " " + formatValue(series->sum_) + "\n";
    out += name_ + "_count";
    appendLabels(out, labelNames_, labels);
    out += " " + std::to_string(series->count_) + "\n";
  }
}

Result<Family*> Registry::add(Kind kind, const std::string& name, const std::string& help,
                              const std::vector<std::string>& labelNames,
                              const std::vector<double>& buckets) {
  if (!validMetricName(name)) {
    return fail(Errc::Invalid, "invalid metric name \"" + name + "\"");
  }
  for (const auto& l : labelNames) {
    if (!validLabelName(l) || (kind == Kind::Histogram && l == "le")) {
      return fail(Errc::Invalid, "invalid label name \"" + l + "\" for metric " + name);
    }
  }
  std::vector<double> bounds = buckets;
  if (kind == Kind::Histogram) {
    if (bounds.empty()) {
      bounds = defaultBuckets();
    }
    if (!std::is_sorted(bounds.begin(), bounds.end()) ||
        std::adjacent_find(bounds.begin(), bounds.end()) != bounds.end()) {
      return fail(Errc::Invalid, "histogram buckets of " + name + " must be strictly increasing");
    }
  } else {
    bounds.clear();
  }
  std::lock_guard<std::mutex> lock(mu_);
  auto it = families_.find(name);
  if (it != families_.end()) {
    Family* f = it->second.get();
    if (f->kind() != kind || f->labelNames() != labelNames) {
      return fail(Errc::AlreadyExists,
                  "metric " + name + " is already registered with another type or labels");
    }
    return f;
  }
  auto family = std::make_unique<Family>(kind, name, help, labelNames, bounds);
  Family* raw = family.get();
  families_.emplace(name, std::move(family));
  return raw;
}

Family& Registry::counter(const std::string& name, const std::string& help,
                          const std::vector<std::string>& labelNames) {
  auto r = add(Kind::Counter, name, help, labelNames);
  MYSQLOP_RELEASE_ASSERT(r.ok());
  return **r;
}

Family& Registry::gauge(const std::string& name, const std::string& help,
                        const std::vector<std::string>& labelNames) {
  auto r = add(Kind::Gauge, name, help, labelNames);
  MYSQLOP_RELEASE_ASSERT(r.ok());
  return **r;
}

Family& Registry::histogram(const std::string& name, const std::string& help,
                            const std::vector<std::string>& labelNames,
                            const std::vector<double>& buckets) {
  auto r = add(Kind::Histogram, name, help, labelNames, buckets);
  MYSQLOP_RELEASE_ASSERT(r.ok());
  return **r;
}

void Registry::addCollector(std::function<void(std::string&)> collector) {
  std::lock_guard<std::mutex> lock(mu_);
  collectors_.push_back(std::move(collector));
}

std::string Registry::render() const {
  std::string out;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [name, family] : families_) {
    family->render(out);
  }
  for (const auto& c : collectors_) {
    c(out);
  }
  return out;
}

}  // namespace mysqlop::metrics
