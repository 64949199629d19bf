#include "plugins/common/kube/quantity.h"

#include <cctype>
#include <limits>

namespace mysqlop::kube {

namespace {

constexpr __int128 kLimit = static_cast<__int128>(1) << 100;  // far beyond any real quantity

// Multiplies acc by 10 and adds digit, failing past kLimit.
bool pushDigit(__int128* acc, char c) {
  *acc = *acc * 10 + (c - '0');
  return *acc < kLimit;
}

bool pow10(int exp, __int128* out) {
  *out = 1;
  for (int i = 0; i < exp; ++i) {
    *out *= 10;
    if (*out >= kLimit) {
      return false;
    }
  }
  return true;
}

// Reads [0-9]+(\.[0-9]*)? | \.[0-9]+ at *pos into a numerator and a count of fractional digits.
bool readDecimal(std::string_view s, std::size_t* pos, __int128* num, int* fracDigits) {
  std::size_t i = *pos;
  bool any = false;
  *num = 0;
  *fracDigits = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
    if (!pushDigit(num, s[i])) {
      return false;
    }
    any = true;
    ++i;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      if (!pushDigit(num, s[i])) {
        return false;
      }
      ++*fracDigits;
      any = true;
      ++i;
    }
  }
  *pos = i;
  return any;
}

__int128 ceilDiv(__int128 num, __int128 den) {
  __int128 q = num / den;
  if (num % den != 0 && num > 0) {
    ++q;
  }
  return q;
}

std::string toDecimal(__int128 v) {
  std::string out;
  do {
    out.insert(out.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  } while (v > 0);
  return out;
}

std::int64_t clampToInt64(__int128 v) {
  if (v > std::numeric_limits<std::int64_t>::max()) {
    return std::numeric_limits<std::int64_t>::max();
  }
  if (v < std::numeric_limits<std::int64_t>::min()) {
    return std::numeric_limits<std::int64_t>::min();
  }
  return static_cast<std::int64_t>(v);
}

}  // namespace

std::optional<Quantity> Quantity::parse(std::string_view s, std::string* error) {
  auto bad = [&](const char* why) -> std::optional<Quantity> {
    if (error) {
      *error = why;
    }
    return std::nullopt;
  };
  std::size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    negative = s[i] == '-';
    ++i;
  }
  __int128 num = 0;
  int frac = 0;
  if (!readDecimal(s, &i, &num, &frac)) {
    return bad(num >= kLimit ? "too large" : "not a valid quantity");
  }
  // Suffix: binary (Ki..Ei), decimal (n u m k M G T P E) or an exponent.
  int exp10 = -frac;
  int exp2 = 0;
  Format format = Format::DecimalSI;
  const std::string_view rest = s.substr(i);
  if (rest.empty()) {
  } else if (rest.size() == 2 && rest[1] == 'i' &&
             std::string_view("KMGTPE").find(rest[0]) != std::string_view::npos) {
    exp2 = 10 * (static_cast<int>(std::string_view("KMGTPE").find(rest[0])) + 1);
    format = Format::BinarySI;
  } else if (rest.size() == 1 &&
             std::string_view("numkMGTPE").find(rest[0]) != std::string_view::npos) {
    static constexpr int kExp[] = {-9, -6, -3, 3, 6, 9, 12, 15, 18};
    exp10 += kExp[std::string_view("numkMGTPE").find(rest[0])];
  } else if (rest[0] == 'e' || rest[0] == 'E') {
    std::size_t j = 1;
    bool expNegative = false;
    if (j < rest.size() && (rest[j] == '+' || rest[j] == '-')) {
      expNegative = rest[j] == '-';
      ++j;
    }
    __int128 e = 0;
    int eFrac = 0;
    if (!readDecimal(rest, &j, &e, &eFrac) || j != rest.size() || eFrac != 0 || e > 60) {
      return bad("not a valid quantity");
    }
    exp10 += static_cast<int>(expNegative ? -e : e);
    format = Format::DecimalExponent;
  } else {
    return bad("not a valid quantity");
  }
  __int128 den = 1;
  __int128 scale = 1;
  if (!pow10(exp10 < 0 ? -exp10 : exp10, &scale)) {
    return bad("too large");
  }
  if (exp10 < 0) {
    den = scale;
  } else if (__builtin_mul_overflow(num, scale, &num) || num >= kLimit) {
    return bad("too large");
  }
  // num < 2^100 here and exp2 <= 60: each doubling is checked before it could overflow.
  for (int b = 0; b < exp2; ++b) {
    num *= 2;
    if (num >= kLimit) {
      return bad("too large");
    }
  }
  return Quantity(negative ? -num : num, den, format);
}

Quantity Quantity::fromInt(std::int64_t value) { return Quantity(value, 1, Format::DecimalSI); }

std::int64_t Quantity::value() const { return clampToInt64(ceilDiv(num_, den_)); }

std::int64_t Quantity::milliValue() const { return clampToInt64(ceilDiv(num_ * 1000, den_)); }

std::int64_t Quantity::ceilRatio(const Quantity& divisor) const {
  if (num_ <= 0 || divisor.num_ <= 0) {
    return 0;
  }
  // (num_/den_) / (d.num_/d.den_) = (num_ * d.den_) / (d.num_ * den_); both products are checked.
  __int128 top = 0;
  __int128 bottom = 0;
  if (__builtin_mul_overflow(num_, divisor.den_, &top)) {
    return std::numeric_limits<std::int64_t>::max();
  }
  if (__builtin_mul_overflow(divisor.num_, den_, &bottom)) {
    return 1;  // the divisor is beyond 2^127 units of this value's scale: a positive ratio below 1
  }
  return clampToInt64(ceilDiv(top, bottom));
}

std::optional<std::string> Quantity::canonical() const {
  if (num_ == 0) {
    return std::string("0");
  }
  const bool negative = num_ < 0;
  const __int128 magnitude = negative ? -num_ : num_;
  const std::string sign = negative ? "-" : "";
  // Binary SI: a whole number of units of at least 1024, written with the largest power of 1024
  // that divides it ("1536Mi", "1025Ki", "1536").
  if (format_ == Format::BinarySI && magnitude % den_ == 0 && magnitude / den_ >= 1024) {
    __int128 units = magnitude / den_;
    static constexpr const char* kBinary[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
    int power = 0;
    while (power < 6 && units % 1024 == 0) {
      units /= 1024;
      ++power;
    }
    return sign + toDecimal(units) + kBinary[power];
  }
  // Decimal SI or exponent: nano units rounded up (away from zero), then the largest power of
  // 1000 that divides them.
  __int128 nanos = 0;
  if (__builtin_mul_overflow(magnitude, static_cast<__int128>(1000000000), &nanos)) {
    return std::nullopt;
  }
  nanos = nanos / den_ + (nanos % den_ != 0 ? 1 : 0);
  int exp3 = -3;  // nanos = units * 10^(3 * exp3)
  while (exp3 < 6 && nanos % 1000 == 0) {
    nanos /= 1000;
    ++exp3;
  }
  std::string suffix;
  if (format_ == Format::DecimalExponent) {
    suffix = exp3 == 0 ? "" : "e" + std::to_string(3 * exp3);
  } else {
    static constexpr const char* kDecimal[] = {"n", "u", "m", "", "k", "M", "G", "T", "P", "E"};
    suffix = kDecimal[exp3 + 3];
  }
  return sign + toDecimal(nanos) + suffix;
}

std::string humanizeBytes(std::int64_t bytes) {
  static constexpr struct {
    std::int64_t scale;
    const char* unit;
  } kUnits[] = {{1LL << 30, "G"}, {1LL << 20, "M"}, {1LL << 10, "K"}};
  const std::int64_t allow = bytes / 1000;
  for (const auto& u : kUnits) {
    if (bytes >= u.scale && bytes % u.scale <= allow) {
      return std::to_string(bytes / u.scale) + u.unit;
    }
  }
  return std::to_string(bytes);
}

}  // namespace mysqlop::kube
