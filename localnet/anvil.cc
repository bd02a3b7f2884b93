// Anvil: start, find the port it printed, stop (see anvil.h).
#include "localnet/anvil.h"

#include <thread>
#include <vector>

namespace litc::localnet {

Anvil::Anvil(const std::string& binary, const std::filesystem::path& dir,
             std::chrono::milliseconds timeout) {
  if (!std::filesystem::exists(binary)) {
    error_ = "anvil not found at " + binary + " (run scripts/node-deps)";
    return;
  }
  process_ = std::make_unique<ChildProcess>(
      "anvil", std::vector<std::string>{binary, "--port", "0", "--host", "127.0.0.1"}, dir);
  if (!process_->started()) {
    error_ = "anvil did not start: " + process_->error();
    return;
  }
  constexpr std::string_view kListening = "Listening on 127.0.0.1:";
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (port_.empty()) {
    const std::string out = process_->out();
    if (const std::size_t at = out.find(kListening); at != std::string::npos) {
      const std::size_t end = out.find_first_not_of("0123456789", at + kListening.size());
      if (end != std::string::npos) {
        port_ = out.substr(at + kListening.size(), end - at - kListening.size());
        break;
      }
    }
    if (!process_->running()) {
      error_ = "anvil exited before listening\n" + process_->tail();
      return;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      error_ = "anvil did not listen in time\n" + process_->tail();
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

Anvil::~Anvil() {
  if (process_) process_->stop(std::chrono::milliseconds(2000));
}

}  // namespace litc::localnet
