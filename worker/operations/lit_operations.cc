// encrypt and the node's half of decrypt (see lit_operations.h). Each step's refusal is an
// OperationResult with its catalogue code: a bad request must never reach the share.
#include "worker/operations/lit_operations.h"

#include <boost/json.hpp>
#include <chrono>
#include <map>
#include <memory>

#include "crypto/conditions/conditions.h"
#include "crypto/conditions/evaluator.h"
#include "crypto/conditions/json_rpc_chain_reader.h"
#include "crypto/ethereum/auth_sig.h"
#include "crypto/identity/result_statement.h"
#include "crypto/lit/lit_envelope.h"
#include "crypto/threshold/decryption.h"
#include "crypto/threshold/envelope.h"
#include "crypto/threshold/share_json.h"
#include "schemas/error_names.h"

namespace litc {
namespace {

namespace json = boost::json;
using crypto::ConditionErrc;

// crypto/'s codes are the catalogue's names; a name this build lacks would be a bug of ours.
fb::ErrorCode code_of(std::string_view name) {
  const fb::ErrorCode code = error_code_from_name(name);
  return code == fb::ErrorCode::unknown ? fb::ErrorCode::internal : code;
}

OperationResult fail(const crypto::ConditionError& e) {
  return OperationResult::failure(code_of(crypto::to_string(e.code)), e.message);
}
OperationResult fail(const crypto::CryptoError& e) {
  return OperationResult::failure(code_of(e.code), e.message);
}

const json::string* string_member(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr ? v->if_string() : nullptr;
}

std::string_view sv(const json::string& s) {
  return {s.data(), s.size()};
}

std::size_t count_conditions(const std::vector<crypto::ConditionItem>& items) {
  std::size_t n = 0;
  for (const crypto::ConditionItem& item : items) {
    if (item.kind == crypto::ConditionItem::Kind::condition) ++n;
    if (item.kind == crypto::ConditionItem::Kind::group) n += count_conditions(item.group);
  }
  return n;
}

// The chain as one decrypt request may use it: identical reads answered once, at most
// `max_reads` distinct ones, none after the job is cancelled or its time budget is spent — a
// request with thousands of conditions must not turn one node into an RPC amplifier.
class BudgetedChainReader final : public crypto::ChainReader {
 public:
  BudgetedChainReader(crypto::ChainReader& chain, const CancelToken& cancel,
                      std::uint32_t max_reads, std::chrono::milliseconds budget)
      : chain_(chain),
        cancel_(cancel),
        max_reads_(max_reads),
        deadline_(std::chrono::steady_clock::now() + budget) {}

  bool supports_chain(std::string_view chain) const override {
    return chain_.supports_chain(chain);
  }
  crypto::ConditionResult<std::string> get_balance(std::string_view chain, std::string_view address,
                                                   std::string_view block) override {
    return read("getBalance", chain, address, block,
                [&] { return chain_.get_balance(chain, address, block); });
  }
  crypto::ConditionResult<std::string> eth_call(std::string_view chain, std::string_view to,
                                                std::string_view data,
                                                std::string_view block) override {
    return read("call" + std::string(data), chain, to, block,
                [&] { return chain_.eth_call(chain, to, data, block); });
  }

 private:
  template <class F>
  crypto::ConditionResult<std::string> read(std::string kind, std::string_view chain,
                                            std::string_view who, std::string_view block, F&& f) {
    std::string key =
        kind + '\n' + std::string(chain) + '\n' + std::string(who) + '\n' + std::string(block);
    if (auto it = cache_.find(key); it != cache_.end()) return it->second;
    if (cancel_.cancelled()) return unavailable("the job was cancelled");
    if (std::chrono::steady_clock::now() > deadline_) {
      return unavailable("this request's chain reads ran past the node's time budget");
    }
    if (cache_.size() >= max_reads_) {
      return unavailable("this request needs more than " + std::to_string(max_reads_) +
                         " chain reads (--max-chain-reads)");
    }
    auto answer = f();
    if (answer.ok()) cache_.emplace(std::move(key), answer.value());
    return answer;
  }
  static crypto::ConditionError unavailable(std::string message) {
    return crypto::ConditionError{ConditionErrc::chain_unavailable, std::move(message)};
  }

  crypto::ChainReader& chain_;
  const CancelToken& cancel_;
  std::uint32_t max_reads_;
  std::chrono::steady_clock::time_point deadline_;
  std::map<std::string, std::string> cache_;
};

std::int64_t now_ms(const OperationContext& c) {
  if (c.now_ms) return c.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Operation make_encrypt_operation(const OperationContext& context) {
  const crypto::Point key = context.network_key->public_key;
  const crypto::JsonLimits limits{context.max_params_bytes, crypto::kDefaultMaxJsonDepth};
  return [key, limits](std::string_view input, const CancelToken&) -> OperationResult {
    auto params = crypto::parse_condition_params(input, limits);
    if (!params.ok()) return fail(params.error());
    const json::string* data = string_member(params.value().document, "dataToEncrypt");
    if (data == nullptr) {
      return OperationResult::failure(fb::ErrorCode::invalid_argument,
                                      "dataToEncrypt must be a string (the plaintext)");
    }
    auto envelope = crypto::encrypt_to_envelope(key, params.value(), sv(*data));
    if (!envelope) return fail(envelope.error());
    return OperationResult::success(json::serialize(envelope.value()));
  };
}

Operation make_sign_operation(const OperationContext& context) {
  auto key = std::make_shared<const crypto::NodeKey>(*context.node_key);
  return [key](std::string_view input, const CancelToken&) -> OperationResult {
    if (input.starts_with(crypto::kStatementDomain)) {
      // A statement signed on request would let anyone forge an attestation of this node.
      return OperationResult::failure(fb::ErrorCode::invalid_argument,
                                      "sign refuses input that starts like a result statement "
                                      "(\"litcompute \"): this node signs those only for results "
                                      "it produced and for its own registration");
    }
    const std::string sig = crypto::sign_detached(*key, input);
    return OperationResult::success(json::serialize(
        json::object{{"signature", crypto::to_hex(sig)}, {"publicKey", key->public_key_hex()}}));
  };
}

Operation make_decrypt_operation(const OperationContext& context) {
  struct Shared {
    crypto::NetworkKey network;
    crypto::KeyShare share;
    std::shared_ptr<crypto::ChainReader> chain;
    crypto::AuthSigPolicy policy;
    crypto::JsonLimits limits;
    OperationContext context;  // for the clock and the fault flag
  };
  auto shared = std::make_shared<Shared>();
  shared->network = *context.network_key;
  shared->share = *context.key_share;
  crypto::JsonRpcOptions rpc;
  rpc.timeout = std::chrono::milliseconds(context.rpc_timeout_ms);
  if (context.chain_reader) {
    shared->chain = context.chain_reader;
  } else {
    auto reader = crypto::JsonRpcChainReader::create(context.rpc_endpoints, rpc);
    if (!reader.ok()) throw std::invalid_argument("--rpc: " + reader.error().message);
    shared->chain = std::move(reader.value());
  }
  shared->policy.allowed_domains = context.siwe_domains;
  shared->policy.allow_wildcard_resource = context.allow_wildcard_auth_sig;
  shared->policy.max_lifetime_ms = std::int64_t{context.max_auth_sig_lifetime_s} * 1000;
  shared->limits = {context.max_params_bytes, crypto::kDefaultMaxJsonDepth};
  shared->context = context;
  shared->context.network_key.reset();  // held once, above
  shared->context.key_share.reset();
  shared->context.chain_reader.reset();

  return [shared](std::string_view input, const CancelToken& cancel) -> OperationResult {
    auto params = crypto::parse_condition_params(input, shared->limits);
    if (!params.ok()) return fail(params.error());
    const OperationContext& c = shared->context;
    if (count_conditions(params.value().conditions.items) > c.max_conditions) {
      return OperationResult::failure(
          fb::ErrorCode::invalid_argument,
          "at most " + std::to_string(c.max_conditions) +
              " conditions per decrypt request on this node (--max-conditions)");
    }
    const json::object& doc = params.value().document;
    const json::string* ciphertext = string_member(doc, "ciphertext");
    const json::string* data_hash = string_member(doc, "dataToEncryptHash");
    const json::value* auth_sig = doc.if_contains("authSig");
    const json::value* blinded = doc.if_contains("blinded");
    if (ciphertext == nullptr || data_hash == nullptr || auth_sig == nullptr ||
        blinded == nullptr || !blinded->is_object()) {
      return OperationResult::failure(
          fb::ErrorCode::invalid_argument,
          "a decrypt request needs ciphertext and dataToEncryptHash (strings), authSig, and "
          "blinded {V, A, z}");
    }
    // 1. The identity this node will vouch for, from the canonical conditions it will evaluate.
    auto identity = crypto::access_control_identity(params.value().conditions.hash_of_conditions,
                                                    sv(*data_hash));
    if (!identity.ok()) return fail(identity.error());
    const std::string& L = identity.value();
    // 2. The envelope and its label proof, then the blinding proof.
    auto envelope = crypto::envelope_from_base64(sv(*ciphertext));
    if (!envelope) return fail(envelope.error());
    if (auto ok = crypto::verify_label(shared->network.public_key, envelope.value(), L); !ok) {
      return fail(ok.error());
    }
    const auto request = crypto::blinded_from_json(*blinded);
    if (!request) {
      return OperationResult::failure(
          fb::ErrorCode::invalid_blinding,
          "blinded.V and blinded.A must be valid non-identity ristretto255 points and blinded.z "
          "a canonical scalar, each as 64 hex digits");
    }
    if (auto ok = crypto::verify_blinding(envelope.value(), *request, L); !ok) {
      return fail(ok.error());
    }
    // 3. Who asks, 4. whether the conditions hold for them.
    const std::int64_t now = now_ms(c);
    const crypto::AuthSigVerdict who = crypto::verify_auth_sig(*auth_sig, L, now, shared->policy);
    if (!who.ok) {
      return OperationResult::failure(who.code == crypto::AuthSigCode::auth_sig_expired
                                          ? fb::ErrorCode::auth_sig_expired
                                          : fb::ErrorCode::invalid_auth_sig,
                                      who.message);
    }
    BudgetedChainReader chain(*shared->chain, cancel, c.max_chain_reads,
                              std::chrono::milliseconds(c.evaluation_budget_ms));
    auto verdict = crypto::evaluate_conditions(params.value().conditions, who.address, chain);
    if (!verdict.ok()) return fail(verdict.error());
    // 5. Only now the share.
    // The label and the blinding proof were checked above (step 2), before anything else.
    auto share = crypto::share_of_checked_request(shared->network, shared->share, *request);
    if (!share) return fail(share.error());
    crypto::DecryptionShare& d = share.value();
    if (shared->context.fault_wrong_share) {
      d.d = *crypto::add(d.d, *crypto::mul_base(crypto::scalar_from_u32(1)));
    }
    return OperationResult::success(json::serialize(crypto::share_to_json(d)));
  };
}

}  // namespace litc
