// Result<T, E>: a value or an error, how every parser and check in lc::ethereum answers peer input.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace litc::crypto {

// What went wrong, in a sentence a user can act on (it names the field or line that failed).
struct Error {
  std::string message;
};

// Never throws on a failed parse: callers test ok() and read value() or error(). Reading the wrong
// side is a programming error (std::bad_variant_access).
template <class T, class E = Error>
class Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  Result(E error) : v_(std::in_place_index<1>, std::move(error)) {}
  bool ok() const { return v_.index() == 0; }
  const T& value() const { return std::get<0>(v_); }
  T& value() { return std::get<0>(v_); }
  const E& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, E> v_;
};

}  // namespace litc::crypto
