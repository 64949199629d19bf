#include "localcluster/apiserver/quantity.h"

#include <nlohmann/json.hpp>

#include <cctype>
#include <cstdint>

namespace mysqlop::local {

using nlohmann::json;

namespace {

using i128 = __int128;

// value = mantissa * 10^exp10 (decimal) exactly, as a big integer with a decimal exponent.
struct Decimal {
  bool negative = false;
  i128 mantissa = 0;  // digits without the point
  int exp10 = 0;      // power of ten applied to mantissa
};

// Mantissas above this are refused, so that scaling by 10^30 or 1024^6 cannot overflow.
constexpr i128 kLimit = static_cast<i128>(1) << 60;

bool mul(i128 a, i128 b, i128* out) { return !__builtin_mul_overflow(a, b, out); }

bool parseNumber(const std::string& s, std::size_t* pos, Decimal* d) {
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    d->negative = s[i] == '-';
    ++i;
  }
  bool digits = false;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
    if (d->mantissa > kLimit) {
      return false;
    }
    d->mantissa = d->mantissa * 10 + (s[i] - '0');
    digits = true;
    ++i;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      if (d->mantissa > kLimit) {
        return false;
      }
      d->mantissa = d->mantissa * 10 + (s[i] - '0');
      d->exp10 -= 1;
      digits = true;
      ++i;
    }
  }
  *pos = i;
  return digits;
}

std::string toString(i128 v) {
  if (v == 0) {
    return "0";
  }
  bool neg = v < 0;
  if (neg) {
    v = -v;
  }
  std::string out;
  while (v > 0) {
    out.insert(out.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  }
  return neg ? "-" + out : out;
}

i128 pow10(int n) {
  i128 r = 1;
  for (int i = 0; i < n; ++i) {
    r *= 10;
  }
  return r;
}

// Decimal SI: the largest exponent (multiple of 3, from n to E) with an integer mantissa.
std::optional<std::string> decimalSi(Decimal d) {
  // Normalise to an integer count of nano-units.
  int shift = d.exp10 + 9;
  i128 nanos;
  if (shift >= 0) {
    if (shift > 30 || !mul(d.mantissa, pow10(shift), &nanos)) {
      return std::nullopt;
    }
  } else {
    if (-shift > 36) {
      return std::string("0");
    }
    i128 div = pow10(-shift);
    nanos = (d.mantissa + div - 1) / div;  // upstream rounds up below the nano precision
  }
  static const char* kSuffix[] = {"n", "u", "m", "", "k", "M", "G", "T", "P", "E"};
  int idx = 0;
  if (nanos == 0) {
    return std::string("0");
  }
  while (idx < 9 && nanos % 1000 == 0) {
    nanos /= 1000;
    ++idx;
  }
  return (d.negative ? "-" : "") + toString(nanos) + kSuffix[idx];
}

}  // namespace

std::optional<std::string> canonicalQuantity(const std::string& text) {
  if (text.empty()) {
    return std::nullopt;
  }
  Decimal d;
  std::size_t pos = 0;
  if (!parseNumber(text, &pos, &d)) {
    return std::nullopt;
  }
  std::string suffix = text.substr(pos);
  static const std::pair<const char*, int> kBinary[] = {{"Ki", 1}, {"Mi", 2}, {"Gi", 3},
                                                        {"Ti", 4}, {"Pi", 5}, {"Ei", 6}};
  static const std::pair<const char*, int> kDecimal[] = {{"n", -9}, {"u", -6}, {"m", -3}, {"", 0},
                                                         {"k", 3},  {"M", 6},  {"G", 9},  {"T", 12},
                                                         {"P", 15}, {"E", 18}};
  for (const auto& [s, power] : kBinary) {
    if (suffix != s) {
      continue;
    }
    // Exact byte count: mantissa * 1024^power / 10^-exp10.
    i128 bytes = d.mantissa;
    for (int i = 0; i < power; ++i) {
      if (!mul(bytes, 1024, &bytes)) {
        return std::nullopt;
      }
    }
    if (-d.exp10 > 30) {
      return std::nullopt;
    }
    i128 div = pow10(-d.exp10);
    if (bytes % div != 0) {
      Decimal dd = d;
      dd.mantissa = bytes;
      return decimalSi(dd);  // not a whole number of bytes
    }
    bytes /= div;
    static const char* kNames[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
    int idx = 0;
    if (bytes == 0) {
      return std::string("0");
    }
    while (idx < 6 && bytes % 1024 == 0) {
      bytes /= 1024;
      ++idx;
    }
    if (idx == 0) {
      // Below 1Ki upstream prints the plain number in decimal SI.
      Decimal dd;
      dd.negative = d.negative;
      dd.mantissa = bytes;
      return decimalSi(dd);
    }
    return (d.negative ? "-" : "") + toString(bytes) + kNames[idx];
  }
  for (const auto& [s, power] : kDecimal) {
    if (suffix == s) {
      d.exp10 += power;
      return decimalSi(d);
    }
  }
  return std::nullopt;  // decimal exponents ("1e3") and anything else stay as written
}

namespace {

void canonicalMap(json& m) {
  if (!m.is_object()) {
    return;
  }
  for (auto it = m.begin(); it != m.end(); ++it) {
    if (it.value().is_string()) {
      if (auto c = canonicalQuantity(it.value().get<std::string>())) {
        it.value() = *c;
      }
    } else if (it.value().is_number()) {
      // A JSON number is accepted and stored as its canonical string.
      std::string text = it.value().is_number_float() ? it.value().dump()
                                                      : std::to_string(it.value().get<long long>());
      if (auto c = canonicalQuantity(text)) {
        it.value() = *c;
      }
    }
  }
}

void canonicalResources(json& resources) {
  if (!resources.is_object()) {
    return;
  }
  for (const char* k : {"requests", "limits"}) {
    if (resources.contains(k)) {
      canonicalMap(resources[k]);
    }
  }
}

void canonicalPodSpec(json& spec) {
  if (!spec.is_object()) {
    return;
  }
  for (const char* list : {"containers", "initContainers"}) {
    if (spec.contains(list) && spec[list].is_array()) {
      for (auto& c : spec[list]) {
        if (c.is_object() && c.contains("resources")) {
          canonicalResources(c["resources"]);
        }
      }
    }
  }
  if (spec.contains("volumes") && spec["volumes"].is_array()) {
    for (auto& v : spec["volumes"]) {
      if (v.is_object() && v.contains("emptyDir") && v["emptyDir"].is_object() &&
          v["emptyDir"].contains("sizeLimit") && v["emptyDir"]["sizeLimit"].is_string()) {
        if (auto c = canonicalQuantity(v["emptyDir"]["sizeLimit"].get<std::string>())) {
          v["emptyDir"]["sizeLimit"] = *c;
        }
      }
    }
  }
}

void canonicalPvcSpec(json& spec) {
  if (spec.is_object() && spec.contains("resources")) {
    canonicalResources(spec["resources"]);
  }
}

}  // namespace

void canonicalizeQuantities(const std::string& group, const std::string& resource, json& obj) {
  if (!obj.contains("spec") || !obj["spec"].is_object()) {
    return;
  }
  json& spec = obj["spec"];
  if (group.empty() && resource == "pods") {
    canonicalPodSpec(spec);
  } else if (group.empty() && resource == "persistentvolumeclaims") {
    canonicalPvcSpec(spec);
  } else if ((group == "apps" || group == "batch") && spec.contains("template") &&
             spec["template"].is_object() && spec["template"].contains("spec")) {
    canonicalPodSpec(spec["template"]["spec"]);
  }
  if (group == "apps" && resource == "statefulsets" && spec.contains("volumeClaimTemplates") &&
      spec["volumeClaimTemplates"].is_array()) {
    for (auto& vct : spec["volumeClaimTemplates"]) {
      if (vct.is_object() && vct.contains("spec")) {
        canonicalPvcSpec(vct["spec"]);
      }
    }
  }
}

}  // namespace mysqlop::local
