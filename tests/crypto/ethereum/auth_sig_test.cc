// authSig verification: an ethers-made authSig, the expiry and not-before boundaries, the
// resources rule, the domain allowlist, and every refusal with its code and reason.
#include "crypto/ethereum/auth_sig.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <limits>

#include "crypto/ethereum/address.h"
#include "crypto/ethereum/siwe_message.h"
#include "tests/crypto/ethereum/test_signer.h"

namespace litc::crypto {
namespace {

using testing::PrivateKey;

// Made by tests/js with ethers 6.17.0 Wallet('0x4c0883a6…2318').signMessage() over siwe 3.0.0's
// SiweMessage.prepareMessage() (domain localhost:3000, Issued At 2024-05-01T10:00:00.000Z,
// Expiration Time 2024-05-02T10:00:00.000Z, resource lit-accesscontrolcondition://*).
constexpr std::string_view kEthersAuthSig =
    R"({"sig":"0xcc7968a8178b6faaecc38619274ca48f3b331123ee0b5d9a63bb4be9906cf21c1f5629e65b45fafe270513bcdcb739ebf021f5d3930b24ea17985d393a420a411b","derivedVia":"web3.eth.personal.sign","signedMessage":"localhost:3000 wants you to sign in with your Ethereum account:\n0x2c7536E3605D9C16a7a3D7b1898e529396a65c23\n\nSign in to litcompute to decrypt.\n\nURI: http://localhost:3000\nVersion: 1\nChain ID: 1\nNonce: Zx8f3Kq9mN2p\nIssued At: 2024-05-01T10:00:00.000Z\nExpiration Time: 2024-05-02T10:00:00.000Z\nResources:\n- lit-accesscontrolcondition://*","address":"0x2c7536E3605D9C16a7a3D7b1898e529396a65c23"})";

constexpr std::int64_t kIssued = 1714557600000;     // 2024-05-01T10:00:00.000Z
constexpr std::int64_t kExpires = 1714644000000;    // 2024-05-02T10:00:00.000Z
constexpr std::int64_t kNow = kIssued + 3'600'000;  // an hour into the window
constexpr std::string_view kIdentity = "lit-accesscontrolcondition://4a5b3c2d1e";

SiweMessage message_for(const PrivateKey& key) {
  SiweMessage m;
  m.domain = "localhost:3000";
  m.account = testing::address_of(key);
  m.address = to_checksum_address(m.account);
  m.statement = "Sign in to litcompute to decrypt.";
  m.uri = "http://localhost:3000";
  m.chain_id = 1;
  m.nonce = "abcdefgh1234";
  m.issued_at = SiweTime::from_unix_ms(kIssued);
  m.expiration_time = SiweTime::from_unix_ms(kExpires);
  m.resources = std::vector<std::string>{std::string(kLitWildcardResource)};
  return m;
}

boost::json::object auth_sig_of(const std::string& text, const PrivateKey& key,
                                std::string_view address) {
  return boost::json::object{{"sig", testing::sign_personal(text, key)},
                             {"derivedVia", kPersonalSignDerivedVia},
                             {"signedMessage", text},
                             {"address", address}};
}

boost::json::object auth_sig_of(const SiweMessage& m, const PrivateKey& key) {
  return auth_sig_of(format_siwe_message(m), key, m.address);
}

void expect_refused(const AuthSigVerdict& v, AuthSigCode code, std::string_view reason) {
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.code, code) << v.message;
  EXPECT_TRUE(v.address.empty());
  EXPECT_NE(v.message.find(reason), std::string::npos) << "message: " << v.message;
}

class AuthSig : public ::testing::Test {
 protected:
  PrivateKey key_ = testing::test_key(7);
  PrivateKey other_key_ = testing::test_key(9);
  SiweMessage m_ = message_for(key_);

  AuthSigVerdict verify(const boost::json::value& a, std::int64_t now = kNow,
                        const AuthSigPolicy& policy = {}) {
    return verify_auth_sig(a, kIdentity, now, policy);
  }
  void expect_accepted(const AuthSigVerdict& v) {
    EXPECT_TRUE(v.ok) << auth_sig_code_name(v.code) << ": " << v.message;
    EXPECT_EQ(v.code, AuthSigCode::ok);
    EXPECT_EQ(v.address, testing::address_of(key_).to_lower_hex());
  }
};

TEST_F(AuthSig, AcceptsAnAuthSigMadeByEthersAndSiwe) {
  AuthSigVerdict v = verify_auth_sig(boost::json::parse(kEthersAuthSig), "", kNow, {});
  EXPECT_TRUE(v.ok) << v.message;
  EXPECT_EQ(v.address, "0x2c7536e3605d9c16a7a3d7b1898e529396a65c23");
}

TEST_F(AuthSig, AcceptsAFreshAuthSigAndReturnsTheLowercaseAddress) {
  expect_accepted(verify(auth_sig_of(m_, key_)));
}

TEST_F(AuthSig, ExpiresAtExactlyTheExpirationTime) {
  boost::json::object a = auth_sig_of(m_, key_);
  expect_accepted(verify(a, kExpires - 1));
  expect_refused(verify(a, kExpires), AuthSigCode::auth_sig_expired,
                 "expired at 2024-05-02T10:00:00.000Z");
  expect_refused(verify(a, kExpires + 86'400'000), AuthSigCode::auth_sig_expired, "sign a new one");
}

TEST_F(AuthSig, ExpiryHonoursOffsetsAndFractions) {
  // 2024-05-02T15:30:00.250+05:30 is 10:00:00.250Z.
  m_.expiration_time = SiweTime{"2024-05-02T15:30:00.250+05:30", kExpires + 250};
  std::string text = format_siwe_message(m_);
  boost::json::object a = auth_sig_of(text, key_, m_.address);
  expect_accepted(verify(a, kExpires + 249));
  expect_refused(verify(a, kExpires + 250), AuthSigCode::auth_sig_expired, "expired");
}

TEST_F(AuthSig, ExtremeClocksAndTimesAreAnsweredNotThrown) {
  // A fraction of 60 digits and an offset that moves the instant before year 0000.
  m_.expiration_time = SiweTime{"0000-01-01T00:00:00." + std::string(60, '1') + "+23:59", 0};
  boost::json::object a = auth_sig_of(format_siwe_message(m_), key_, m_.address);
  expect_refused(verify(a), AuthSigCode::auth_sig_expired, "expired at 0000-01-01T00:00:00.111");
  m_ = message_for(key_);
  a = auth_sig_of(m_, key_);
  expect_refused(verify(a, std::numeric_limits<std::int64_t>::max()), AuthSigCode::auth_sig_expired,
                 "(now 9223372036854775807 ms)");
  m_.not_before = SiweTime::from_unix_ms(kIssued);
  expect_refused(verify(auth_sig_of(m_, key_), std::numeric_limits<std::int64_t>::min()),
                 AuthSigCode::auth_sig_expired, "not valid before 2024-05-01T10:00:00.000Z");
}

TEST_F(AuthSig, IsNotValidBeforeNotBefore) {
  m_.not_before = SiweTime::from_unix_ms(kNow);
  boost::json::object a = auth_sig_of(m_, key_);
  expect_refused(verify(a, kNow - 1), AuthSigCode::auth_sig_expired, "not valid before");
  expect_accepted(verify(a, kNow));
}

TEST_F(AuthSig, RequiresAnExpirationTime) {
  m_.expiration_time.reset();
  expect_refused(verify(auth_sig_of(m_, key_)), AuthSigCode::invalid_auth_sig,
                 "no Expiration Time");
}

TEST_F(AuthSig, ResourcesMustGrantTheWildcardOrThisIdentity) {
  const std::string L(kIdentity);
  struct Case {
    std::optional<std::vector<std::string>> resources;
    bool granted;
  };
  const Case cases[] = {
      {std::vector<std::string>{"lit-accesscontrolcondition://*"}, true},
      {std::vector<std::string>{"https://example.com/x", L}, true},
      {std::vector<std::string>{"ipfs://a", "lit-accesscontrolcondition://*", "ipfs://b"}, true},
      {std::nullopt, false},
      {std::vector<std::string>{}, false},
      {std::vector<std::string>{"lit-accesscontrolcondition://otherIdentity"}, false},
      {std::vector<std::string>{L + "0"}, false},
      {std::vector<std::string>{L.substr(0, L.size() - 1)}, false},
      {std::vector<std::string>{"lit-accesscontrolcondition://**"}, false},
      {std::vector<std::string>{"LIT-ACCESSCONTROLCONDITION://*"}, false},
      {std::vector<std::string>{"lit-litaction://*"}, false},
  };
  for (const Case& c : cases) {
    m_.resources = c.resources;
    AuthSigVerdict v = verify(auth_sig_of(m_, key_));
    if (c.granted) {
      expect_accepted(v);
    } else {
      expect_refused(v, AuthSigCode::invalid_auth_sig, "Resources grant neither");
    }
  }
  // An empty identity is granted by the wildcard only.
  m_.resources = std::vector<std::string>{L};
  EXPECT_FALSE(verify_auth_sig(auth_sig_of(m_, key_), "", kNow, {}).ok);
}

TEST_F(AuthSig, WithoutTheWildcardOnlyTheExactIdentityGrants) {
  AuthSigPolicy exact;
  exact.allow_wildcard_resource = false;
  m_.resources = std::vector<std::string>{std::string(kLitWildcardResource)};
  expect_refused(verify(auth_sig_of(m_, key_), kNow, exact), AuthSigCode::invalid_auth_sig,
                 "accepts only authSigs whose Resources name this ciphertext's identity exactly");
  m_.resources =
      std::vector<std::string>{std::string(kLitWildcardResource), std::string(kIdentity)};
  expect_accepted(verify(auth_sig_of(m_, key_), kNow, exact));
}

TEST_F(AuthSig, AMaximumLifetimeRefusesAuthSigsThatExpireTooLate) {
  AuthSigPolicy capped;
  const std::int64_t expires = m_.expiration_time->unix_ms;
  capped.max_lifetime_ms = expires - kNow;  // exactly the limit: accepted
  expect_accepted(verify(auth_sig_of(m_, key_), kNow, capped));
  capped.max_lifetime_ms = expires - kNow - 1;
  expect_refused(verify(auth_sig_of(m_, key_), kNow, capped), AuthSigCode::invalid_auth_sig,
                 "accepts shorter-lived authSigs only");
}

TEST_F(AuthSig, IgnoresTheStatementUriChainIdNonceAndIssuedAt) {
  m_.statement.reset();
  m_.uri = "https://elsewhere.example/";
  m_.chain_id = 8453;
  m_.nonce = "differentNonce99";
  m_.issued_at = SiweTime::from_unix_ms(kNow + 86'400'000);  // "issued" in the future
  expect_accepted(verify(auth_sig_of(m_, key_)));
}

TEST_F(AuthSig, DomainAllowlistWhenGiven) {
  boost::json::object a = auth_sig_of(m_, key_);
  expect_accepted(verify(a, kNow, AuthSigPolicy{}));
  expect_accepted(verify(a, kNow, AuthSigPolicy{{"app.example.com", "LOCALHOST:3000"}}));
  expect_refused(verify(a, kNow, AuthSigPolicy{{"localhost"}}), AuthSigCode::invalid_auth_sig,
                 "domain \"localhost:3000\" is not one this node accepts");
}

TEST_F(AuthSig, DerivedViaMustBePersonalSign) {
  for (const char* via : {"web3.eth.sign", "EIP1271", "lit.bls", "", "Web3.eth.personal.sign"}) {
    boost::json::object a = auth_sig_of(m_, key_);
    a["derivedVia"] = via;
    expect_refused(verify(a), AuthSigCode::invalid_auth_sig, "derivedVia");
  }
}

TEST_F(AuthSig, AcceptsVAsZeroOrOne) {
  boost::json::object a = auth_sig_of(m_, key_);
  std::string sig(a["sig"].as_string());
  std::string v = sig.substr(130);
  ASSERT_TRUE(v == "1b" || v == "1c");
  a["sig"] = sig.substr(0, 130) + (v == "1b" ? "00" : "01");
  expect_accepted(verify(a));
  // The other parity recovers some other key: refused as a signer mismatch, not a crash.
  a["sig"] = sig.substr(0, 130) + (v == "1b" ? "01" : "00");
  expect_refused(verify(a), AuthSigCode::invalid_auth_sig, "authSig.sig was made by");
}

TEST_F(AuthSig, AcceptsHighSAsDocumented) {
  boost::json::object a = auth_sig_of(m_, key_);
  a["sig"] = testing::high_s_twin(a["sig"].as_string());
  expect_accepted(verify(a));
}

TEST_F(AuthSig, RefusesMalformedSignatures) {
  boost::json::object good = auth_sig_of(m_, key_);
  const std::string sig(good["sig"].as_string());
  const std::pair<std::string, const char*> cases[] = {
      {sig.substr(0, 130), "130 hex digits"},
      {sig + "00", "130 hex digits"},
      {sig.substr(2), "start with 0x"},
      {"0x" + std::string(129, 'a') + "g", "non-hex"},
      {sig.substr(0, 130) + "1d", "v byte is 29"},
      {"0x" + std::string(128, '0') + "1b", "does not recover"},
      {"", "start with 0x"},
  };
  for (const auto& [bad, reason] : cases) {
    boost::json::object a = good;
    a["sig"] = bad;
    expect_refused(verify(a), AuthSigCode::invalid_auth_sig, reason);
  }
}

TEST_F(AuthSig, ComparesAddressBytesNotCase) {
  // authSig.address lowercase, message checksummed.
  boost::json::object a = auth_sig_of(m_, key_);
  a["address"] = testing::address_of(key_).to_lower_hex();
  expect_accepted(verify(a));
  // Message lowercase, authSig.address checksummed.
  SiweMessage lower = m_;
  lower.address = testing::address_of(key_).to_lower_hex();
  boost::json::object b = auth_sig_of(format_siwe_message(lower), key_, m_.address);
  expect_accepted(verify(b));
}

TEST_F(AuthSig, RefusesABadChecksumInTheAddressField) {
  boost::json::object a = auth_sig_of(m_, key_);
  std::string address = m_.address;
  // Flip the case of the first letter digit: still mixed case, now a wrong checksum.
  for (std::size_t i = 2; i < address.size(); ++i) {
    if (std::isalpha(static_cast<unsigned char>(address[i]))) {
      address[i] = static_cast<char>(address[i] ^ 0x20);
      break;
    }
  }
  a["address"] = address;
  expect_refused(verify(a), AuthSigCode::invalid_auth_sig, "EIP-55");
}

TEST_F(AuthSig, RefusesAnAddressFieldThatIsNotTheMessageAddress) {
  boost::json::object a = auth_sig_of(m_, key_);
  a["address"] = to_checksum_address(testing::address_of(other_key_));
  expect_refused(verify(a), AuthSigCode::invalid_auth_sig,
                 "is not the address the signed message names");
}

TEST_F(AuthSig, RefusesASignatureByAnotherKey) {
  // Message and address field name key_, signed by other_key_.
  expect_refused(verify(auth_sig_of(format_siwe_message(m_), other_key_, m_.address)),
                 AuthSigCode::invalid_auth_sig, "authSig.sig was made by");
  // Message names key_, signed by other_key_, address field other_key_: the message's address
  // line is not the signer.
  expect_refused(verify(auth_sig_of(format_siwe_message(m_), other_key_,
                                    to_checksum_address(testing::address_of(other_key_)))),
                 AuthSigCode::invalid_auth_sig, "is not the address the signed message names");
}

TEST_F(AuthSig, RefusesAMessageChangedAfterSigning) {
  boost::json::object a = auth_sig_of(m_, key_);
  SiweMessage later = m_;
  later.expiration_time = SiweTime::from_unix_ms(kExpires + 365LL * 86'400'000);
  a["signedMessage"] = format_siwe_message(later);
  expect_refused(verify(a), AuthSigCode::invalid_auth_sig, "changed after signing");
}

TEST_F(AuthSig, RefusesAnUnparsableMessageNamingTheLine) {
  std::string text = format_siwe_message(m_);
  text.replace(text.find("Version: 1"), 10, "Version: 2");
  expect_refused(verify(auth_sig_of(text, key_, m_.address)), AuthSigCode::invalid_auth_sig,
                 "not an EIP-4361 message: line 7: Version must be 1");
}

TEST_F(AuthSig, RefusesTheWrongJsonShape) {
  expect_refused(verify(boost::json::array{}), AuthSigCode::invalid_auth_sig, "JSON object");
  expect_refused(verify(boost::json::value("sig")), AuthSigCode::invalid_auth_sig, "JSON object");
  expect_refused(verify(nullptr), AuthSigCode::invalid_auth_sig, "JSON object");
  for (const char* field : {"sig", "derivedVia", "signedMessage", "address"}) {
    boost::json::object missing = auth_sig_of(m_, key_);
    missing.erase(field);
    expect_refused(verify(missing), AuthSigCode::invalid_auth_sig,
                   std::string("authSig.") + field + " is missing or not a string");
    boost::json::object number = auth_sig_of(m_, key_);
    number[field] = 42;
    expect_refused(verify(number), AuthSigCode::invalid_auth_sig,
                   std::string("authSig.") + field + " is missing or not a string");
  }
}

TEST_F(AuthSig, IgnoresExtraFields) {
  boost::json::object a = auth_sig_of(m_, key_);
  a["algo"] = "ed25519";
  a["extra"] = boost::json::array{1, 2};
  expect_accepted(verify(a));
}

TEST_F(AuthSig, AnInvalidAuthSigIsNeverReportedAsExpired) {
  // Expired and signed by another key: the signature failure wins, as auth_sig.h documents.
  expect_refused(verify(auth_sig_of(format_siwe_message(m_), other_key_, m_.address), kExpires),
                 AuthSigCode::invalid_auth_sig, "was made by");
  // Expired and not granting the resource.
  m_.resources.reset();
  expect_refused(verify(auth_sig_of(m_, key_), kExpires), AuthSigCode::invalid_auth_sig,
                 "Resources grant neither");
}

TEST(AuthSigCode, NamesAreTheCatalogueStrings) {
  EXPECT_EQ(auth_sig_code_name(AuthSigCode::ok), "ok");
  EXPECT_EQ(auth_sig_code_name(AuthSigCode::invalid_auth_sig), "invalid_auth_sig");
  EXPECT_EQ(auth_sig_code_name(AuthSigCode::auth_sig_expired), "auth_sig_expired");
}

}  // namespace
}  // namespace litc::crypto
