// The error catalogue of lc::conditions and the result type every call returns: parse,
// canonicalise, evaluate and read the chain never throw on peer input, they return a value.
//
// DESIGN: four codes, each telling the caller what to do next.
//   invalid_argument       the params/conditions are malformed (bad JSON, duplicate key, over the
//                          size limit, wrong type, missing field, two condition kinds): refuse the
//                          request, the message names the field.
//   unsupported_condition  well-formed, but this node cannot evaluate it (a condition type,
//                          comparator, method, parameter, value format or chain it does not
//                          implement): refuse; never treated as a pass.
//   access_denied          evaluated, and the conditions do not hold; the message names each
//                          condition that failed (its path and method).
//   chain_unavailable      a chain read failed (transport, timeout, HTTP or JSON-RPC error, or a
//                          malformed answer): neither a pass nor a denial; the caller may retry.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "crypto/crypto_result.h"

namespace litc::crypto {

enum class ConditionErrc {
  invalid_argument,
  unsupported_condition,
  access_denied,
  chain_unavailable
};

// The code's wire name: "invalid_argument", "unsupported_condition", "access_denied",
// "chain_unavailable".
std::string_view to_string(ConditionErrc code);

struct ConditionError {
  ConditionErrc code = ConditionErrc::invalid_argument;
  std::string message;
};

// The same error as the rest of crypto/ answers it (its code is the catalogue name).
inline CryptoError to_crypto_error(const ConditionError& e) {
  return CryptoError{std::string(to_string(e.code)), e.message};
}

// Peer text quoted in a message, bounded: at most `max` bytes, printable ASCII kept, every other
// byte as '?', "..." when cut. Messages go back to peers and into logs.
std::string message_snippet(std::string_view text, std::size_t max = 64);

template <class T>
class ConditionResult {
 public:
  ConditionResult(T value) : v_(std::move(value)) {}
  ConditionResult(ConditionError error) : v_(std::move(error)) {}
  bool ok() const { return v_.index() == 0; }
  const T& value() const { return std::get<0>(v_); }
  T& value() { return std::get<0>(v_); }
  const ConditionError& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, ConditionError> v_;
};

// A result that carries no value: success, or an error.
template <>
class ConditionResult<void> {
 public:
  ConditionResult() = default;
  ConditionResult(ConditionError error) : error_(std::move(error)) {}
  bool ok() const { return !error_.has_value(); }
  const ConditionError& error() const { return *error_; }

 private:
  std::optional<ConditionError> error_;
};

}  // namespace litc::crypto
