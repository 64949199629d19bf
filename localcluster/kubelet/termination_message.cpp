#include "localcluster/kubelet/termination_message.h"

#include <fstream>
#include <vector>

namespace mysqlop::local::kubelet {

std::string terminationMessagePath(const nlohmann::json& container) {
  std::string p = container.value("terminationMessagePath", "");
  return p.empty() ? kDefaultTerminationMessagePath : p;
}

std::string logTail(const std::string& criLog) {
  // Rebuild the output lines: a P (partial) record continues on the next record of its stream.
  std::vector<std::string> lines;
  std::string partial;
  size_t at = 0;
  while (at < criLog.size()) {
    size_t end = criLog.find('\n', at);
    std::string record = criLog.substr(at, end == std::string::npos ? std::string::npos : end - at);
    at = end == std::string::npos ? criLog.size() : end + 1;
    // <time> <stream> <tag> <text>
    size_t s1 = record.find(' ');
    size_t s2 = s1 == std::string::npos ? s1 : record.find(' ', s1 + 1);
    size_t s3 = s2 == std::string::npos ? s2 : record.find(' ', s2 + 1);
    if (s3 == std::string::npos) {
      if (s2 != std::string::npos && record.size() > s2 + 1) {
        s3 = record.size();  // an empty text: "<time> stdout F"
      } else {
        continue;
      }
    }
    std::string tag = record.substr(s2 + 1, s3 - s2 - 1);
    std::string text = s3 < record.size() ? record.substr(s3 + 1) : "";
    partial += text;
    if (tag != "P") {
      lines.push_back(partial);
      partial.clear();
    }
  }
  if (!partial.empty()) {
    lines.push_back(partial);
  }
  size_t first =
      lines.size() > kMaxTerminationLogLines ? lines.size() - kMaxTerminationLogLines : 0;
  std::string out;
  for (size_t i = first; i < lines.size(); ++i) {
    out += lines[i] + "\n";
  }
  if (out.size() > kMaxTerminationLogBytes) {
    out = out.substr(out.size() - kMaxTerminationLogBytes);
  }
  return out;
}

std::string terminationMessage(const nlohmann::json& container, const std::string& fileContent,
                               int exitCode, const std::string& criLog) {
  if (!fileContent.empty()) {
    return fileContent.substr(0, kMaxTerminationMessageBytes);
  }
  if (container.value("terminationMessagePolicy", "File") == "FallbackToLogsOnError" &&
      exitCode != 0) {
    return logTail(criLog);
  }
  return "";
}

std::string readHead(const std::string& path, std::size_t max) {
  std::ifstream in(path, std::ios::binary);
  std::string out(max, '\0');
  in.read(out.data(), static_cast<std::streamsize>(max));
  out.resize(static_cast<size_t>(in.gcount()));
  return out;
}

std::string readTail(const std::string& path, std::size_t max) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) {
    return "";
  }
  const std::streamoff size = in.tellg();
  const std::streamoff from =
      size > static_cast<std::streamoff>(max) ? size - static_cast<std::streamoff>(max) : 0;
  in.seekg(from);
  std::string out(static_cast<size_t>(size - from), '\0');
  in.read(out.data(), static_cast<std::streamsize>(out.size()));
  out.resize(static_cast<size_t>(in.gcount()));
  // A tail that starts inside a record drops that record's beginning.
  if (from > 0) {
    size_t nl = out.find('\n');
    out = nl == std::string::npos ? "" : out.substr(nl + 1);
  }
  return out;
}

}  // namespace mysqlop::local::kubelet
