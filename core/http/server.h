#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/common/result.h"
#include "core/http/router.h"

// Forward-declared so that users of this header do not parse Poco Net.
namespace Poco::Net {  // NOLINT(readability-identifier-naming): Poco's name, not ours
class HTTPServer;
}  // namespace Poco::Net

namespace mysqlop::http {

struct Address {
  std::string host;  // "" = every interface
  std::uint16_t port = 0;
  bool disabled = false;
};

// Parses bitpoke-style listen addresses: ":8080", "127.0.0.1:8080", "[::1]:8080", "0" (disabled).
Result<Address> parseAddress(const std::string& text);

// A small HTTP/1.1 server (Poco Net) serving one Router. Requests larger than kMaxBody are
// refused with 413.
class Server {
 public:
  static constexpr std::size_t kMaxBody = 1 << 20;

  explicit Server(const Router& router);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts serving; fails with a message naming the address.
  Result<void> start(const Address& address, int maxThreads = 4);
  void stop();
  // The bound port (useful with port 0).
  std::uint16_t port() const { return port_; }

 private:
  const Router& router_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  std::uint16_t port_ = 0;
};

}  // namespace mysqlop::http
