#include "localcluster/kubelet/expansion.h"

namespace mysqlop::local::kubelet {

namespace {

std::string lookup(const std::string& name, const std::vector<const EnvMap*>& contexts) {
  for (const EnvMap* vars : contexts) {
    if (auto it = vars->find(name); it != vars->end()) {
      return it->second;
    }
  }
  return "$(" + name + ")";  // unknown references are kept as written
}

}  // namespace

std::string expandVars(std::string_view input, const std::vector<const EnvMap*>& contexts) {
  std::string out;
  out.reserve(input.size());
  size_t i = 0;
  while (i < input.size()) {
    // A '$' as the last character is copied like any other (the kubelet's loop needs a next byte).
    if (input[i] != '$' || i + 1 == input.size()) {
      out += input[i++];
      continue;
    }
    const char next = input[i + 1];
    if (next == '$') {  // "$$" -> "$"
      out += '$';
      i += 2;
    } else if (next == '(') {
      const size_t close = input.find(')', i + 2);
      if (close == std::string_view::npos) {  // "$(" without ")": kept, scanning goes on after '('
        out += "$(";
        i += 2;
      } else {
        out += lookup(std::string(input.substr(i + 2, close - i - 2)), contexts);
        i = close + 1;
      }
    } else {  // "$x": not an expression, both kept
      out += '$';
      out += next;
      i += 2;
    }
  }
  return out;
}

}  // namespace mysqlop::local::kubelet
