#include "core/common/result.h"

namespace mysqlop {

const char* errcName(Errc code) {
  switch (code) {
    case Errc::Invalid: return "Invalid";
    case Errc::NotFound: return "NotFound";
    case Errc::AlreadyExists: return "AlreadyExists";
    case Errc::Conflict: return "Conflict";
    case Errc::Gone: return "Gone";
    case Errc::Unauthorized: return "Unauthorized";
    case Errc::Forbidden: return "Forbidden";
    case Errc::TooManyRequests: return "TooManyRequests";
    case Errc::Timeout: return "Timeout";
    case Errc::Unavailable: return "Unavailable";
    case Errc::Unsupported: return "Unsupported";
    case Errc::Internal: return "Internal";
  }
  return "Unknown";
}

}  // namespace mysqlop
