// The error lc::ethereum's parsers and checks answer with (crypto/crypto_result.h's Result<T, E>
// with E = Error): a sentence a user can act on, naming the field or line that failed.
#pragma once

#include <string>

#include "crypto/crypto_result.h"

namespace litc::crypto {

struct Error {
  std::string message;
};

}  // namespace litc::crypto
