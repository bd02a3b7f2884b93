// EIP-4361 (Sign-In with Ethereum) messages: the parsed fields, the parser and the exact writer.
//
// DESIGN — what parse_siwe_message accepts is the EIP's ABNF, line by line:
//   [scheme "://"] domain " wants you to sign in with your Ethereum account:"
//   address                       EIP-55 if mixed case; all-lower / all-upper accepted
//   (blank)
//   [statement] then (blank)      absent: two blank lines; present: "", statement, "";
//                                 present but empty: three blank lines (statement == "")
//   URI: / Version: 1 / Chain ID: / Nonce: (>= 8 letters or digits) / Issued At:
//   then, each optional but in this order: Expiration Time:, Not Before:, Request ID:,
//   Resources: followed by "- <URI>" lines to the end.
// Lines end with LF only, and there is none after the last line. Anything else is refused with the
// 1-based line number that failed. Nothing here checks times, domains or nonces against a policy:
// that is the caller's (auth_sig.h) business.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/ethereum/address.h"
#include "crypto/ethereum/result.h"

namespace litc::crypto {

// A time as the message writes it and the instant it names.
struct SiweTime {
  std::string text;          // written back unchanged by format_siwe_message
  std::int64_t unix_ms = 0;  // ms since the Unix epoch; a fraction beyond ms is truncated

  // The text as format_rfc3339_ms writes it ("2024-01-02T03:04:05.678Z"), for issuing messages.
  static SiweTime from_unix_ms(std::int64_t unix_ms);
  friend bool operator==(const SiweTime&, const SiweTime&) = default;
};

// Every field of the message. Text fields hold exactly what the message says (the signature is
// over those bytes), so format_siwe_message(parse_siwe_message(m).value()) == m for every m the
// parser accepts except a Chain ID written with leading zeros.
struct SiweMessage {
  static constexpr int version = 1;  // the only version EIP-4361 defines

  std::optional<std::string> scheme;     // "https" in "https://example.com wants you…"
  std::string domain;                    // RFC 3986 authority: [userinfo@]host[:port]
  std::string address;                   // as written; parse checked its EIP-55 case
  Address account;                       // the same address as 20 bytes (what callers compare)
  std::optional<std::string> statement;  // nullopt: no statement; "": an empty statement line
  std::string uri;
  std::uint64_t chain_id = 1;
  std::string nonce;
  SiweTime issued_at;
  std::optional<SiweTime> expiration_time;
  std::optional<SiweTime> not_before;
  std::optional<std::string> request_id;              // may be present and empty ("Request ID: ")
  std::optional<std::vector<std::string>> resources;  // nullopt: no "Resources:" line

  friend bool operator==(const SiweMessage&, const SiweMessage&) = default;
};

struct SiweParseError {
  std::size_t line = 0;  // 1-based line of the message that failed
  std::string message;   // starts with "line N: " and says what was expected
};

Result<SiweMessage, SiweParseError> parse_siwe_message(std::string_view text);

// Writes the EIP-4361 text of `m` from its text fields (`account` is not read: set `address` to
// to_checksum_address(account)). It does not validate: a statement with a line break or a bad URI
// is written as given, so a caller issuing challenges should parse its output once in a test.
std::string format_siwe_message(const SiweMessage& m);

}  // namespace litc::crypto
