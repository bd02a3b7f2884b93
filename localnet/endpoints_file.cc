// key=value parsing of a broker's endpoints file and the wait for it (see endpoints_file.h).
#include "localnet/endpoints_file.h"

#include <fstream>
#include <thread>

namespace litc::localnet {
namespace {

bool names_all(const Endpoints& e, const std::vector<std::string>& required) {
  for (const auto& key : required) {
    if (e.get(key).empty()) return false;
  }
  return true;
}

}  // namespace

std::string Endpoints::get(const std::string& key) const {
  auto it = values.find(key);
  return it == values.end() ? std::string() : it->second;
}

std::optional<Endpoints> read_endpoints_file(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return std::nullopt;
  Endpoints e;
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq != std::string::npos) e.values[line.substr(0, eq)] = line.substr(eq + 1);
  }
  e.clients = e.get("clients");
  e.workers = e.get("workers");
  e.events = e.get("events");
  e.snapshot = e.get("snapshot");
  return e;
}

std::optional<Endpoints> wait_endpoints_file(const std::filesystem::path& file,
                                             ChildProcess& writer,
                                             std::chrono::milliseconds timeout,
                                             const std::vector<std::string>& required) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto e = read_endpoints_file(file);
    if (e && names_all(*e, required)) return e;
    if (!writer.running()) {
      // It may have written the file just before exiting.
      e = read_endpoints_file(file);
      if (e && names_all(*e, required)) return e;
      return std::nullopt;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace litc::localnet
