// `litc keygen` (and, next to it, the commands that need key material but no broker): kept apart
// from commands.cc so that the broker client code and the key code do not share a file.
#pragma once

#include <cstdint>
#include <string>

namespace litc::cli {

struct KeygenOptions {
  bool network = false;
  bool node = false;  // --node: an Ed25519 node identity key, written to --out (a file)
  std::uint32_t threshold = 2;
  std::uint32_t shares = 3;
  std::string out;
};

int run_keygen(const KeygenOptions& options);

}  // namespace litc::cli
