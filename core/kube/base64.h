#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mysqlop::kube {

// Standard base64 (RFC 4648 section 4) as Kubernetes uses it for Secret data and the *-data
// fields of kubeconfig files. Decoding ignores ASCII whitespace (kubeconfig values are sometimes
// wrapped) and rejects anything else that is not part of the alphabet or correct padding.
// (Named apart from plugins/common/kube's base64Encode: the local cluster links both.)
std::string encodeBase64(std::string_view data);
std::optional<std::string> decodeBase64(std::string_view text);

}  // namespace mysqlop::kube
