#pragma once

#include <cstdint>
#include <string>

namespace mysqlop::local::cluster {

// "HOST:PORT", "[v6]:PORT" or ":PORT" (host 127.0.0.1). False when malformed.
bool parseListen(const std::string& text, std::string* host, std::uint16_t* port);

}  // namespace mysqlop::local::cluster
