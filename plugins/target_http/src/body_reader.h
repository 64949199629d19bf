#pragma once

#include <istream>
#include <string>

#include "mysqlop/plugin.hpp"

namespace mysqlop::targethttp {

// A BackupReader that hands out an HTTP answer's body as it arrives. The target's reader derives
// from it, owns the connection the stream belongs to, opens the GET in its constructor and sets
// body_ on success.
class BodyReader : public BackupReader {
 public:
  // Throws Error(Retry) "reading <url>: the connection failed" when the stream breaks.
  std::size_t read(Call& call, void* buffer, std::size_t capacity) final;

 protected:
  explicit BodyReader(std::string url) : url_(std::move(url)) {}

  std::istream* body_ = nullptr;

 private:
  std::string url_;
};

}  // namespace mysqlop::targethttp
