// Blinded requests and decryption shares as JSON (see share_json.h).
#include "crypto/threshold/share_json.h"

namespace litc::crypto {
namespace {

namespace json = boost::json;

std::optional<Point> point_member(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return point_from_hex(std::string_view(v->get_string().data(), v->get_string().size()));
}

std::optional<Scalar> scalar_member(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return scalar_from_hex(std::string_view(v->get_string().data(), v->get_string().size()));
}

}  // namespace

json::object blinded_to_json(const BlindedRequest& r) {
  return {{"V", to_hex(r.v)}, {"A", to_hex(r.a)}, {"z", to_hex(r.z)}};
}

std::optional<BlindedRequest> blinded_from_json(const json::value& v) {
  const json::object* o = v.if_object();
  if (o == nullptr) return std::nullopt;
  auto pv = point_member(*o, "V");
  auto pa = point_member(*o, "A");
  auto z = scalar_member(*o, "z");
  if (!pv || !pa || !z) return std::nullopt;
  return BlindedRequest{*pv, *pa, *z};
}

json::object share_to_json(const DecryptionShare& s) {
  return {{"index", s.index},
          {"D", to_hex(s.d)},
          {"A1", to_hex(s.a1)},
          {"A2", to_hex(s.a2)},
          {"z", to_hex(s.z)}};
}

std::optional<DecryptionShare> share_from_json(const json::value& v) {
  const json::object* o = v.if_object();
  if (o == nullptr) return std::nullopt;
  const json::value* index = o->if_contains("index");
  if (index == nullptr || !index->is_int64() || index->get_int64() < 1 ||
      index->get_int64() > kMaxShares) {
    return std::nullopt;
  }
  auto d = point_member(*o, "D");
  auto a1 = point_member(*o, "A1");
  auto a2 = point_member(*o, "A2");
  auto z = scalar_member(*o, "z");
  if (!d || !a1 || !a2 || !z) return std::nullopt;
  return DecryptionShare{static_cast<std::uint32_t>(index->get_int64()), *d, *a1, *a2, *z};
}

}  // namespace litc::crypto
