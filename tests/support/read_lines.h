#pragma once

#include <fstream>
#include <string>
#include <vector>

namespace mysqlop::testing {

// The lines of a text file, without their '\n'; none when the file does not exist (yet).
inline std::vector<std::string> readLines(const std::string& path) {
  std::vector<std::string> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    out.push_back(line);
  }
  return out;
}

}  // namespace mysqlop::testing
