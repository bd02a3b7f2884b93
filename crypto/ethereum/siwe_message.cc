// EIP-4361 parser and writer (see siwe_message.h for the accepted grammar).
#include "crypto/ethereum/siwe_message.h"

#include <algorithm>
#include <cstdio>
#include <limits>

#include "crypto/ethereum/rfc3339.h"
#include "crypto/ethereum/uri.h"

namespace litc::crypto {
namespace {

constexpr std::string_view kHeaderSuffix = " wants you to sign in with your Ethereum account:";
constexpr std::string_view kUri = "URI: ";
constexpr std::string_view kVersion = "Version: ";
constexpr std::string_view kChainId = "Chain ID: ";
constexpr std::string_view kNonce = "Nonce: ";
constexpr std::string_view kIssuedAt = "Issued At: ";
constexpr std::string_view kExpirationTime = "Expiration Time: ";
constexpr std::string_view kNotBefore = "Not Before: ";
constexpr std::string_view kRequestId = "Request ID: ";
constexpr std::string_view kResources = "Resources:";
constexpr std::string_view kResourcePrefix = "- ";

// Peer text quoted in an error: at most 64 bytes, control and non-ASCII bytes as \xNN.
std::string snippet(std::string_view text) {
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size() && i < 64; ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      char esc[5];
      std::snprintf(esc, sizeof esc, "\\x%02x", c);
      out += esc;
    }
  }
  if (text.size() > 64) out += "...";
  return out + "\"";
}

// statement = *( reserved / unreserved / " " ): printable ASCII without " % < > \ ^ ` { | }.
bool is_statement_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view(" -._~:/?#[]@!$&'()*+,;=").find(c) != std::string_view::npos;
}

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

class Parser {
 public:
  explicit Parser(std::string_view text) {
    std::size_t start = 0;
    while (true) {
      std::size_t lf = text.find('\n', start);
      lines_.push_back(text.substr(start, lf - start));
      if (lf == std::string_view::npos) break;
      start = lf + 1;
    }
  }

  Result<SiweMessage, SiweParseError> parse() {
    for (std::size_t i = 0; i < lines_.size(); ++i) {
      if (lines_[i].find('\r') != std::string_view::npos) {
        return fail(i, "carriage return found; EIP-4361 lines end with LF (\\n) only");
      }
    }
    SiweMessage m;
    if (auto e = header(m)) return *e;
    if (auto e = address(m)) return *e;
    if (auto e = statement(m)) return *e;
    if (auto e = required_fields(m)) return *e;
    if (auto e = optional_fields(m)) return *e;
    return m;
  }

 private:
  using Failure = std::optional<SiweParseError>;

  SiweParseError fail(std::size_t index, std::string what) const {
    return {index + 1, "line " + std::to_string(index + 1) + ": " + std::move(what)};
  }

  Failure trailing_line_break() const {
    return fail(next_ - 1,
                "the message ends with a line break; EIP-4361 has none after the last field");
  }

  // The line at `next_`, or a failure saying what was expected there.
  Failure take(std::string_view expected, std::string_view& line) {
    if (next_ >= lines_.size()) {
      return fail(next_, "the message ends early; expected " + std::string(expected));
    }
    line = lines_[next_++];
    return std::nullopt;
  }

  // Takes a line that must start with `prefix`; `value` is the rest.
  Failure take_field(std::string_view prefix, std::string_view& value) {
    std::string expected = "\"" + std::string(prefix) + "...\"";
    if (auto e = take(expected, value)) return e;
    if (value.substr(0, prefix.size()) != prefix) {
      return fail(next_ - 1, "expected " + expected + ", got " + snippet(value));
    }
    value.remove_prefix(prefix.size());
    return std::nullopt;
  }

  Failure header(SiweMessage& m) {
    std::string_view line = lines_[next_++];
    if (line.size() <= kHeaderSuffix.size() ||
        line.substr(line.size() - kHeaderSuffix.size()) != kHeaderSuffix) {
      return fail(0,
                  "expected \"<domain> wants you to sign in with your Ethereum account:\", got " +
                      snippet(line));
    }
    std::string_view origin = line.substr(0, line.size() - kHeaderSuffix.size());
    std::size_t sep = origin.find("://");
    if (sep != std::string_view::npos) {
      std::string_view scheme = origin.substr(0, sep);
      if (!is_uri_scheme(scheme)) {
        return fail(0, snippet(scheme) + " before :// is not an RFC 3986 scheme");
      }
      m.scheme = std::string(scheme);
      origin.remove_prefix(sep + 3);
    }
    if (origin.empty() || !is_uri_authority(origin)) {
      return fail(0, "domain " + snippet(origin) + " is not an RFC 3986 authority (host[:port])");
    }
    m.domain = std::string(origin);
    return std::nullopt;
  }

  Failure address(SiweMessage& m) {
    std::string_view line;
    if (auto e = take("the address line (0x + 40 hex digits)", line)) return e;
    auto parsed = parse_address(line);
    if (!parsed.ok()) return fail(next_ - 1, parsed.error().message);
    m.address = std::string(line);
    m.account = parsed.value();
    return std::nullopt;
  }

  Failure blank(std::string_view after) {
    std::string_view line;
    std::string expected = "a blank line after the " + std::string(after);
    if (auto e = take(expected, line)) return e;
    if (!line.empty()) {
      return fail(next_ - 1, "expected " + expected + ", got " + snippet(line));
    }
    return std::nullopt;
  }

  // The three layouts of EIP-4361 ("address LF LF [statement LF] LF URI"), told apart by line 4:
  // text is a statement; blank then blank is an empty statement; blank then URI is none.
  Failure statement(SiweMessage& m) {
    if (auto e = blank("address")) return e;
    std::string_view line;
    if (auto e = take("a statement or a blank line", line)) return e;
    if (line.empty()) {
      if (next_ < lines_.size() && lines_[next_].empty()) {
        m.statement = "";
        ++next_;
      }
      return std::nullopt;
    }
    if (line.substr(0, kUri.size()) == kUri && next_ < lines_.size() && !lines_[next_].empty()) {
      return fail(next_ - 1,
                  "expected a blank line before URI; a message without a statement has two blank "
                  "lines between the address and URI");
    }
    auto bad = std::find_if_not(line.begin(), line.end(), is_statement_char);
    if (bad != line.end()) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02x", static_cast<unsigned char>(*bad));
      return fail(next_ - 1, std::string("the statement has character ") + hex +
                                 ", which EIP-4361 does not allow (RFC 3986 reserved and "
                                 "unreserved characters and spaces only)");
    }
    m.statement = std::string(line);
    return blank("statement");
  }

  Failure required_fields(SiweMessage& m) {
    std::string_view value;
    if (auto e = take_field(kUri, value)) return e;
    if (!is_uri(value)) return fail(next_ - 1, "URI " + snippet(value) + " is not an RFC 3986 URI");
    m.uri = std::string(value);

    if (auto e = take_field(kVersion, value)) return e;
    if (value != "1") return fail(next_ - 1, "Version must be 1, got " + snippet(value));

    if (auto e = take_field(kChainId, value)) return e;
    if (value.empty() ||
        !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return fail(next_ - 1, "Chain ID must be decimal digits, got " + snippet(value));
    }
    std::uint64_t chain_id = 0;
    for (char c : value) {
      auto digit = static_cast<std::uint64_t>(c - '0');
      if (chain_id > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) {
        return fail(next_ - 1, "Chain ID " + snippet(value) + " does not fit in 64 bits");
      }
      chain_id = chain_id * 10 + digit;
    }
    m.chain_id = chain_id;

    if (auto e = take_field(kNonce, value)) return e;
    if (value.size() < 8 || !std::all_of(value.begin(), value.end(), is_alnum)) {
      return fail(next_ - 1, "Nonce must be at least 8 letters or digits, got " + snippet(value));
    }
    m.nonce = std::string(value);

    if (auto e = take_field(kIssuedAt, value)) return e;
    return time(value, "Issued At", m.issued_at);
  }

  Failure time(std::string_view value, std::string_view name, SiweTime& out) {
    auto ms = parse_rfc3339_ms(value);
    if (!ms.ok()) return fail(next_ - 1, std::string(name) + ": " + ms.error().message);
    out = SiweTime{std::string(value), ms.value()};
    return std::nullopt;
  }

  Failure optional_fields(SiweMessage& m) {
    int stage = 0;  // 1 Expiration Time, 2 Not Before, 3 Request ID seen (each at most once)
    while (next_ < lines_.size()) {
      std::string_view line = lines_[next_++];
      if (line.empty() && next_ == lines_.size()) return trailing_line_break();
      if (stage < 1 && line.substr(0, kExpirationTime.size()) == kExpirationTime) {
        stage = 1;
        m.expiration_time.emplace();
        if (auto e =
                time(line.substr(kExpirationTime.size()), "Expiration Time", *m.expiration_time)) {
          return e;
        }
      } else if (stage < 2 && line.substr(0, kNotBefore.size()) == kNotBefore) {
        stage = 2;
        m.not_before.emplace();
        if (auto e = time(line.substr(kNotBefore.size()), "Not Before", *m.not_before)) return e;
      } else if (stage < 3 && line.substr(0, kRequestId.size()) == kRequestId) {
        stage = 3;
        std::string_view id = line.substr(kRequestId.size());
        if (!is_pchars(id)) {
          return fail(next_ - 1, "Request ID " + snippet(id) +
                                     " has a character outside RFC 3986 pchar (no spaces)");
        }
        m.request_id = std::string(id);
      } else if (line == kResources) {
        return resources(m);
      } else {
        return fail(next_ - 1,
                    "unexpected line " + snippet(line) +
                        "; after Issued At come only Expiration Time, Not Before, Request ID and "
                        "Resources, each once and in that order");
      }
    }
    return std::nullopt;
  }

  Failure resources(SiweMessage& m) {
    m.resources.emplace();
    for (; next_ < lines_.size(); ++next_) {
      std::string_view line = lines_[next_];
      if (line.empty() && next_ + 1 == lines_.size()) {
        ++next_;
        return trailing_line_break();
      }
      if (line.substr(0, kResourcePrefix.size()) != kResourcePrefix ||
          !is_uri(line.substr(kResourcePrefix.size()))) {
        return fail(next_, "expected a resource \"- <RFC 3986 URI>\", got " + snippet(line) +
                               " (Resources must be the last field)");
      }
      m.resources->emplace_back(line.substr(kResourcePrefix.size()));
    }
    return std::nullopt;
  }

  std::vector<std::string_view> lines_;
  std::size_t next_ = 0;
};

}  // namespace

SiweTime SiweTime::from_unix_ms(std::int64_t unix_ms) {
  return SiweTime{format_rfc3339_ms(unix_ms), unix_ms};
}

Result<SiweMessage, SiweParseError> parse_siwe_message(std::string_view text) {
  return Parser(text).parse();
}

std::string format_siwe_message(const SiweMessage& m) {
  std::string out;
  if (m.scheme) out += *m.scheme + "://";
  out += m.domain;
  out += kHeaderSuffix;
  out += "\n" + m.address + "\n\n";
  if (m.statement) out += *m.statement + "\n";
  out += "\n";
  out += std::string(kUri) + m.uri + "\n";
  out += std::string(kVersion) + std::to_string(SiweMessage::version) + "\n";
  out += std::string(kChainId) + std::to_string(m.chain_id) + "\n";
  out += std::string(kNonce) + m.nonce + "\n";
  out += std::string(kIssuedAt) + m.issued_at.text;
  if (m.expiration_time) out += "\n" + std::string(kExpirationTime) + m.expiration_time->text;
  if (m.not_before) out += "\n" + std::string(kNotBefore) + m.not_before->text;
  if (m.request_id) out += "\n" + std::string(kRequestId) + *m.request_id;
  if (m.resources) {
    out += "\n";
    out += kResources;
    for (const std::string& r : *m.resources) out += "\n" + std::string(kResourcePrefix) + r;
  }
  return out;
}

}  // namespace litc::crypto
