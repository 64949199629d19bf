#pragma once

// A replacement of the global operator new and delete (counting_allocator.cpp) that counts, while
// a measurement runs on the calling thread, the bytes and blocks allocated, the bytes still live
// at its end and the peak of live bytes. Outside a measurement it costs one thread-local test.
// Sizes are malloc_usable_size, what the allocator really hands out.

#include <cstdint>
#include <functional>

namespace mysqlop::bench {

struct MemoryUse {
  std::int64_t allocatedBytes = 0;  // every allocation during the measurement
  std::int64_t allocations = 0;
  std::int64_t retainedBytes = 0;  // allocated during it and not freed by its end
  std::int64_t peakBytes = 0;      // the most that was live at once (above the start)
};

// Runs fn once on this thread and returns what it allocated. Not reentrant.
MemoryUse measureMemory(const std::function<void()>& fn);

}  // namespace mysqlop::bench
