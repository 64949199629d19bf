#pragma once
// Rewriting a file that is bind-mounted into containers: a bind mount pins the inode, so the new
// text must go into the same inode (open O_TRUNC and write), never through a rename, which the
// containers would not see. A reader may catch the file between the truncate and the write; a
// hosts file is a few hundred bytes written by one write(2), so that window is tiny, and it is
// the price of the bind mount (the kubelet's own /etc/hosts has the same property).

#include <string>

#include "core/common/result.h"

namespace mysqlop::local::names {

// Makes the file at path hold content: false when it already did (nothing written), true when
// written. Creates the file (0644) when missing. Failures name the path and errno's text.
Result<bool> writeInPlace(const std::string& path, const std::string& content);

}  // namespace mysqlop::local::names
