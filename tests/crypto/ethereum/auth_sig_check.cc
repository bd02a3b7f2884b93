// auth_sig_check: test-only filter for tests/js/auth_sig_cross_check.test.mjs. One JSON object per
// stdin line, one JSON answer per stdout line:
//   {"authSig":{…},"identity":"L","nowMs":N[,"allowedDomains":[…]]}
//     -> {"ok":true,"address":"0x…"} or {"ok":false,"code":"…","message":"…"}
//   {"siweMessage":"…"}
//     -> {"ok":true,"fields":{siwe's field names},"formatted":"…"} or
//     {"ok":false,"line":N,"message":"…"}
// A line that is neither gets {"ok":false,"code":"bad_input","message":"…"}.
#include <boost/json.hpp>
#include <cstdint>
#include <iostream>
#include <string>

#include "crypto/ethereum/auth_sig.h"
#include "crypto/ethereum/siwe_message.h"

namespace {

using namespace litc::crypto;

boost::json::object bad_input(std::string message) {
  return {{"ok", false}, {"code", "bad_input"}, {"message", std::move(message)}};
}

void put_time(boost::json::object& out, const char* name, const SiweTime& t) {
  out[name] = t.text;
  out[std::string(name) + "Ms"] = t.unix_ms;
}

boost::json::object parse_answer(std::string_view text) {
  auto parsed = parse_siwe_message(text);
  if (!parsed.ok()) {
    return {{"ok", false}, {"line", parsed.error().line}, {"message", parsed.error().message}};
  }
  const SiweMessage& m = parsed.value();
  boost::json::object f;
  if (m.scheme) f["scheme"] = *m.scheme;
  f["domain"] = m.domain;
  f["address"] = m.address;
  if (m.statement) f["statement"] = *m.statement;
  f["uri"] = m.uri;
  f["version"] = std::to_string(SiweMessage::version);
  f["chainId"] = m.chain_id;
  f["nonce"] = m.nonce;
  put_time(f, "issuedAt", m.issued_at);
  if (m.expiration_time) put_time(f, "expirationTime", *m.expiration_time);
  if (m.not_before) put_time(f, "notBefore", *m.not_before);
  if (m.request_id) f["requestId"] = *m.request_id;
  if (m.resources) {
    boost::json::array resources;
    for (const std::string& r : *m.resources) resources.emplace_back(r);
    f["resources"] = std::move(resources);
  }
  return {{"ok", true}, {"fields", std::move(f)}, {"formatted", format_siwe_message(m)}};
}

boost::json::object verify_answer(const boost::json::object& request) {
  const boost::json::value* auth_sig = request.if_contains("authSig");
  const boost::json::value* identity = request.if_contains("identity");
  const boost::json::value* now = request.if_contains("nowMs");
  if (!auth_sig || !now || !now->is_number()) return bad_input("need authSig and a numeric nowMs");
  std::int64_t now_ms = now->is_double() ? static_cast<std::int64_t>(now->as_double())
                                         : now->to_number<std::int64_t>();
  std::string L = identity && identity->is_string() ? std::string(identity->as_string()) : "";
  AuthSigPolicy policy;
  if (const boost::json::value* domains = request.if_contains("allowedDomains")) {
    if (!domains->is_array()) return bad_input("allowedDomains must be an array of strings");
    for (const boost::json::value& d : domains->as_array()) {
      if (!d.is_string()) return bad_input("allowedDomains must be an array of strings");
      policy.allowed_domains.emplace_back(d.as_string());
    }
  }
  AuthSigVerdict v = verify_auth_sig(*auth_sig, L, now_ms, policy);
  if (v.ok) return {{"ok", true}, {"address", v.address}};
  return {{"ok", false}, {"code", auth_sig_code_name(v.code)}, {"message", v.message}};
}

}  // namespace

int main() {
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    boost::system::error_code ec;
    boost::json::value request = boost::json::parse(line, ec);
    boost::json::object answer;
    if (ec || !request.is_object()) {
      answer = bad_input("not a JSON object: " + ec.message());
    } else if (const boost::json::value* text = request.as_object().if_contains("siweMessage")) {
      answer =
          text->is_string() ? parse_answer(text->as_string()) : bad_input("siweMessage: string");
    } else {
      answer = verify_answer(request.as_object());
    }
    std::cout << boost::json::serialize(answer) << '\n' << std::flush;
  }
  return 0;
}
