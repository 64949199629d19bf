#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mysqlop::kube {

// Standard base64 with padding, as Secret data is encoded.
std::string base64Encode(std::string_view data);
// Decodes standard base64 (padding optional, no whitespace); nullopt on a bad character.
std::optional<std::string> base64Decode(std::string_view text);

// n characters of [A-Za-z0-9] drawn from the kernel's CSPRNG (getrandom), without modulo bias.
// Throws std::runtime_error if the kernel refuses.
std::string randomAlphanumeric(std::size_t n);

}  // namespace mysqlop::kube
