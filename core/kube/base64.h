#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mysqlop::kube {

// Standard base64 (RFC 4648 section 4) as Kubernetes uses it for Secret data and the *-data
// fields of kubeconfig files. Decoding ignores ASCII whitespace (kubeconfig values are sometimes
// wrapped) and rejects anything else that is not part of the alphabet or correct padding.
std::string base64Encode(std::string_view data);
std::optional<std::string> base64Decode(std::string_view text);

}  // namespace mysqlop::kube
