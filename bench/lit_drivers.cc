// EncryptDriver and DecryptDriver: the Lit-style operations' requests and checks (see
// lit_drivers.h).
#include "bench/lit_drivers.h"

#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "crypto/conditions/conditions.h"
#include "crypto/threshold/envelope.h"

namespace litc::bench {
namespace {

namespace json = boost::json;

constexpr std::string_view kIdentityPrefix = "lit-accesscontrolcondition://";

// The load loop's payload starts with its request index, little endian (fill_payload).
uint64_t payload_index(std::string_view payload) {
  uint64_t index = 0;
  for (std::size_t i = 0; i < 8 && i < payload.size(); ++i) {
    index |= static_cast<uint64_t>(static_cast<unsigned char>(payload[i])) << (8 * i);
  }
  return index;
}

const json::object* parse_object(std::string_view text, json::value& holder) {
  json::error_code ec;
  holder = json::parse(text, ec);
  return ec ? nullptr : holder.if_object();
}

std::string_view string_at(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return {};
  return {v->get_string().data(), v->get_string().size()};
}

std::string hash_of_conditions(const std::string& params) {
  auto p = crypto::parse_condition_params(params);
  if (!p.ok()) throw std::runtime_error("the bench's conditions: " + p.error().message);
  return p.value().conditions.hash_of_conditions;
}

}  // namespace

std::string user_address_params(const std::string& address) {
  return R"({"accessControlConditions":[{"contractAddress":"","standardContractType":"","chain":"ethereum","method":"","parameters":[":userAddress"],"returnValueTest":{"comparator":"=","value":")" +
         address + R"("}}],"chain":"ethereum"})";
}

std::string lit_plaintext(uint64_t index, std::size_t bytes) {
  char head[17];
  std::snprintf(head, sizeof head, "%016llx", static_cast<unsigned long long>(index));
  std::string s(head, bytes < 16 ? bytes : 16);
  for (std::size_t i = s.size(); i < bytes; ++i) {
    s.push_back(static_cast<char>('a' + (index + i) % 26));
  }
  return s;
}

// ---------------------------------------------------------------- encrypt

EncryptDriver::EncryptDriver(zmq::context_t& context, const std::string& clients, int timeout_ms,
                             const crypto::NetworkKey& key, const std::string& params,
                             std::size_t bytes, uint64_t verify_every)
    : inner_(context, clients, timeout_ms, false, "encrypt"),
      key_(key),
      input_head_(params.substr(0, params.rfind('}'))),
      hash_of_conditions_(hash_of_conditions(params)),
      bytes_(bytes),
      verify_every_(verify_every) {}

uint64_t EncryptDriver::send(std::string_view payload) {
  Sent sent{std::string(payload), lit_plaintext(payload_index(payload), bytes_)};
  // The plaintext is [0-9a-z]: nothing to escape.
  uint64_t token = inner_.send(input_head_ + R"(,"dataToEncrypt":")" + sent.plaintext + "\"}");
  if (token != 0) in_flight_.emplace(token, std::move(sent));
  return token;
}

std::optional<Reply> EncryptDriver::poll(int timeout_ms) {
  std::optional<Reply> r = inner_.poll(timeout_ms);
  if (!r || !r->final) return r;
  auto it = in_flight_.find(r->token);
  if (it == in_flight_.end()) return r;  // the loop reports the unknown token
  if (r->error.empty()) r->error = check(it->second.plaintext, r->output);
  payload_ = std::move(it->second.payload);
  in_flight_.erase(it);
  r->output = payload_;
  return r;
}

std::string EncryptDriver::check(const std::string& plaintext, std::string_view output) {
  json::value holder;
  const json::object* o = parse_object(output, holder);
  if (o == nullptr) return "encrypt output is not a JSON object";
  const std::string data_hash = crypto::data_to_encrypt_hash(plaintext);
  if (string_at(*o, "dataToEncryptHash") != data_hash) {
    return "encrypt output's dataToEncryptHash is not SHA-256 of its own plaintext";
  }
  if (string_at(*o, "hashOfConditions") != hash_of_conditions_) {
    return "encrypt output's hashOfConditions differs from the conditions sent";
  }
  const std::string identity = std::string(kIdentityPrefix) + hash_of_conditions_ + "/" + data_hash;
  if (string_at(*o, "identity") != identity) return "encrypt output's identity is not L";
  auto e = crypto::envelope_from_base64(string_at(*o, "ciphertext"));
  if (!e) return "encrypt output's ciphertext: " + e.error().message;
  if (e->box.size() != plaintext.size() + crypto::kTagBytes) {
    return "encrypt output's box is not plaintext + tag long";
  }
  ++results_;
  if (verify_every_ != 0 && results_ % verify_every_ == 0) {
    if (auto ok = crypto::verify_label(key_.public_key, e.value(), identity); !ok) {
      return "encrypt output's label proof: " + ok.error().message;
    }
    ++verified_;
  }
  return {};
}

// ---------------------------------------------------------------- decrypt

DecryptDriver::DecryptDriver(zmq::context_t& context, const std::string& clients, int timeout_ms,
                             const crypto::NetworkKey& key, const std::string& params,
                             const json::value& auth_sig, std::size_t bytes, std::size_t pool,
                             uint64_t verify_every)
    : inner_(context, clients, timeout_ms, false, "decrypt"),
      key_(key),
      verify_every_(verify_every) {
  const auto start = std::chrono::steady_clock::now();
  pool_.reserve(pool);
  for (std::size_t i = 0; i < pool; ++i) {
    Entry e;
    // Indices far from the load loop's, so no pool plaintext equals an encrypt job's.
    e.plaintext = lit_plaintext(0xdec0000000000000ULL + i, bytes);
    auto envelope = encrypt_to_json(key, params, e.plaintext);
    if (!envelope) throw std::runtime_error("encrypt_to_json: " + envelope.error().message);
    auto pending = prepare_decrypt(key, envelope.value(), auth_sig);
    if (!pending) throw std::runtime_error("prepare_decrypt: " + pending.error().message);
    e.pending = std::move(pending.value());
    pool_.push_back(std::move(e));
    free_.push_back(i);
  }
  prepare_s_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

uint64_t DecryptDriver::send(std::string_view payload) {
  if (free_.empty()) return 0;  // a window larger than the pool: the loop reports it
  const std::size_t entry = free_.back();
  uint64_t token = inner_.send(pool_[entry].pending.job_input);
  if (token == 0) return 0;
  free_.pop_back();
  in_flight_.emplace(token, Sent{std::string(payload), entry});
  return token;
}

std::optional<Reply> DecryptDriver::poll(int timeout_ms) {
  std::optional<Reply> r = inner_.poll(timeout_ms);
  if (!r || !r->final) return r;
  auto it = in_flight_.find(r->token);
  if (it == in_flight_.end()) return r;
  if (r->error.empty()) r->error = check(it->second.entry, r->output);
  free_.push_back(it->second.entry);
  payload_ = std::move(it->second.payload);
  in_flight_.erase(it);
  r->output = payload_;
  return r;
}

std::string DecryptDriver::check(std::size_t entry, std::string_view output) {
  json::value holder;
  const json::object* o = parse_object(output, holder);
  const json::value* list = o ? o->if_contains("shares") : nullptr;
  if (list == nullptr || !list->is_array()) return "decrypt output is not {\"shares\":[…]}";
  const json::array& shares = list->get_array();
  if (shares.size() != key_.threshold) {
    return "decrypt output holds " + std::to_string(shares.size()) +
           " shares, T = " + std::to_string(key_.threshold);
  }
  std::vector<int64_t> seen;
  for (const json::value& s : shares) {
    const json::value* index = s.is_object() ? s.get_object().if_contains("index") : nullptr;
    if (index == nullptr || !index->is_int64() || index->get_int64() < 1 ||
        index->get_int64() > key_.shares) {
      return "a decrypt share has no index in 1..N";
    }
    for (int64_t i : seen) {
      if (i == index->get_int64()) return "two decrypt shares of one index";
    }
    seen.push_back(index->get_int64());
  }
  ++results_;
  if (verify_every_ != 0 && results_ % verify_every_ == 0) {
    auto plain = finish_decrypt(key_, pool_[entry].pending, output);
    if (!plain) return "finish_decrypt: " + plain.error().code + ": " + plain.error().message;
    if (plain.value() != pool_[entry].plaintext) return "decrypted another plaintext";
    ++verified_;
  }
  return {};
}

}  // namespace litc::bench
