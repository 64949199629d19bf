#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mysqlop::kube {

// A Kubernetes resource quantity ("1Gi", "500m", "1.5", "2e3") held exactly as a fraction, so
// that derived sizes (for example a share of the memory request) round as Kubernetes does. The one
// quantity parser of the project: the plugins read specs with it and the local API server stores
// its canonical text.
class Quantity {
 public:
  // How the text was written, which decides the canonical text (resource.Format).
  enum class Format { DecimalSI, BinarySI, DecimalExponent };

  // Parses the canonical Kubernetes quantity grammar. On failure returns nullopt and, when error is
  // given, the reason ("not a valid quantity", "too large").
  static std::optional<Quantity> parse(std::string_view text, std::string* error = nullptr);
  // A quantity of exactly `bytes` units.
  static Quantity fromInt(std::int64_t value);

  // The value rounded up to an integer, as resource.Quantity.Value() does.
  std::int64_t value() const;
  // The value in thousandths, rounded up, as resource.Quantity.MilliValue() does.
  std::int64_t milliValue() const;
  // ceil(this / divisor) exactly, as the downward API's resourceFieldRef divides a resource by its
  // divisor (convertQuantityToString): 0 when either side is zero or negative, saturated at
  // INT64_MAX.
  std::int64_t ceilRatio(const Quantity& divisor) const;
  // The text kube-apiserver stores (resource.Quantity.String()): "1024Mi" -> "1Gi",
  // "1000m" -> "1", "0.5" -> "500m", "1.5Gi" -> "1536Mi", "1000" -> "1k", "12e2" -> "1200",
  // "1e3" -> "1e3". A binary value below 1024 or not a whole number is written in decimal SI;
  // decimal values round up to nano units. nullopt when the value is too large to print exactly
  // (the caller keeps the text as written).
  std::optional<std::string> canonical() const;
  Format format() const { return format_; }
  bool isZero() const { return num_ == 0; }
  bool isNegative() const { return num_ < 0; }
  // Exact comparison of the represented numbers ("1Gi" == "1024Mi").
  bool operator==(const Quantity& o) const { return num_ * o.den_ == o.num_ * den_; }
  bool operator<(const Quantity& o) const { return num_ * o.den_ < o.num_ * den_; }

 private:
  Quantity(__int128 num, __int128 den, Format format) : num_(num), den_(den), format_(format) {}
  __int128 num_ = 0;
  __int128 den_ = 1;  // always > 0, a power of ten
  Format format_ = Format::DecimalSI;
};

// Formats a byte count as bitpoke's humanizeSize does: the largest of G, M, K (powers of 1024)
// whose remainder is at most 0.1% of the value, else plain bytes. 1.5Gi -> "1536M", 2Gi -> "2G".
std::string humanizeBytes(std::int64_t bytes);

}  // namespace mysqlop::kube
