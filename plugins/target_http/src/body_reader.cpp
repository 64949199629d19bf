#include "plugins/target_http/src/body_reader.h"

namespace mysqlop::targethttp {

std::size_t BodyReader::read(Call&, void* buffer, std::size_t capacity) {
  body_->read(static_cast<char*>(buffer), static_cast<std::streamsize>(capacity));
  if (body_->bad()) {
    throw Error(mysqlop_status_Retry, "reading " + url_ + ": the connection failed");
  }
  return static_cast<std::size_t>(body_->gcount());
}

}  // namespace mysqlop::targethttp
