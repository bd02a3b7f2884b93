// DleqShareVerifier: the broker's check of a decrypt share (quorum.h's ShareVerifier) against the
// public network.json — the DLEQ proof that D_i = x_i·V for the V the requester blinded. Needs no
// secret: D_i is blinded, so the broker learns nothing it could decrypt with.
#pragma once

#include "broker/quorum.h"
#include "crypto/threshold/network_key.h"

namespace litc::broker {

class DleqShareVerifier final : public ShareVerifier {
 public:
  explicit DleqShareVerifier(crypto::NetworkKey key) : key_(std::move(key)) {}
  // The blinded V (32 bytes) of a decrypt request {"blinded":{"V":…},…}, or empty.
  std::string request_key(std::string_view input) const override;
  // `output`: {"index","D","A1","A2","z"}. nullopt for anything unparsable, an index other than
  // `index`, or a failing proof.
  std::optional<std::string> verify(std::string_view request_key, std::string_view output,
                                    uint32_t index) const override;
  bool verify_holder(uint32_t index, std::string_view node_id,
                     std::string_view proof) const override;

 private:
  crypto::NetworkKey key_;
};

}  // namespace litc::broker
