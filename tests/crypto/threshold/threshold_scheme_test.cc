// The threshold scheme end to end inside one process: dealing and checking the network key,
// encrypting, blinding, node shares with DLEQ proofs, combining — and every refusal the nodes,
// the broker and the requester rely on.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "crypto/threshold/decryption.h"
#include "crypto/threshold/envelope.h"
#include "crypto/threshold/network_key.h"

namespace litc::crypto {
namespace {

const std::string kHashOfConditions =
    "53b01f820c82e86d7e4cd804b8a6f68682221eeb7df76fd43ee777c8caab5628";
const std::string kHelloHash = "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9";
const std::string kIdentity =
    "lit-accesscontrolcondition://" + kHashOfConditions + "/" + kHelloHash;

DealtKey deal(std::uint32_t t, std::uint32_t n) {
  auto dealt = deal_network_key(t, n);
  EXPECT_TRUE(dealt.ok()) << (dealt.ok() ? "" : dealt.error().message);
  return dealt.value();
}

std::vector<DecryptionShare> shares_for(const DealtKey& k, const Envelope& e,
                                        const BlindedRequest& r, std::vector<std::uint32_t> who) {
  std::vector<DecryptionShare> out;
  for (std::uint32_t i : who) {
    auto share = make_share(k.network, k.shares[i - 1], e, kIdentity, r);
    EXPECT_TRUE(share.ok()) << i;
    out.push_back(share.value());
  }
  return out;
}

TEST(NetworkKey, DealingRefusesThresholdsThatLetOneNodeDecrypt) {
  EXPECT_EQ(deal_network_key(1, 3).error().code, "invalid_argument");
  EXPECT_EQ(deal_network_key(0, 3).error().code, "invalid_argument");
  EXPECT_EQ(deal_network_key(4, 3).error().code, "invalid_argument");
  EXPECT_EQ(deal_network_key(2, kMaxShares + 1).error().code, "invalid_argument");
  EXPECT_TRUE(deal_network_key(2, 2).ok());
}

TEST(NetworkKey, EveryShareMatchesTheCommitmentsAndTheKeyInterpolatesToP) {
  const DealtKey k = deal(3, 5);
  ASSERT_EQ(k.network.commitments.size(), 3u);
  EXPECT_EQ(k.network.commitments[0], k.network.public_key);
  for (const KeyShare& s : k.shares) EXPECT_TRUE(verify_key_share(k.network, s).ok()) << s.index;
  // Any T of the X_i interpolate to P in the exponent: Σ λ_i·X_i = P.
  const std::array<std::uint32_t, 3> idx = {2, 4, 5};
  auto lambdas = lagrange_at_zero(idx);
  ASSERT_TRUE(lambdas.has_value());
  std::optional<Point> sum;
  for (std::size_t n = 0; n < idx.size(); ++n) {
    auto term = mul((*lambdas)[n], *k.network.share_public_key(idx[n]));
    sum = sum ? add(*sum, *term) : term;
  }
  EXPECT_EQ(*sum, k.network.public_key);
}

TEST(NetworkKey, AShareFromAnotherNetworkOrAnotherIndexIsRefused) {
  const DealtKey k = deal(2, 3);
  const DealtKey other = deal(2, 3);
  EXPECT_EQ(verify_key_share(k.network, other.shares[0]).error().code, "invalid_key_share");
  KeyShare moved = k.shares[0];
  moved.index = 2;
  EXPECT_EQ(verify_key_share(k.network, moved).error().code, "invalid_key_share");
  moved.index = 4;
  EXPECT_EQ(verify_key_share(k.network, moved).error().code, "invalid_key_share");
}

TEST(NetworkKey, JsonRoundTripsAndEveryInconsistencyIsRefused) {
  const DealtKey k = deal(2, 3);
  const std::string text = network_key_to_json(k.network);
  auto back = network_key_from_json(text);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->public_key, k.network.public_key);
  EXPECT_EQ(back->share_public_keys, k.network.share_public_keys);
  EXPECT_EQ(back->threshold, 2u);

  const DealtKey other = deal(2, 3);
  const std::string p = to_hex(k.network.public_key);
  const std::string x1 = to_hex(k.network.share_public_keys[0]);
  auto replace = [&](const std::string& from, const std::string& to) {
    std::string t = text;
    t.replace(t.find(from), from.size(), to);
    return t;
  };
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"not json", "{"},
      {"version 2", replace("\"version\":1", "\"version\":2")},
      {"threshold 1", replace("\"threshold\":2", "\"threshold\":1")},
      {"threshold above shares", replace("\"threshold\":2", "\"threshold\":4")},
      {"publicKey not C_0",
       replace("\"publicKey\":\"" + p, "\"publicKey\":\"" + to_hex(other.network.public_key))},
      {"identity publicKey",
       replace("\"publicKey\":\"" + p, "\"publicKey\":\"" + std::string(64, '0'))},
      {"forged X_1",
       replace("\"1\":\"" + x1, "\"1\":\"" + to_hex(other.network.share_public_keys[0]))},
      {"share count", replace("\"shares\":3", "\"shares\":4")},
  };
  for (const auto& [what, doc] : bad) {
    auto r = network_key_from_json(doc);
    ASSERT_FALSE(r.ok()) << what;
    EXPECT_EQ(r.error().code, "invalid_argument") << what;
  }
}

TEST(NetworkKey, ShareFilesAreWrittenOwnerOnlyAndNeverOverwritten) {
  const DealtKey k = deal(2, 3);
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("litc-share-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "share-1.key").string();
  ASSERT_TRUE(write_new_file(path, key_share_to_json(k.shares[0]), 0600).ok());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_FALSE(write_new_file(path, "x", 0600).ok()) << "overwrite refused";
  auto loaded = load_key_share(path);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->index, 1u);
  EXPECT_EQ(loaded->secret, k.shares[0].secret);
  EXPECT_EQ(
      key_share_from_json("{\"version\":1,\"index\":0,\"secret\":\"" + std::string(64, '1') + "\"}")
          .error()
          .code,
      "invalid_key_share");
  std::filesystem::remove_all(dir);
}

TEST(NetworkKey, AShareHolderProvesItsIndexForItsOwnNodeIdOnly) {
  const DealtKey k = deal(2, 3);
  const std::string proof = prove_share_possession(k.network, k.shares[1], "node-b");
  ASSERT_EQ(proof.size(), 64u);
  EXPECT_TRUE(verify_share_possession(k.network, 2, "node-b", proof));
  EXPECT_FALSE(verify_share_possession(k.network, 2, "node-x", proof)) << "bound to the node id";
  EXPECT_FALSE(verify_share_possession(k.network, 1, "node-b", proof)) << "bound to the index";
  EXPECT_FALSE(verify_share_possession(k.network, 9, "node-b", proof)) << "index outside 1..N";
  const DealtKey other = deal(2, 3);
  EXPECT_FALSE(verify_share_possession(other.network, 2, "node-b", proof)) << "bound to X_i";
  std::string bent = proof;
  bent[40] ^= 1;
  EXPECT_FALSE(verify_share_possession(k.network, 2, "node-b", bent));
  EXPECT_FALSE(verify_share_possession(k.network, 2, "node-b", proof.substr(0, 63)));
  EXPECT_FALSE(verify_share_possession(k.network, 2, "node-b", std::string(64, '\0')));
}

TEST(ThresholdDecryption, AnyTSharesDecryptAndFewerDoNot) {
  const DealtKey k = deal(2, 3);
  const Envelope e = encrypt_envelope(k.network.public_key, kIdentity, "hello world");
  auto b = blind(k.network, e, kIdentity);
  ASSERT_TRUE(b.ok());
  for (const auto& who :
       std::vector<std::vector<std::uint32_t>>{{1, 2}, {1, 3}, {3, 2}, {1, 2, 3}}) {
    const auto shares = shares_for(k, e, b->request, who);
    for (const DecryptionShare& s : shares)
      EXPECT_TRUE(verify_share(k.network, b->request.v, s).ok());
    auto plain = combine(k.network, e, kIdentity, b->s, shares, kHelloHash);
    ASSERT_TRUE(plain.ok()) << plain.error().message;
    EXPECT_EQ(plain.value(), "hello world");
  }
  const auto one = shares_for(k, e, b->request, {2});
  EXPECT_EQ(combine(k.network, e, kIdentity, b->s, one, kHelloHash).error().code,
            "quorum_unavailable");
  const auto twice = shares_for(k, e, b->request, {2, 2});
  EXPECT_EQ(combine(k.network, e, kIdentity, b->s, twice, kHelloHash).error().code,
            "quorum_unavailable")
      << "the same node twice is one share";
}

TEST(ThresholdDecryption, FiveOfSevenAndEnvelopesSurviveBase64) {
  const DealtKey k = deal(5, 7);
  const std::string text(70000, 'z');
  Envelope e = encrypt_envelope(k.network.public_key, kIdentity, text);
  auto parsed = envelope_from_base64(envelope_to_base64(e));
  ASSERT_TRUE(parsed.ok());
  auto b = blind(k.network, parsed.value(), kIdentity);
  ASSERT_TRUE(b.ok());
  const auto shares = shares_for(k, parsed.value(), b->request, {7, 1, 3, 6, 2});
  // dataToEncryptHash of the wrong plaintext: refused after opening.
  EXPECT_EQ(combine(k.network, parsed.value(), kIdentity, b->s, shares, kHelloHash).error().code,
            "invalid_ciphertext");
}

TEST(ThresholdDecryption, NodesRefuseTamperedAndRelabelledEnvelopes) {
  const DealtKey k = deal(2, 3);
  const Envelope e = encrypt_envelope(k.network.public_key, kIdentity, "hello world");
  auto b = blind(k.network, e, kIdentity);
  ASSERT_TRUE(b.ok());
  const std::string relabelled =
      "lit-accesscontrolcondition://" + std::string(64, 'a') + "/" + kHelloHash;
  EXPECT_EQ(make_share(k.network, k.shares[0], e, relabelled, b->request).error().code,
            "invalid_ciphertext");
  Envelope box = e;
  box.box[0] ^= 1;
  EXPECT_EQ(make_share(k.network, k.shares[0], box, kIdentity, b->request).error().code,
            "invalid_ciphertext");
  Envelope nonce = e;
  nonce.nonce[3] ^= 1;
  EXPECT_EQ(make_share(k.network, k.shares[0], nonce, kIdentity, b->request).error().code,
            "invalid_ciphertext");
  Envelope z = e;
  z.z = scalar_add(z.z, scalar_from_u32(1));
  EXPECT_EQ(make_share(k.network, k.shares[0], z, kIdentity, b->request).error().code,
            "invalid_ciphertext");
  // Another network's key: the label proof binds P too.
  const DealtKey other = deal(2, 3);
  EXPECT_EQ(make_share(other.network, other.shares[0], e, kIdentity, b->request).error().code,
            "invalid_ciphertext");
}

TEST(ThresholdDecryption, ABlindingProofMadeForAnotherCiphertextIsRefused) {
  const DealtKey k = deal(2, 3);
  const Envelope mine = encrypt_envelope(k.network.public_key, kIdentity, "hello world");
  const Envelope theirs = encrypt_envelope(k.network.public_key, kIdentity, "hello world");
  // The requester is authorised for `mine` but blinds `theirs`' U and presents `mine`.
  auto b = blind(k.network, theirs, kIdentity);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(make_share(k.network, k.shares[0], mine, kIdentity, b->request).error().code,
            "invalid_blinding");
  auto honest = blind(k.network, mine, kIdentity);
  BlindedRequest forged = honest->request;
  forged.z = scalar_add(forged.z, scalar_from_u32(1));
  EXPECT_EQ(make_share(k.network, k.shares[0], mine, kIdentity, forged).error().code,
            "invalid_blinding");
}

TEST(ThresholdDecryption, AWrongShareFailsItsProofAndIsRefusedByCombine) {
  const DealtKey k = deal(2, 3);
  const Envelope e = encrypt_envelope(k.network.public_key, kIdentity, "hello world");
  auto b = blind(k.network, e, kIdentity);
  auto shares = shares_for(k, e, b->request, {1, 2});
  DecryptionShare wrong = shares[1];
  wrong.d = *add(wrong.d, *mul_base(scalar_from_u32(1)));  // D_i + B: not x_i·V
  EXPECT_EQ(verify_share(k.network, b->request.v, wrong).error().code, "invalid_share");
  DecryptionShare renumbered = shares[1];
  renumbered.index = 3;  // a real share presented as another node's
  EXPECT_EQ(verify_share(k.network, b->request.v, renumbered).error().code, "invalid_share");
  DecryptionShare outside = shares[1];
  outside.index = 9;
  EXPECT_EQ(verify_share(k.network, b->request.v, outside).error().code, "invalid_share");
  shares[1] = wrong;
  EXPECT_EQ(combine(k.network, e, kIdentity, b->s, shares, kHelloHash).error().code,
            "invalid_share");
  // A share for another V (another request) does not verify against this one.
  auto b2 = blind(k.network, e, kIdentity);
  auto foreign = shares_for(k, e, b2->request, {1});
  EXPECT_EQ(verify_share(k.network, b->request.v, foreign[0]).error().code, "invalid_share");
}

TEST(Envelope, MalformedBytesAreInvalidCiphertext) {
  const DealtKey k = deal(2, 3);
  const std::string good = envelope_to_bytes(encrypt_envelope(k.network.public_key, kIdentity, ""));
  ASSERT_TRUE(envelope_from_bytes(good).ok()) << "the empty plaintext is a valid envelope";
  std::string version = good;
  version[0] = 2;
  std::string identity_u = good;
  std::fill(identity_u.begin() + 1, identity_u.begin() + 33, '\0');
  std::string big_z = good;
  std::fill(big_z.begin() + 65, big_z.begin() + 97, '\xff');
  for (const auto& [what, bytes] : std::vector<std::pair<std::string, std::string>>{
           {"empty", ""},
           {"truncated", good.substr(0, good.size() - 1)},
           {"version 2", version},
           {"identity U", identity_u},
           {"z >= l", big_z}}) {
    auto r = envelope_from_bytes(bytes);
    ASSERT_FALSE(r.ok()) << what;
    EXPECT_EQ(r.error().code, "invalid_ciphertext") << what;
  }
  EXPECT_FALSE(envelope_from_base64("not base64!").ok());
  EXPECT_FALSE(envelope_from_base64(base64_encode(good) + "\n").ok()) << "strict";
  std::string unpadded = base64_encode(good);
  while (!unpadded.empty() && unpadded.back() == '=') unpadded.pop_back();
  if (unpadded.size() != base64_encode(good).size()) {
    EXPECT_FALSE(envelope_from_base64(unpadded).ok()) << "padding required";
  }
}

}  // namespace
}  // namespace litc::crypto
