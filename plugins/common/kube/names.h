#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mysqlop::kube {

// RFC 1123 label: lower-case alphanumerics and '-', starting and ending alphanumeric, 1..63 chars.
bool isDnsLabel(std::string_view s);
// RFC 1123 subdomain: dot-separated labels, at most 253 chars (names of most objects).
bool isDnsSubdomain(std::string_view s);
// A label value: empty, or up to 63 chars of [A-Za-z0-9._-] starting and ending alphanumeric.
bool isLabelValue(std::string_view s);

// The ordinal of a StatefulSet member: "<set>-<n>" -> n when the name starts with set + "-".
std::optional<int> ordinalOf(std::string_view podOrClaimName, std::string_view setName);

}  // namespace mysqlop::kube
