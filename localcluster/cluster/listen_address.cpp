#include "localcluster/cluster/listen_address.h"

#include <exception>

namespace mysqlop::local::cluster {

bool parseListen(const std::string& text, std::string* host, std::uint16_t* port) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos) {
    return false;
  }
  *host = text.substr(0, colon);
  if (host->size() >= 2 && host->front() == '[' && host->back() == ']') {
    *host = host->substr(1, host->size() - 2);
  }
  if (host->empty()) {
    *host = "127.0.0.1";
  }
  try {
    std::size_t used = 0;
    const std::string digits = text.substr(colon + 1);
    int p = std::stoi(digits, &used);
    if (used != digits.size() || p < 0 || p > 65535) {
      return false;
    }
    *port = static_cast<std::uint16_t>(p);
  } catch (const std::exception&) {
    return false;
  }
  return true;
}

}  // namespace mysqlop::local::cluster
