#include "localcluster/apiserver/service_ips.h"

#include <cstdio>

namespace mysqlop::local {

std::optional<std::uint32_t> parseIpv4(const std::string& text) {
  std::uint32_t out = 0;
  std::size_t pos = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (pos >= text.size() || text[pos] != '.') {
        return std::nullopt;
      }
      ++pos;
    }
    std::size_t start = pos;
    unsigned value = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9' && pos - start < 3) {
      value = value * 10 + static_cast<unsigned>(text[pos] - '0');
      ++pos;
    }
    // No empty part, no leading zero (Go's net.ParseIP refuses "01"), nothing above 255.
    if (pos == start || value > 255 || (text[start] == '0' && pos - start > 1)) {
      return std::nullopt;
    }
    out = (out << 8) | value;
  }
  return pos == text.size() ? std::optional<std::uint32_t>(out) : std::nullopt;
}

std::string formatIpv4(std::uint32_t ip) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255,
                ip & 255);
  return buf;
}

Result<Ipv4Cidr> Ipv4Cidr::parse(const std::string& text) {
  const std::string what = "service CIDR \"" + text + "\"";
  const auto slash = text.find('/');
  std::optional<std::uint32_t> ip =
      slash == std::string::npos ? std::nullopt : parseIpv4(text.substr(0, slash));
  const std::string bits = slash == std::string::npos ? "" : text.substr(slash + 1);
  if (!ip || bits.empty() || bits.size() > 2 ||
      bits.find_first_not_of("0123456789") != std::string::npos || std::stoi(bits) > 32) {
    return fail(Errc::Invalid, what + " is not an IPv4 CIDR such as 198.19.0.0/16");
  }
  Ipv4Cidr c;
  c.prefix = std::stoi(bits);
  const std::uint32_t mask = c.prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - c.prefix);
  c.network = *ip & mask;
  c.text = text;
  if (c.network != *ip) {
    return fail(Errc::Invalid,
                what + " has host bits set; the network is " + formatIpv4(c.network) + "/" + bits);
  }
  if (c.prefix < 12) {
    return fail(Errc::Invalid, what + " is too large: the prefix must be /12 or longer");
  }
  if (c.prefix > 30) {
    return fail(Errc::Invalid, what + " is too small: the prefix must be /30 or shorter");
  }
  const std::uint32_t allowed = *parseIpv4("198.18.0.0");
  if ((c.network & 0xFFFE0000u) != allowed || c.prefix < 15) {
    return fail(Errc::Invalid, what +
                                   " is outside 198.18.0.0/15, the range the local cluster "
                                   "may use (it is reserved for network tests)");
  }
  return c;
}

bool Ipv4Cidr::contains(std::uint32_t ip) const {
  const std::uint32_t mask = prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix);
  return (ip & mask) == network;
}

std::uint32_t Ipv4Cidr::broadcast() const {
  return network | (prefix == 0 ? ~std::uint32_t{0} : ~(~std::uint32_t{0} << (32 - prefix)));
}

void ServiceIpAllocator::Reservation::release() {
  if (owner_) {
    owner_->release(ip_);
    owner_ = nullptr;
  }
}

void ServiceIpAllocator::configure(const Ipv4Cidr& cidr,
                                   std::function<bool(const std::string&)> inUse) {
  std::lock_guard lock(mu_);
  cidr_ = cidr;
  inUse_ = std::move(inUse);
  pending_.clear();
  next_ = cidr.first() + 1;
}

bool ServiceIpAllocator::freeLocked(std::uint32_t ip) const {
  return !pending_.count(ip) && !inUse_(formatIpv4(ip));
}

void ServiceIpAllocator::hold(std::uint32_t ip, Reservation& r) {
  r.release();
  pending_.insert(ip);
  r.owner_ = this;
  r.ip_ = ip;
}

void ServiceIpAllocator::release(std::uint32_t ip) {
  std::lock_guard lock(mu_);
  pending_.erase(ip);
}

Result<std::string> ServiceIpAllocator::allocateNext(Reservation& r) {
  std::lock_guard lock(mu_);
  // Usable: first()+1 .. broadcast()-1 (the first address is the kubernetes Service's).
  const std::uint32_t lo = cidr_.first() + 1;
  const std::uint32_t hi = cidr_.broadcast() - 1;
  if (lo > hi) {
    return fail(Errc::Unavailable, "range is full");
  }
  const std::uint32_t count = hi - lo + 1;
  std::uint32_t ip = next_ < lo || next_ > hi ? lo : next_;
  for (std::uint32_t tried = 0; tried < count; ++tried) {
    if (freeLocked(ip)) {
      hold(ip, r);
      next_ = ip == hi ? lo : ip + 1;
      return formatIpv4(ip);
    }
    ip = ip == hi ? lo : ip + 1;
  }
  return fail(Errc::Unavailable, "range is full");
}

Result<void> ServiceIpAllocator::allocate(const std::string& text, bool reservedOk,
                                          Reservation& r) {
  auto ip = parseIpv4(text);
  std::lock_guard lock(mu_);
  if (!ip || !cidr_.contains(*ip) || *ip == cidr_.network || *ip == cidr_.broadcast()) {
    return fail(Errc::Invalid, "the provided IP (" + text +
                                   ") is not in the valid range. The range of valid IPs is " +
                                   cidr_.text);
  }
  if ((*ip == cidr_.first() && !reservedOk) || !freeLocked(*ip)) {
    return fail(Errc::AlreadyExists, "provided IP is already allocated");
  }
  hold(*ip, r);
  return {};
}

}  // namespace mysqlop::local
