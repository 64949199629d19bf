#include "tests/bench/json/counting_allocator.h"

#include <malloc.h>

#include <algorithm>
#include <cstdlib>
#include <new>

namespace mysqlop::bench {
namespace {

thread_local bool tCounting = false;
thread_local std::int64_t tLive = 0;
thread_local MemoryUse tUse;

void* allocate(std::size_t n) {
  void* p = std::malloc(n == 0 ? 1 : n);  // NOLINT(cppcoreguidelines-no-malloc): this is new
  if (p != nullptr && tCounting) {
    const auto size = static_cast<std::int64_t>(malloc_usable_size(p));
    tUse.allocatedBytes += size;
    ++tUse.allocations;
    tLive += size;
    tUse.peakBytes = std::max(tUse.peakBytes, tLive);
  }
  return p;
}

void release(void* p) {
  if (p != nullptr && tCounting) {
    tLive -= static_cast<std::int64_t>(malloc_usable_size(p));
  }
  std::free(p);  // NOLINT(cppcoreguidelines-no-malloc): this is delete
}

}  // namespace

MemoryUse measureMemory(const std::function<void()>& fn) {
  tUse = MemoryUse{};
  tLive = 0;
  tCounting = true;
  fn();
  tCounting = false;
  tUse.retainedBytes = tLive;
  return tUse;
}

}  // namespace mysqlop::bench

// The replaceable global allocation functions ([new.delete]); the aligned forms keep their
// defaults, which pair among themselves.
void* operator new(std::size_t n) {
  void* p = mysqlop::bench::allocate(n);
  if (p == nullptr) {
    throw std::bad_alloc();
  }
  return p;
}
void* operator new[](std::size_t n) { return operator new(n); }
void* operator new(std::size_t n, const std::nothrow_t& /*tag*/) noexcept {
  return mysqlop::bench::allocate(n);
}
void* operator new[](std::size_t n, const std::nothrow_t& /*tag*/) noexcept {
  return mysqlop::bench::allocate(n);
}
void operator delete(void* p) noexcept { mysqlop::bench::release(p); }
void operator delete[](void* p) noexcept { mysqlop::bench::release(p); }
void operator delete(void* p, std::size_t /*n*/) noexcept { mysqlop::bench::release(p); }
void operator delete[](void* p, std::size_t /*n*/) noexcept { mysqlop::bench::release(p); }
void operator delete(void* p, const std::nothrow_t& /*tag*/) noexcept {
  mysqlop::bench::release(p);
}
void operator delete[](void* p, const std::nothrow_t& /*tag*/) noexcept {
  mysqlop::bench::release(p);
}
