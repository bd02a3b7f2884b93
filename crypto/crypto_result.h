// The value every crypto/ function returns when its input may come from a peer: the result, or an
// error whose code is a name from the error catalogue (schemas/PROTOCOL.md) and a message a user
// can act on. No exceptions on these paths: a bad envelope, share or signature is an answer.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace litc::crypto {

struct CryptoError {
  std::string code;  // e.g. "invalid_ciphertext"; the catalogue's name for it
  std::string message;
};

template <class T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit, so `return value;` reads well
  Result(CryptoError error) : v_(std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const CryptoError& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, CryptoError> v_;
};

inline CryptoError crypto_error(std::string code, std::string message) {
  return CryptoError{std::move(code), std::move(message)};
}

}  // namespace litc::crypto
