#pragma once

#include <algorithm>
#include <cstddef>
#include <string>

namespace mysqlop::targethttp {

// A writer's buffering into parts of partSize bytes (S3 parts, Azure blocks): appends len bytes
// of data to buffer, reserving a whole part up front, and calls full() each time the buffer
// holds partSize bytes; full() sends the part and leaves buffer empty (or a recycled buffer).
template <class Full>
void appendInParts(std::string& buffer, std::size_t partSize, const void* data, std::size_t len,
                   Full&& full) {
  const char* p = static_cast<const char*>(data);
  while (len > 0) {
    if (buffer.capacity() < partSize) {
      buffer.reserve(partSize);
    }
    const std::size_t take = std::min(len, partSize - buffer.size());
    buffer.append(p, take);
    p += take;
    len -= take;
    if (buffer.size() == partSize) {
      full();
    }
  }
}

}  // namespace mysqlop::targethttp
