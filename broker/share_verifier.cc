// DleqShareVerifier (see share_verifier.h): parse, then crypto::verify_share.
#include "broker/share_verifier.h"

#include <boost/json.hpp>

#include "crypto/threshold/decryption.h"

namespace litc::broker {
namespace {

namespace json = boost::json;

std::optional<crypto::Point> point_member(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return crypto::point_from_hex(std::string_view(v->get_string().data(), v->get_string().size()));
}

}  // namespace

std::optional<std::string> DleqShareVerifier::verify(std::string_view input,
                                                     std::string_view output,
                                                     uint32_t index) const {
  json::error_code ec;
  const json::value request = json::parse(input, ec);
  if (ec || !request.is_object()) return std::nullopt;
  const json::value* blinded = request.get_object().if_contains("blinded");
  if (blinded == nullptr || !blinded->is_object()) return std::nullopt;
  const auto v = point_member(blinded->get_object(), "V");
  const json::value reply = json::parse(output, ec);
  if (ec || !v || !reply.is_object()) return std::nullopt;
  const json::object& o = reply.get_object();
  const json::value* i = o.if_contains("index");
  if (i == nullptr || !i->is_int64() || i->get_int64() != static_cast<std::int64_t>(index)) {
    return std::nullopt;
  }
  const json::value* z_hex = o.if_contains("z");
  auto d = point_member(o, "D");
  auto a1 = point_member(o, "A1");
  auto a2 = point_member(o, "A2");
  if (z_hex == nullptr || !z_hex->is_string() || !d || !a1 || !a2) return std::nullopt;
  auto z = crypto::scalar_from_hex(
      std::string_view(z_hex->get_string().data(), z_hex->get_string().size()));
  if (!z) return std::nullopt;
  if (!crypto::verify_share(key_, *v, crypto::DecryptionShare{index, *d, *a1, *a2, *z}).ok()) {
    return std::nullopt;
  }
  return json::serialize(json::object{{"index", index},
                                      {"D", crypto::to_hex(*d)},
                                      {"A1", crypto::to_hex(*a1)},
                                      {"A2", crypto::to_hex(*a2)},
                                      {"z", crypto::to_hex(*z)}});
}

bool DleqShareVerifier::verify_holder(uint32_t index, std::string_view node_id,
                                      std::string_view proof) const {
  return crypto::verify_share_possession(key_, index, node_id, proof);
}

}  // namespace litc::broker
