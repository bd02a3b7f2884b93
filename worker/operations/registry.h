// Which operations this process can run, by the name clients submit and workers advertise.
#pragma once

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "worker/operations/operation.h"
#include "worker/operations/operation_context.h"

namespace litc {

class OperationRegistry {
 public:
  // Every operation built into this library (see builtin.h).
  static OperationRegistry builtin();

  // Only the named built-in operations, e.g. from a worker's --ops. Throws std::invalid_argument
  // naming the first unknown (or empty) name and the known ones: a typo must stop start-up rather
  // than advertise a node that cannot run what it claims. Repeated names are kept once.
  static OperationRegistry with(std::span<const std::string> names);
  // The same, with the key-holding operations too: `encrypt` needs context.network_key, `decrypt`
  // also context.key_share; naming one without its keys is std::invalid_argument saying which
  // flag is missing.
  static OperationRegistry with(std::span<const std::string> names,
                                const OperationContext& context);

  // Adds or replaces `name`. A `quick` operation costs about a memory copy per input byte (echo,
  // sha256): a worker may run it on its socket thread for small inputs instead of handing it to
  // the pool, which saves two thread hand-offs per job.
  void add(std::string name, Operation op, bool quick = false);
  bool quick(std::string_view name) const;

  // nullptr when this registry has no such operation (the caller answers unknown_operation).
  const Operation* find(std::string_view name) const;

  // Sorted names, as advertised in Register.capabilities.supported_operations.
  std::vector<std::string> names() const;
  std::size_t size() const { return operations_.size(); }

 private:
  // std::less<> allows lookup by string_view straight from a received frame, without a copy.
  std::map<std::string, Operation, std::less<>> operations_;
  std::map<std::string, bool, std::less<>> quick_;
};

}  // namespace litc
