// OperationRegistry: the built-in catalogue and the per-worker selection from it (see registry.h).
#include "worker/operations/registry.h"

#include <stdexcept>

#include "worker/operations/builtin.h"
#include "worker/operations/lit_operations.h"

namespace litc {

OperationRegistry OperationRegistry::builtin() {
  OperationRegistry r;
  r.add("echo", run_echo, /*quick=*/true);
  r.add("sha256", run_sha256, /*quick=*/true);
  r.add("sleep", run_sleep);
  return r;
}

OperationRegistry OperationRegistry::with(std::span<const std::string> names) {
  return with(names, OperationContext{});
}

OperationRegistry OperationRegistry::with(std::span<const std::string> names,
                                          const OperationContext& context) {
  const OperationRegistry all = builtin();
  OperationRegistry selected;
  for (const std::string& name : names) {
    if (name == "sign") {
      if (!context.node_key) throw std::invalid_argument("operation 'sign' needs --node-key");
      selected.add(name, make_sign_operation(context));
      continue;
    }
    if (name == "encrypt" || name == "decrypt") {
      if (!context.network_key) {
        throw std::invalid_argument("operation '" + name + "' needs --network-key");
      }
      if (name == "encrypt") {
        selected.add(name, make_encrypt_operation(context));
        continue;
      }
      if (!context.key_share) {
        throw std::invalid_argument("operation 'decrypt' needs --key-share (this node's share)");
      }
      selected.add(name, make_decrypt_operation(context));
      continue;
    }
    const Operation* op = all.find(name);
    if (op == nullptr) {
      std::string known;
      for (const std::string& k : all.names()) known += (known.empty() ? "" : ", ") + k;
      throw std::invalid_argument("unknown operation '" + name + "' (known: " + known +
                                  ", encrypt, decrypt, sign)");
    }
    selected.add(name, *op, all.quick(name));
  }
  return selected;
}

void OperationRegistry::add(std::string name, Operation op, bool quick) {
  quick_.insert_or_assign(name, quick);
  operations_.insert_or_assign(std::move(name), std::move(op));
}

bool OperationRegistry::quick(std::string_view name) const {
  auto it = quick_.find(name);
  return it != quick_.end() && it->second;
}

const Operation* OperationRegistry::find(std::string_view name) const {
  auto it = operations_.find(name);
  return it == operations_.end() ? nullptr : &it->second;
}

std::vector<std::string> OperationRegistry::names() const {
  std::vector<std::string> out;
  out.reserve(operations_.size());
  for (const auto& [name, op] : operations_) out.push_back(name);
  return out;
}

}  // namespace litc
