// Lit's encryptToJson envelope over our threshold scheme: the one place that turns parsed
// conditions and a plaintext into {"ciphertext","dataToEncryptHash","hashOfConditions","identity",
// <conditions>,"chain","dataType"} — used by the `encrypt` operation on nodes and by local
// encryption in lc::lit_client, so both give byte-for-byte the same document shape.
#pragma once

#include <boost/json.hpp>
#include <string_view>

#include "crypto/conditions/conditions.h"
#include "crypto/crypto_result.h"
#include "crypto/threshold/ristretto.h"

namespace litc::crypto {

// `params` is what parse_condition_params returned; the identity is built from its canonical
// hash. invalid_argument only if the identity cannot be formed (it always can for parsed params).
Result<boost::json::object> encrypt_to_envelope(const Point& network_key,
                                                const ConditionParams& params,
                                                std::string_view plaintext);

}  // namespace litc::crypto
