// EIP-4361 messages: the EIP's examples, every optional field present and absent, the three
// statement layouts, exact formatting, and a table of malformed messages each refused by line.
#include "crypto/ethereum/siwe_message.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace litc::crypto {
namespace {

// The EIP-4361 "Examples" section (https://eips.ethereum.org/EIPS/eip-4361), verbatim.
const std::string kEipExample =
    "example.com wants you to sign in with your Ethereum account:\n"
    "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2\n"
    "\n"
    "I accept the ExampleOrg Terms of Service: https://example.com/tos\n"
    "\n"
    "URI: https://example.com/login\n"
    "Version: 1\n"
    "Chain ID: 1\n"
    "Nonce: 32891756\n"
    "Issued At: 2021-09-30T16:25:24Z\n"
    "Resources:\n"
    "- ipfs://bafybeiemxf5abjwjbikoz4mc3a3dla6ual3jsgpdr4cjr3oz3evfyavhwq/\n"
    "- https://example.com/my-web2-claim.json";

std::string replace(std::string text, std::string_view from, std::string_view to) {
  std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "fixture lacks " << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

SiweMessage parsed(const std::string& text) {
  auto result = parse_siwe_message(text);
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message) << "\n" << text;
  return result.ok() ? result.value() : SiweMessage{};
}

TEST(SiweMessage, ParsesTheEipExampleWithImplicitScheme) {
  SiweMessage m = parsed(kEipExample);
  EXPECT_FALSE(m.scheme.has_value());
  EXPECT_EQ(m.domain, "example.com");
  EXPECT_EQ(m.address, "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2");
  EXPECT_EQ(m.account.to_lower_hex(), "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2");
  EXPECT_EQ(m.statement, "I accept the ExampleOrg Terms of Service: https://example.com/tos");
  EXPECT_EQ(m.uri, "https://example.com/login");
  EXPECT_EQ(m.chain_id, 1u);
  EXPECT_EQ(m.nonce, "32891756");
  EXPECT_EQ(m.issued_at.text, "2021-09-30T16:25:24Z");
  EXPECT_EQ(m.issued_at.unix_ms, 1633019124000);
  EXPECT_FALSE(m.expiration_time.has_value());
  EXPECT_FALSE(m.not_before.has_value());
  EXPECT_FALSE(m.request_id.has_value());
  ASSERT_TRUE(m.resources.has_value());
  EXPECT_EQ(*m.resources, (std::vector<std::string>{
                              "ipfs://bafybeiemxf5abjwjbikoz4mc3a3dla6ual3jsgpdr4cjr3oz3evfyavhwq/",
                              "https://example.com/my-web2-claim.json"}));
  EXPECT_EQ(format_siwe_message(m), kEipExample);
}

TEST(SiweMessage, ParsesTheEipExampleWithExplicitPort) {
  std::string text = replace(kEipExample, "example.com wants", "example.com:3388 wants");
  SiweMessage m = parsed(text);
  EXPECT_EQ(m.domain, "example.com:3388");
  EXPECT_FALSE(m.scheme.has_value());
  EXPECT_EQ(format_siwe_message(m), text);
}

TEST(SiweMessage, ParsesTheEipExampleWithExplicitScheme) {
  std::string text = replace(kEipExample, "example.com wants", "https://example.com wants");
  SiweMessage m = parsed(text);
  EXPECT_EQ(m.scheme, "https");
  EXPECT_EQ(m.domain, "example.com");
  EXPECT_EQ(format_siwe_message(m), text);
}

// A message with every optional field, fractional and offset times included.
const std::string kFull =
    "https://app.example.com:8443 wants you to sign in with your Ethereum account:\n"
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359\n"
    "\n"
    "Sign in to decrypt; you authorize (1) 'Threshold': 'Decryption'.\n"
    "\n"
    "URI: lit:session:abc\n"
    "Version: 1\n"
    "Chain ID: 137\n"
    "Nonce: a1B2c3D4e5F6\n"
    "Issued At: 2024-05-01T10:00:00.5+02:00\n"
    "Expiration Time: 2024-05-02T10:00:00.123456Z\n"
    "Not Before: 2024-05-01T03:00:00-05:30\n"
    "Request ID: req-42:x@y\n"
    "Resources:\n"
    "- lit-accesscontrolcondition://*\n"
    "- urn:recap:eyJhdHQiOnt9fQ";

TEST(SiweMessage, ParsesEveryOptionalField) {
  SiweMessage m = parsed(kFull);
  EXPECT_EQ(m.scheme, "https");
  EXPECT_EQ(m.domain, "app.example.com:8443");
  EXPECT_EQ(m.chain_id, 137u);
  EXPECT_EQ(m.issued_at.unix_ms, 1714550400500);  // 08:00:00.500Z
  ASSERT_TRUE(m.expiration_time && m.not_before && m.request_id && m.resources);
  EXPECT_EQ(m.expiration_time->text, "2024-05-02T10:00:00.123456Z");
  EXPECT_EQ(m.expiration_time->unix_ms, 1714644000123);
  EXPECT_EQ(m.not_before->unix_ms, 1714552200000);  // 08:30:00Z
  EXPECT_EQ(m.request_id, "req-42:x@y");
  EXPECT_EQ(m.resources->size(), 2u);
  EXPECT_EQ(format_siwe_message(m), kFull);
}

TEST(SiweMessage, EachOptionalFieldMayBeAbsent) {
  const SiweMessage full = parsed(kFull);
  for (int mask = 0; mask < 32; ++mask) {
    SiweMessage m = full;
    if (mask & 1) m.scheme.reset();
    if (mask & 2) m.expiration_time.reset();
    if (mask & 4) m.not_before.reset();
    if (mask & 8) m.request_id.reset();
    if (mask & 16) m.resources.reset();
    for (auto statement : {std::optional<std::string>(), std::optional<std::string>(""),
                           std::optional<std::string>("A statement.")}) {
      m.statement = statement;
      std::string text = format_siwe_message(m);
      auto again = parse_siwe_message(text);
      ASSERT_TRUE(again.ok()) << again.error().message << "\n" << text;
      EXPECT_EQ(again.value(), m) << text;
    }
  }
}

TEST(SiweMessage, StatementLayoutsFollowTheAbnf) {
  const std::string head =
      "example.com wants you to sign in with your Ethereum account:\n"
      "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2\n";
  const std::string tail =
      "URI: https://example.com/login\nVersion: 1\nChain ID: 1\nNonce: 32891756\n"
      "Issued At: 2021-09-30T16:25:24Z";
  // No statement: address LF, LF, LF (two blank lines).
  SiweMessage none = parsed(head + "\n\n" + tail);
  EXPECT_FALSE(none.statement.has_value());
  EXPECT_EQ(format_siwe_message(none), head + "\n\n" + tail);
  // A statement: blank, statement, blank.
  SiweMessage some = parsed(head + "\nHello.\n\n" + tail);
  EXPECT_EQ(some.statement, "Hello.");
  // An empty statement: three blank lines.
  SiweMessage empty = parsed(head + "\n\n\n" + tail);
  ASSERT_TRUE(empty.statement.has_value());
  EXPECT_EQ(*empty.statement, "");
  EXPECT_EQ(format_siwe_message(empty), head + "\n\n\n" + tail);
}

TEST(SiweMessage, EdgeValuesThatAreValid) {
  const std::string base = replace(kEipExample,
                                   "Resources:\n- ipfs://bafybeiemxf5abjwjbikoz4mc3a3"
                                   "dla6ual3jsgpdr4cjr3oz3evfyavhwq/\n- https://"
                                   "example.com/my-web2-claim.json",
                                   "Request ID: \nResources:");
  SiweMessage m = parsed(base);
  EXPECT_EQ(m.request_id, "");                         // present but empty
  EXPECT_EQ(m.resources, std::vector<std::string>{});  // title with no entries
  EXPECT_EQ(format_siwe_message(m), base);
  // Lowercase and uppercase addresses carry no checksum and are accepted.
  SiweMessage low = parsed(replace(kEipExample, "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2",
                                   "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2"));
  SiweMessage up = parsed(replace(kEipExample, "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2",
                                  "0xC02AAA39B223FE8D0A0E5C4F27EAD9083C756CC2"));
  EXPECT_EQ(low.account, up.account);
  // The largest chain id, a long nonce, and an IPv6 domain.
  SiweMessage big = parsed(
      replace(replace(replace(kEipExample, "Chain ID: 1\n", "Chain ID: 18446744073709551615\n"),
                      "Nonce: 32891756", "Nonce: " + std::string(100, 'Z')),
              "example.com wants", "[::1]:3000 wants"));
  EXPECT_EQ(big.chain_id, 18446744073709551615u);
  EXPECT_EQ(big.domain, "[::1]:3000");
}

struct Malformed {
  const char* name;
  std::string text;
  std::size_t line;
  const char* expected;  // a substring of the error message
};

TEST(SiweMessage, RefusesMalformedMessagesNamingTheLine) {
  const std::string full = kFull;
  const std::string no_statement =
      replace(kFull, "\nSign in to decrypt; you authorize (1) 'Threshold': 'Decryption'.\n", "\n");
  std::string crlf = kFull;
  for (std::size_t at = crlf.find('\n'); at != std::string::npos; at = crlf.find('\n', at + 2)) {
    crlf.replace(at, 1, "\r\n");
  }
  const std::string ends_after_nonce = full.substr(0, full.find("\nIssued At"));
  const Malformed cases[] = {
      {"empty", "", 1, "wants you to sign in"},
      {"wrong phrase", replace(full, "with your Ethereum account:", "with your account:"), 1,
       "wants you to sign in"},
      {"no domain", replace(full, "https://app.example.com:8443 wants", "https:// wants"), 1,
       "domain"},
      {"domain with space", replace(full, "app.example.com", "app example.com"), 1, "domain"},
      {"domain with path", replace(full, ":8443 wants", ":8443/login wants"), 1, "domain"},
      {"bad scheme", replace(full, "https://app", "1https://app"), 1, "scheme"},
      {"bad checksum", replace(full, "0xfB69", "0xFB69"), 2, "EIP-55"},
      {"short address", replace(full, "c5d359\n", "c5d35\n"), 2, "40 hex"},
      {"address with space", replace(full, "\n0xfB69", "\n 0xfB69"), 2, "40 hex"},
      {"no blank after address", replace(full, "c5d359\n\n", "c5d359\n"), 3,
       "blank line after the address"},
      {"two-line statement", replace(full, "'Decryption'.\n", "'Decryption'.\nMore.\n"), 5,
       "blank line after the statement"},
      {"statement with %", replace(full, "Sign in", "Sign 100% in"), 4, "0x25"},
      {"statement with tab", replace(full, "Sign in", "Sign\tin"), 4, "0x09"},
      {"statement with quote", replace(full, "Sign in", "Sign \"in\""), 4, "0x22"},
      {"statement non-ASCII", replace(full, "Sign in", "Sign \xc3\xa9"), 4, "0xc3"},
      {"one blank line without statement", replace(no_statement, "\n\nURI", "\nURI"), 4,
       "two blank lines"},
      {"URL instead of URI", replace(full, "URI: ", "URL: "), 6, "expected \"URI: ...\""},
      {"lowercase uri title", replace(full, "URI: ", "uri: "), 6, "expected \"URI: ...\""},
      {"URI not absolute", replace(full, "URI: lit:session:abc", "URI: example.com/login"), 6,
       "not an RFC 3986 URI"},
      {"Version 2", replace(full, "Version: 1", "Version: 2"), 7, "Version must be 1"},
      {"Version without space", replace(full, "Version: 1", "Version:1"), 7, "Version: ..."},
      {"Chain ID hex", replace(full, "Chain ID: 137", "Chain ID: 0x89"), 8, "decimal digits"},
      {"Chain ID empty", replace(full, "Chain ID: 137", "Chain ID: "), 8, "decimal digits"},
      {"Chain ID negative", replace(full, "Chain ID: 137", "Chain ID: -1"), 8, "decimal digits"},
      {"Chain ID overflow", replace(full, "Chain ID: 137", "Chain ID: 18446744073709551616"), 8,
       "64 bits"},
      {"Nonce too short", replace(full, "Nonce: a1B2c3D4e5F6", "Nonce: a1B2c3D"), 9, "at least 8"},
      {"Nonce with dash", replace(full, "Nonce: a1B2c3D4e5F6", "Nonce: a1B2-c3D4"), 9,
       "at least 8 letters or digits"},
      {"Issued At syntax", replace(full, "2024-05-01T10:00:00.5+02:00", "2024-05-01 10:00:00Z"), 10,
       "Issued At"},
      {"Issued At impossible", replace(full, "2024-05-01T10:00:00.5+02:00", "2023-02-29T10:00:00Z"),
       10, "does not exist"},
      {"Expiration Time syntax", replace(full, "2024-05-02T10:00:00.123456Z", "tomorrow"), 11,
       "Expiration Time"},
      {"Not Before syntax", replace(full, "2024-05-01T03:00:00-05:30", "2024-05-01T03:00:00"), 12,
       "Not Before"},
      {"Request ID with space", replace(full, "req-42:x@y", "req 42"), 13, "Request ID"},
      {"Not Before before Expiration Time",
       replace(full,
               "Expiration Time: 2024-05-02T10:00:00.123456Z\nNot Before: "
               "2024-05-01T03:00:00-05:30",
               "Not Before: 2024-05-01T03:00:00-05:30\nExpiration Time: "
               "2024-05-02T10:00:00.123456Z"),
       12, "in that order"},
      {"duplicate Expiration Time",
       replace(full, "Not Before:", "Expiration Time: 2024-05-02T10:00:00Z\nNot Before:"), 12,
       "in that order"},
      {"unknown field", replace(full, "Request ID:", "Foo: bar\nRequest ID:"), 13,
       "unexpected line"},
      {"Resources title with space", replace(full, "Resources:\n", "Resources: \n"), 14,
       "unexpected line"},
      {"resource without dash", replace(full, "- urn:recap", "urn:recap"), 16, "resource"},
      {"resource not a URI", replace(full, "- urn:recap:eyJhdHQiOnt9fQ", "- not a uri"), 16,
       "resource"},
      {"field after Resources", full + "\nRequest ID: 1", 17, "Resources must be the last"},
      {"trailing line break", full + "\n", 17, "ends with a line break"},
      {"trailing line break after Issued At",
       ends_after_nonce + "\nIssued At: 2021-09-30T16:25:24Z\n", 11, "ends with a line break"},
      {"CRLF line ends", crlf, 1, "carriage return"},
      {"ends after Nonce", ends_after_nonce, 10, "ends early"},
      {"ends after header", "example.com wants you to sign in with your Ethereum account:", 2,
       "ends early"},
  };
  for (const Malformed& c : cases) {
    auto result = parse_siwe_message(c.text);
    ASSERT_FALSE(result.ok()) << c.name;
    EXPECT_EQ(result.error().line, c.line) << c.name << ": " << result.error().message;
    EXPECT_NE(result.error().message.find(c.expected), std::string::npos)
        << c.name << ": " << result.error().message;
    EXPECT_EQ(result.error().message.rfind("line " + std::to_string(c.line) + ": ", 0), 0u)
        << c.name << ": " << result.error().message;
  }
}

TEST(SiweMessage, QuotesAtMost64BytesOfPeerText) {
  std::string text = replace(kFull, "Version: 1", "Version: " + std::string(1000, '9'));
  auto result = parse_siwe_message(text);
  ASSERT_FALSE(result.ok());
  EXPECT_LT(result.error().message.size(), 200u);
}

TEST(SiweMessage, IssuedTimesFromTheClock) {
  SiweTime t = SiweTime::from_unix_ms(1714644000123);
  EXPECT_EQ(t.text, "2024-05-02T10:00:00.123Z");
  EXPECT_EQ(t.unix_ms, 1714644000123);
}

}  // namespace
}  // namespace litc::crypto
