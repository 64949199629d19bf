#include "plugins/backup/src/http_get.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Timespan.h>

#include <istream>

namespace mysqlop::backup {

HttpAnswer httpGet(const std::string& host, std::uint16_t port, const std::string& path,
                   std::chrono::milliseconds timeout) {
  HttpAnswer answer;
  const Poco::Timespan limit(
      std::chrono::duration_cast<std::chrono::microseconds>(timeout).count());
  const std::string where = host + ":" + std::to_string(port);
  std::string stage = "connecting to " + where;
  try {
    Poco::Net::HTTPClientSession session(host, port);
    session.setTimeout(limit, limit, limit);  // connect, send, receive
    session.setKeepAlive(false);
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, path,
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    request.set("Accept", "application/json");
    session.sendRequest(request);
    stage = "reading from " + host;
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    // More than any progress answer is cut at kMaxBody: the caller parses what it has.
    answer.body.resize(kMaxBody);
    in.read(answer.body.data(), static_cast<std::streamsize>(kMaxBody));
    answer.body.resize(static_cast<std::size_t>(in.gcount()));
    if (in.bad()) {
      answer.body.clear();
      answer.error = stage + ": the connection failed";
      return answer;
    }
    answer.status = static_cast<int>(response.getStatus());
  } catch (const Poco::Net::HostNotFoundException& e) {
    answer.error = "cannot resolve " + host + ": " + e.displayText();
  } catch (const Poco::Net::NoAddressFoundException& e) {
    answer.error = "cannot resolve " + host + ": " + e.displayText();
  } catch (const Poco::Net::ConnectionRefusedException&) {
    answer.error = "connecting to " + where + ": Connection refused";
  } catch (const Poco::TimeoutException&) {
    answer.error = stage + ": timed out";
  } catch (const Poco::Exception& e) {
    answer.error = stage + ": " + e.displayText();
  } catch (const std::exception& e) {
    answer.error = stage + ": " + e.what();
  }
  if (!answer.error.empty()) {
    answer.status = 0;
  }
  return answer;
}

}  // namespace mysqlop::backup
