// Base64 (RFC 4648, standard alphabet, padded): how JSON carries bytes that are not UTF-8 text
// ("outputBase64" in job views, "inputBase64" in the bridge's submit).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace litc {

std::string base64_encode(std::string_view bytes);
// nullopt for anything but canonical padded base64 (length a multiple of 4, '=' only at the end).
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace litc
