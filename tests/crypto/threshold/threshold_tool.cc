// threshold_tool (test-only): one step of the threshold scheme per call, JSON in on stdin, JSON
// out on stdout, so a test in another language can drive our implementation step by step. Exit 0
// with the result, 1 with {"error":{"code","message"}} for a refusal, 2 for a malformed request.
#include <boost/json.hpp>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "crypto/threshold/decryption.h"
#include "crypto/threshold/envelope.h"
#include "crypto/threshold/network_key.h"
#include "crypto/threshold/share_json.h"

namespace {

namespace json = boost::json;
using namespace litc::crypto;

struct Usage {
  std::string what;
};

std::string str(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) throw Usage{"missing string field " + std::string(key)};
  return std::string(v->get_string());
}

const json::object& obj(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_object()) throw Usage{"missing object field " + std::string(key)};
  return v->get_object();
}

int refuse(const CryptoError& e) {
  std::cout << json::serialize(
                   json::object{{"error", json::object{{"code", e.code}, {"message", e.message}}}})
            << "\n";
  return 1;
}

// A share or blinded request as a peer sent it: what does not decode is that party's refusal.
Result<DecryptionShare> share_from(const json::object& o) {
  auto s = share_from_json(o);
  if (!s) {
    return crypto_error("invalid_share",
                        "a share needs an index in 1..1024, valid non-identity points D, A1, A2 "
                        "and a canonical scalar z");
  }
  return *s;
}

Result<BlindedRequest> blinded_from(const json::object& o) {
  auto b = blinded_from_json(o);
  if (!b) {
    return crypto_error("invalid_blinding",
                        "V or A is not a valid non-identity point, or z is not canonical");
  }
  return *b;
}

std::string data_hash_of(const std::string& identity) {
  const auto slash = identity.rfind('/');
  return slash == std::string::npos ? std::string() : identity.substr(slash + 1);
}

int run(const json::object& req) {
  const std::string op = str(req, "op");
  if (op == "keygen") {
    const auto t = req.at("threshold").to_number<std::uint32_t>();
    const auto n = req.at("shares").to_number<std::uint32_t>();
    auto dealt = deal_network_key(t, n);
    if (!dealt) return refuse(dealt.error());
    json::array shares;
    for (const KeyShare& s : dealt->shares) shares.push_back(json::parse(key_share_to_json(s)));
    std::cout << json::serialize(
                     json::object{{"network", json::parse(network_key_to_json(dealt->network))},
                                  {"shares", std::move(shares)}})
              << "\n";
    return 0;
  }
  auto key = network_key_from_json(json::serialize(obj(req, "network")));
  if (!key) return refuse(key.error());
  if (op == "verify_share") {
    auto v = point_from_hex(str(req, "V"));
    auto share = share_from(obj(req, "share"));
    const bool valid = v && share && verify_share(key.value(), *v, share.value()).ok();
    std::cout << json::serialize(json::object{{"valid", valid}}) << "\n";
    return 0;
  }
  const std::string identity = str(req, "identity");
  if (op == "encrypt") {
    const Envelope e = encrypt_envelope(key->public_key, identity, str(req, "plaintext"));
    std::cout << json::serialize(json::object{{"ciphertext", envelope_to_base64(e)}}) << "\n";
    return 0;
  }
  auto envelope = envelope_from_base64(str(req, "ciphertext"));
  if (!envelope) return refuse(envelope.error());
  if (op == "blind") {
    auto b = blind(key.value(), envelope.value(), identity);
    if (!b) return refuse(b.error());
    std::cout << json::serialize(json::object{{"V", to_hex(b->request.v)},
                                              {"A", to_hex(b->request.a)},
                                              {"z", to_hex(b->request.z)},
                                              {"s", to_hex(b->s)}})
              << "\n";
    return 0;
  }
  if (op == "share") {
    auto share = key_share_from_json(json::serialize(obj(req, "share")));
    if (!share) return refuse(share.error());
    if (auto ok = verify_key_share(key.value(), share.value()); !ok) return refuse(ok.error());
    auto blinded = blinded_from(obj(req, "blinded"));
    if (!blinded) return refuse(blinded.error());
    auto d = make_share(key.value(), share.value(), envelope.value(), identity, blinded.value());
    if (!d) return refuse(d.error());
    std::cout << json::serialize(share_to_json(d.value())) << "\n";
    return 0;
  }
  if (op == "combine") {
    auto s = scalar_from_hex(str(req, "s"));
    if (!s) throw Usage{"s is not a canonical scalar"};
    std::vector<DecryptionShare> shares;
    const json::value* list = req.if_contains("shares");
    if (list == nullptr || !list->is_array()) throw Usage{"shares must be an array"};
    for (const json::value& item : list->get_array()) {
      if (!item.is_object()) throw Usage{"a share must be an object"};
      auto share = share_from(item.get_object());
      if (!share) return refuse(share.error());
      shares.push_back(share.value());
    }
    auto plain =
        combine(key.value(), envelope.value(), identity, *s, shares, data_hash_of(identity));
    if (!plain) return refuse(plain.error());
    std::cout << json::serialize(json::object{{"plaintext", plain.value()}}) << "\n";
    return 0;
  }
  throw Usage{"unknown op " + op};
}

}  // namespace

int main() {
  const std::string input((std::istreambuf_iterator<char>(std::cin)),
                          std::istreambuf_iterator<char>());
  try {
    json::value req = json::parse(input);
    if (!req.is_object()) throw Usage{"the request must be a JSON object"};
    return run(req.get_object());
  } catch (const Usage& u) {
    std::cerr << "threshold_tool: " << u.what << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "threshold_tool: " << e.what() << "\n";
    return 2;
  }
}
