#pragma once

// The read-only page at /plugins/orchestrator/ (README.md, "Audit and routes"): one HTML document
// with its style and script inline (no external script, style or font: it works behind a
// port-forward with no Internet), which fetches api/topology and api/recoveries every 2 s.

#include <string_view>

namespace mysqlop::orchestrator::web {

std::string_view indexPage();

}  // namespace mysqlop::orchestrator::web
