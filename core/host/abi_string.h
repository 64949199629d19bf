#pragma once

#include <string>
#include <string_view>

#include "mysqlop/plugin.h"

namespace mysqlop::host {

// A borrowed ABI string as an owned std::string (an absent string is empty).
inline std::string str(mysqlop_type_str s) {
  return s.ptr != nullptr ? std::string(s.ptr, s.len) : std::string();
}

// A borrowed ABI string as a view, valid as long as the string it borrows.
inline std::string_view view(mysqlop_type_str s) {
  return s.ptr != nullptr ? std::string_view(s.ptr, s.len) : std::string_view();
}

}  // namespace mysqlop::host
