// The shape every operation has: bytes in, an OperationResult out, a CancelToken to stop early.
// Operations run on worker pool threads, so they report failure as a value (no exceptions on the
// data plane) and poll the token when they can run long.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <string_view>
#include <utility>

#include "schemas/common_generated.h"

namespace litc {

// Set by the socket thread (CancelJob, shutdown), read by the pool thread running the job. Relaxed
// ordering is enough: the flag carries no data, it only asks the operation to stop soon.
class CancelToken {
 public:
  void cancel() noexcept { cancelled_.store(true, std::memory_order_relaxed); }
  bool cancelled() const noexcept { return cancelled_.load(std::memory_order_relaxed); }

 private:
  std::atomic<bool> cancelled_{false};
};

// What a worker puts into Result: `output` when ok, otherwise an ErrorCode from the catalogue in
// schemas/PROTOCOL.md and a message a user can act on.
struct OperationResult {
  bool ok = false;
  std::string output;
  fb::ErrorCode error = fb::ErrorCode::unknown;
  std::string message;

  static OperationResult success(std::string output) {
    return OperationResult{true, std::move(output), fb::ErrorCode::unknown, {}};
  }
  static OperationResult failure(fb::ErrorCode error, std::string message) {
    return OperationResult{false, {}, error, std::move(message)};
  }
};

// std::function rather than a plain pointer so an operation can carry state (e.g. a node key).
using Operation = std::function<OperationResult(std::string_view input, const CancelToken&)>;

}  // namespace litc
