#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace mysqlop::targetrclone {

// One run of rclone. Its stdin is a socket (so that writing after rclone died answers EPIPE
// instead of killing the host with SIGPIPE), its stdout a pipe, its stderr an anonymous memory
// file (it can never fill up and block rclone). The environment is exactly `env`: nothing of the
// host's environment leaks in, and the credentials never appear in argv (ps shows argv).
class RcloneProcess {
 public:
  struct Io {
    bool feedStdin = false;   // false: stdin is /dev/null
    bool readStdout = false;  // false: stdout goes to stderr's file
  };
  // Throws mysqlop::Error(Retry) "<what>: cannot run <argv[0]>: <strerror>" when it cannot start.
  RcloneProcess(const std::vector<std::string>& argv, const std::vector<std::string>& env, Io io,
                const std::string& what);
  ~RcloneProcess();  // kills a process still running and reaps it
  RcloneProcess(const RcloneProcess&) = delete;
  RcloneProcess& operator=(const RcloneProcess&) = delete;

  // Writes all of data to stdin; false when rclone stopped reading (it exited).
  bool write(const char* data, std::size_t len);
  // Reads up to capacity bytes of stdout; 0 at its end. -1 on a read error (errno set).
  long read(char* buffer, std::size_t capacity);
  // Closes stdin, waits for the exit; the exit status (128 + signal when killed).
  int wait();
  // SIGKILL and reap (abort).
  void kill() noexcept;
  // What rclone wrote on stderr (call after wait).
  std::string errorOutput() const;

 private:
  pid_t pid_ = -1;
  int stdin_ = -1;
  int stdout_ = -1;
  int stderr_ = -1;
  int status_ = -1;
};

}  // namespace mysqlop::targetrclone
