#pragma once
// The termination message of a container, as the kubelet makes it: the container writes into the
// file at its terminationMessagePath (default /dev/termination-log; the kubelet gives each start
// of a container an empty file of its own there); when it exits, the first 4096 bytes of the file
// become state.terminated.message. With terminationMessagePolicy FallbackToLogsOnError, an empty
// file of a container that failed (exit code not 0) gives the tail of its log instead: its last
// 80 lines, at most their last 2048 bytes (kubelet's kubecontainer.MaxContainerTermination-
// MessageLogLines / ...LogLength).

#include <string>

#include <nlohmann/json.hpp>

namespace mysqlop::local::kubelet {

inline constexpr const char* kDefaultTerminationMessagePath = "/dev/termination-log";
inline constexpr std::size_t kMaxTerminationMessageBytes = 4096;
inline constexpr std::size_t kMaxTerminationLogLines = 80;
inline constexpr std::size_t kMaxTerminationLogBytes = 2048;

// The container's terminationMessagePath (the default when unset or empty).
std::string terminationMessagePath(const nlohmann::json& container);

// The text of a CRI log ("<time> stdout|stderr F|P <text>" lines): the last 80 lines of output,
// at most their last 2048 bytes.
std::string logTail(const std::string& criLog);

// The message: up to 4096 bytes of the file's content; when that is empty, the policy is
// FallbackToLogsOnError and exitCode is not 0, logTail of the log file. "" when neither.
std::string terminationMessage(const nlohmann::json& container, const std::string& fileContent,
                               int exitCode, const std::string& criLog);

// Reads at most max bytes of a file ("" when it cannot be read); for a log, its last max bytes.
std::string readHead(const std::string& path, std::size_t max);
std::string readTail(const std::string& path, std::size_t max);

}  // namespace mysqlop::local::kubelet
