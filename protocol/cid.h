// Content identifiers: the CIDv1 string IPFS prints for bytes that fit one chunk (`ipfs add
// --cid-version=1`), so outputs and blobs are named the way the web world already names them.
#pragma once

#include <string>
#include <string_view>

namespace litc {

// "b" + base32-lower-no-padding(0x01 0x55 0x12 0x20 || SHA-256(bytes)): CIDv1, raw codec, sha2-256
// multihash (schemas/../shared reference: "IPFS CIDv1 for small blobs"). 59 characters, always
// starting "bafkrei".
std::string cid_v1_raw(std::string_view bytes);

}  // namespace litc
