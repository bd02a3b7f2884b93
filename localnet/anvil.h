// A real local EVM chain for tests: anvil (npm @foundry-rs/anvil-linux-amd64, installed by
// scripts/node-deps) on an ephemeral loopback port, stopped by pid when this object goes.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "localnet/child_process.h"

namespace litc::localnet {

class Anvil {
 public:
  // Starts `binary --port 0 --host 127.0.0.1` in `dir` and waits (up to `timeout`) for its
  // "Listening on 127.0.0.1:PORT" line. ok() false and error() says why when it does not come up.
  Anvil(const std::string& binary, const std::filesystem::path& dir,
        std::chrono::milliseconds timeout = std::chrono::seconds(30));
  ~Anvil();
  Anvil(const Anvil&) = delete;
  Anvil& operator=(const Anvil&) = delete;

  bool ok() const { return !port_.empty(); }
  const std::string& error() const { return error_; }
  std::string url() const { return "http://127.0.0.1:" + port_; }
  ChildProcess& process() { return *process_; }

 private:
  std::unique_ptr<ChildProcess> process_;
  std::string port_;
  std::string error_;
};

}  // namespace litc::localnet
