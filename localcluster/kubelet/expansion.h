#pragma once
// $(VAR) expansion as the kubelet does it (k8s.io/kubernetes third_party/forked/golang/expansion):
// "$(NAME)" becomes the value of NAME when a context defines it and stays "$(NAME)" verbatim when
// none does; "$$" is an escaped "$"; any other "$" (including an unclosed "$(") is kept.

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace mysqlop::local::kubelet {

using EnvMap = std::map<std::string, std::string>;

// Expands input; the contexts are searched in order, the first that has the name wins.
std::string expandVars(std::string_view input, const std::vector<const EnvMap*>& contexts);

}  // namespace mysqlop::local::kubelet
