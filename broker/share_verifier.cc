// DleqShareVerifier (see share_verifier.h): parse, then crypto::verify_share.
#include "broker/share_verifier.h"

#include <boost/json.hpp>

#include "crypto/threshold/decryption.h"
#include "crypto/threshold/share_json.h"

namespace litc::broker {

namespace json = boost::json;

std::string DleqShareVerifier::request_key(std::string_view input) const {
  json::error_code ec;
  const json::value request = json::parse(input, ec);
  const json::value* blinded =
      ec || !request.is_object() ? nullptr : request.get_object().if_contains("blinded");
  const auto b = blinded == nullptr ? std::nullopt : crypto::blinded_from_json(*blinded);
  return b ? std::string(b->v.view()) : std::string();
}

std::optional<std::string> DleqShareVerifier::verify(std::string_view request_key,
                                                     std::string_view output,
                                                     uint32_t index) const {
  const auto v = crypto::decode_point(request_key);
  json::error_code ec;
  const json::value reply = json::parse(output, ec);
  const auto share = ec ? std::nullopt : crypto::share_from_json(reply);
  if (!v || !share || share->index != index) return std::nullopt;
  if (!crypto::verify_share(key_, *v, *share).ok()) return std::nullopt;
  return json::serialize(crypto::share_to_json(*share));
}

bool DleqShareVerifier::verify_holder(uint32_t index, std::string_view node_id,
                                      std::string_view proof) const {
  return crypto::verify_share_possession(key_, index, node_id, proof);
}

}  // namespace litc::broker
