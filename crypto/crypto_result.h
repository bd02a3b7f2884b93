// The value every crypto/ function returns when its input may come from a peer: the result, or an
// error. By default the error is a CryptoError whose code is a name from the error catalogue
// (schemas/PROTOCOL.md) and whose message a user can act on; parsers that only need a message use
// their own error type (e.g. crypto/ethereum's Error). No exceptions on these paths: a bad
// envelope, share or signature is an answer. Reading the wrong side is a programming error
// (std::bad_variant_access).
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace litc::crypto {

struct CryptoError {
  std::string code;  // e.g. "invalid_ciphertext"; the catalogue's name for it
  std::string message;
};

template <class T, class E = CryptoError>
class Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: `return value;`
  Result(E error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT: `return error;`

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const E& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, E> v_;
};

inline CryptoError crypto_error(std::string code, std::string message) {
  return CryptoError{std::move(code), std::move(message)};
}

}  // namespace litc::crypto
