// The `echo` operation: returns its input unchanged (the benchmark no-op).
#include "worker/operations/builtin.h"

namespace litc {

OperationResult run_echo(std::string_view input, const CancelToken& /*cancel*/) {
  return OperationResult::success(std::string(input));
}

}  // namespace litc
