#pragma once
// What a local cluster made on the machine, recorded in DIR/node/records.json before it is made and
// removed after it is gone: namespaces, links, addresses, processes (pid + start time from
// /proc/<pid>/stat, so that a reused pid is never signalled). `cleanUp` removes every recorded
// thing; `down`, the next `up` and the test fixtures call it.

#include <memory>
#include <string>
#include <vector>

#include "core/common/result.h"

namespace mysqlop::local::node {

struct Record {
  std::string kind;    // "netns", "link", "address", "process", "slot"
  std::string name;    // the netns or link name, "<key>" of a process, "<ip>/<dev>" of an address
  std::string detail;  // e.g. "<pid> <starttime>" of a process
};

class Records {
 public:
  static Result<std::unique_ptr<Records>> open(const std::string& dataDir);
  ~Records();
  Result<void> add(const Record& record);  // replaces a record of the same kind and name
  Result<void> remove(const std::string& kind, const std::string& name);
  std::vector<Record> all() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  Records();
};

// Stops recorded processes (only if their start time still matches), deletes recorded namespaces,
// addresses and links, and forgets them. Idempotent; failures name what could not be removed.
Result<void> cleanUp(Records& records);

}  // namespace mysqlop::local::node
