// Blinding, decryption shares with DLEQ proofs, and combining them (see decryption.h).
#include "crypto/threshold/decryption.h"

#include <sodium.h>

#include <algorithm>
#include <vector>

#include "crypto/sha256_hex.h"

namespace litc::crypto {
namespace {

constexpr std::string_view kBlindTag = "litc/blind/v1";
constexpr std::string_view kDleqTag = "litc/dleq/v1";

// z·X = A + c·Y for proofs of the shape the scheme uses everywhere (X = B when `base`).
bool check_relation(const Scalar& z, const Point* x, const Point& a, const Scalar& c,
                    const Point& y) {
  auto lhs = x == nullptr ? mul_base(z) : mul(z, *x);
  auto cy = mul(c, y);
  if (!lhs || !cy) return false;
  auto rhs = add(a, *cy);
  return rhs && *lhs == *rhs;
}

Scalar dleq_challenge(std::uint32_t index, const Point& x, const Point& v, const Point& d,
                      const Point& a1, const Point& a2) {
  const auto i = u32_le(index);
  return hash_to_scalar(kDleqTag, {std::string_view(i.data(), i.size()), x.view(), v.view(),
                                   d.view(), a1.view(), a2.view()});
}

}  // namespace

Result<Blinding> blind(const NetworkKey& key, const Envelope& e, std::string_view identity) {
  if (auto ok = verify_label(key.public_key, e, identity); !ok) return ok.error();
  Blinding b;
  for (;;) {
    b.s = random_scalar();
    auto v = mul(b.s, e.u);
    const Scalar k = random_scalar();
    auto a = mul(k, e.u);
    if (!v || !a) continue;
    b.request.v = *v;
    b.request.a = *a;
    const Scalar c = hash_to_scalar(kBlindTag, {e.u.view(), v->view(), a->view(), identity});
    b.request.z = scalar_add(k, scalar_mul(c, b.s));
    return b;
  }
}

Result<bool> verify_blinding(const Envelope& e, const BlindedRequest& r,
                             std::string_view identity) {
  const Scalar c = hash_to_scalar(kBlindTag, {e.u.view(), r.v.view(), r.a.view(), identity});
  if (!check_relation(r.z, &e.u, r.a, c, r.v)) {
    return crypto_error("invalid_blinding",
                        "the blinding proof fails: V was not made from this ciphertext's U for "
                        "this identity");
  }
  return true;
}

Result<DecryptionShare> make_share(const NetworkKey& key, const KeyShare& share, const Envelope& e,
                                   std::string_view identity, const BlindedRequest& request) {
  if (auto ok = verify_label(key.public_key, e, identity); !ok) return ok.error();
  if (auto ok = verify_blinding(e, request, identity); !ok) return ok.error();
  return share_of_checked_request(key, share, request);
}

Result<DecryptionShare> share_of_checked_request(const NetworkKey& key, const KeyShare& share,
                                                 const BlindedRequest& request) {
  const Point* x = key.share_public_key(share.index);
  if (x == nullptr) {
    return crypto_error("invalid_key_share", "this node's share index is not in the network key");
  }
  DecryptionShare out;
  out.index = share.index;
  auto d = mul(share.secret, request.v);
  if (!d) return crypto_error("invalid_blinding", "V·x_i is the identity");
  out.d = *d;
  for (;;) {
    const Scalar k = random_scalar();
    auto a1 = mul_base(k);
    auto a2 = mul(k, request.v);
    if (!a1 || !a2) continue;
    out.a1 = *a1;
    out.a2 = *a2;
    const Scalar c = dleq_challenge(share.index, *x, request.v, out.d, out.a1, out.a2);
    out.z = scalar_add(k, scalar_mul(c, share.secret));
    return out;
  }
}

Result<bool> verify_share(const NetworkKey& key, const Point& v, const DecryptionShare& share) {
  const Point* x = key.share_public_key(share.index);
  if (x == nullptr) {
    return crypto_error("invalid_share", "share index " + std::to_string(share.index) +
                                             " is not in the network key");
  }
  const Scalar c = dleq_challenge(share.index, *x, v, share.d, share.a1, share.a2);
  if (!check_relation(share.z, nullptr, share.a1, c, *x) ||
      !check_relation(share.z, &v, share.a2, c, share.d)) {
    return crypto_error("invalid_share", "the DLEQ proof of share " + std::to_string(share.index) +
                                             " fails: it is not x_i·V");
  }
  return true;
}

std::optional<std::vector<Scalar>> lagrange_at_zero(std::span<const std::uint32_t> indices) {
  std::vector<Scalar> out;
  out.reserve(indices.size());
  for (std::uint32_t i : indices) {
    if (i == 0) return std::nullopt;
    Scalar num = scalar_from_u32(1);
    Scalar den = scalar_from_u32(1);
    for (std::uint32_t j : indices) {
      if (j == i) continue;
      num = scalar_mul(num, scalar_from_u32(j));
      den = scalar_mul(den, scalar_sub(scalar_from_u32(j), scalar_from_u32(i)));
    }
    auto inv = scalar_invert(den);
    if (!inv) return std::nullopt;  // a repeated index
    out.push_back(scalar_mul(num, *inv));
  }
  return out;
}

Result<std::string> combine(const NetworkKey& key, const Envelope& e, std::string_view identity,
                            const Scalar& s, std::span<const DecryptionShare> shares,
                            std::string_view data_to_encrypt_hash) {
  if (auto ok = verify_label(key.public_key, e, identity); !ok) return ok.error();
  auto v = mul(s, e.u);
  if (!v) return crypto_error("invalid_argument", "the blinding scalar is not usable");
  std::vector<const DecryptionShare*> chosen;
  for (const DecryptionShare& share : shares) {
    if (auto ok = verify_share(key, *v, share); !ok) return ok.error();
    const bool seen = std::any_of(chosen.begin(), chosen.end(), [&](const DecryptionShare* c) {
      return c->index == share.index;
    });
    if (!seen && chosen.size() < key.threshold) chosen.push_back(&share);
  }
  if (chosen.size() < key.threshold) {
    return crypto_error("quorum_unavailable", std::to_string(chosen.size()) +
                                                  " valid shares from distinct nodes, " +
                                                  std::to_string(key.threshold) + " needed");
  }
  std::vector<std::uint32_t> indices;
  for (const DecryptionShare* c : chosen) indices.push_back(c->index);
  auto lambdas = lagrange_at_zero(indices);
  if (!lambdas) return crypto_error("internal", "Lagrange coefficients failed");
  std::optional<Point> y;
  for (std::size_t n = 0; n < chosen.size(); ++n) {
    auto term = mul((*lambdas)[n], chosen[n]->d);
    if (!term) return crypto_error("invalid_share", "a weighted share is the identity");
    y = y ? add(*y, *term) : term;
    if (!y) return crypto_error("invalid_share", "the combined shares are the identity");
  }
  auto s_inv = scalar_invert(s);
  if (!s_inv) return crypto_error("invalid_argument", "the blinding scalar is zero");
  auto shared = mul(*s_inv, *y);
  if (!shared) return crypto_error("invalid_share", "the unblinded point is the identity");
  auto plain = open_envelope(key.public_key, e, identity, *shared);
  sodium_memzero(shared->bytes.data(), kPointBytes);
  if (!plain) return plain.error();
  if (sha256_hex(plain.value()) != data_to_encrypt_hash) {
    return crypto_error("invalid_ciphertext",
                        "the decrypted data does not hash to dataToEncryptHash");
  }
  return plain;
}

}  // namespace litc::crypto
