// litc encrypt / litc decrypt (see lit_commands.h). One JSON value on stdout: the envelope, or
// {"decryptedData"}; a refusal prints {"error":{"code","message"}} and exits 1; unreadable files,
// a bad network.json or an unreachable broker exit 2.
#include "cli/lit_commands.h"

#include <boost/json.hpp>
#include <iostream>

#include "cli/commands.h"
#include "crypto/threshold/network_key.h"
#include "protocol/lit_client.h"

namespace litc::cli {
namespace {

namespace json = boost::json;

void print_refusal(const crypto::CryptoError& e) {
  std::cout << json::serialize(
                   json::object{{"error", json::object{{"code", e.code}, {"message", e.message}}}})
            << '\n';
  std::cerr << "litc: " << e.code << ": " << e.message << '\n';
}

bool read_file(const std::string& what, const std::string& path, std::string& out) {
  if (read_input(path, out)) return true;
  std::cerr << "litc: cannot read " << what << " " << path << '\n';
  return false;
}

}  // namespace

int run_encrypt(const EncryptOptions& o) {
  auto key = crypto::load_network_key(o.network_key);
  if (!key.ok()) {
    std::cerr << "litc: " << key.error().message << '\n';
    return kExitError;
  }
  std::string conditions, plaintext = o.input;
  if (!read_file("--conditions", o.conditions, conditions)) return kExitError;
  if (!o.input_file.empty() && !read_file("--input-file", o.input_file, plaintext)) {
    return kExitError;
  }
  json::error_code ec;
  json::value parsed = json::parse(conditions, ec);
  json::object params;
  if (!ec && parsed.is_array()) {
    params["accessControlConditions"] = std::move(parsed);
  } else if (!ec && parsed.is_object()) {
    params = std::move(parsed.get_object());
  } else {
    std::cerr << "litc: --conditions must hold a JSON array of accessControlConditions or an "
                 "object with one condition kind\n";
    return kExitError;
  }
  params["chain"] = o.chain;
  auto envelope = encrypt_to_json(key.value(), json::serialize(params), plaintext);
  if (!envelope.ok()) {
    print_refusal(envelope.error());
    return kExitJobFailed;
  }
  std::cout << envelope.value() << '\n';
  return kExitOk;
}

int run_decrypt(const DecryptOptions& o) {
  auto key = crypto::load_network_key(o.network_key);
  if (!key.ok()) {
    std::cerr << "litc: " << key.error().message << '\n';
    return kExitError;
  }
  std::string auth_text, envelope;
  if (!read_file("--auth-sig", o.auth_sig, auth_text)) return kExitError;
  if (!read_file("--envelope", o.envelope, envelope)) return kExitError;
  json::error_code ec;
  const json::value auth_sig = json::parse(auth_text, ec);
  if (ec) {
    std::cerr << "litc: --auth-sig is not JSON\n";
    return kExitError;
  }
  Client client(o.client);
  auto plain = decrypt_through(client, key.value(), envelope, auth_sig, o.wait_timeout_ms);
  if (!plain.ok()) {
    print_refusal(plain.error());
    // The broker not answering is the tool's failure; a refusal is the answer.
    return plain.error().code == "timeout" ? kExitError : kExitJobFailed;
  }
  std::cout << json::serialize(json::object{{"decryptedData", plain.value()}}) << '\n';
  return kExitOk;
}

}  // namespace litc::cli
