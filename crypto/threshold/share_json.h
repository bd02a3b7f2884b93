// The JSON forms of a blinded request {"V","A","z"} and of a decryption share
// {"index","D","A1","A2","z"} (scheme.md): the one reader and writer every party uses — the node
// that makes a share, the broker that checks it, the requester that combines, the test tool.
#pragma once

#include <boost/json.hpp>
#include <optional>

#include "crypto/threshold/decryption.h"

namespace litc::crypto {

boost::json::object blinded_to_json(const BlindedRequest& r);
// nullopt unless V and A are valid non-identity points and z a canonical scalar (64 hex each).
std::optional<BlindedRequest> blinded_from_json(const boost::json::value& v);

boost::json::object share_to_json(const DecryptionShare& s);
// nullopt unless index is an integer in 1..kMaxShares, D, A1, A2 valid non-identity points and z a
// canonical scalar. Other members are ignored (the writer above never puts any there).
std::optional<DecryptionShare> share_from_json(const boost::json::value& v);

}  // namespace litc::crypto
