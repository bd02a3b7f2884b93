// Ed25519ResultVerifier: the broker's check of a signed result (verification.h's ResultVerifier)
// with the node keys of crypto/identity and the CIDs of protocol/cid.h.
#pragma once

#include "broker/verification.h"

namespace litc::broker {

class Ed25519ResultVerifier final : public ResultVerifier {
 public:
  std::string content_id(std::string_view bytes) const override;
  bool verify_key_proof(std::string_view public_key, std::string_view node_id,
                        std::string_view proof) const override;
  bool verify(std::string_view public_key, const ResultClaim& claim,
              std::string_view signature) const override;
};

}  // namespace litc::broker
