// The Lit-style operations: `encrypt` (any node holding network.json) and `decrypt`, the node's
// half of a threshold decryption (only nodes holding a key share). Inputs and outputs are JSON
// documents, described in worker/operations/README.md; errors are catalogue codes.
#pragma once

#include "worker/operations/operation.h"
#include "worker/operations/operation_context.h"

namespace litc {

// {"dataToEncrypt", one of the four condition arrays, "chain"} → Lit's encryptToJson envelope plus
// hashOfConditions and identity. The plaintext is seen by this node: local encryption (the C++
// client, `litc encrypt`) is the path that keeps it secret.
Operation make_encrypt_operation(const OperationContext& context);

// {"ciphertext", "dataToEncryptHash", condition array, "chain", "authSig", "blinded":{V,A,z}} →
// {"index","D","A1","A2","z"} once the label, the blinding proof, the authSig and the conditions
// all hold; otherwise invalid_ciphertext / invalid_blinding / invalid_auth_sig / auth_sig_expired
// / access_denied / unsupported_condition / chain_unavailable / invalid_argument.
Operation make_decrypt_operation(const OperationContext& context);

// `sign` (needs --node-key): Ed25519 over the input bytes with the node's identity key; output
// {"signature":"<128 hex>","publicKey":"<64 hex>"}.
Operation make_sign_operation(const OperationContext& context);

}  // namespace litc
