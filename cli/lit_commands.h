// `litc encrypt` (local: the plaintext never leaves this process) and `litc decrypt` (blind,
// one decrypt job through the broker, verify the shares, combine): the requester's commands.
#pragma once

#include <string>

#include "protocol/client.h"

namespace litc::cli {

struct EncryptOptions {
  std::string network_key;  // network.json
  std::string conditions;   // file: a condition array, or {"<kind>": [...]}
  std::string chain = "ethereum";
  std::string input;
  std::string input_file;
};

struct DecryptOptions {
  ClientOptions client;
  std::string network_key;
  std::string auth_sig;  // file
  std::string envelope;  // file: the encryptToJson envelope `litc encrypt` printed
  int wait_timeout_ms = 30000;
};

int run_encrypt(const EncryptOptions& options);
int run_decrypt(const DecryptOptions& options);

}  // namespace litc::cli
