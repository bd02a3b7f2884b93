// Reading the endpoints file a broker writes once its sockets are bound (`litc-broker
// --endpoints-file`), so a caller that bound tcp://127.0.0.1:* learns the ports it got.
//
// The file holds one key=value line per socket (litc-broker: clients=, workers=, events=,
// snapshot=; litc-baseline-broker: frontend=, backend=). The broker writes it to a temporary name
// and renames it, so a file that exists is whole.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "localnet/child_process.h"

namespace litc::localnet {

struct Endpoints {
  // litc-broker's sockets (empty when the file does not name them).
  std::string clients;
  std::string workers;
  std::string events;
  std::string snapshot;
  // Every key=value line, including those of other brokers.
  std::map<std::string, std::string> values;

  // The value of `key`, empty when absent.
  std::string get(const std::string& key) const;
};

// The keys litc-broker always writes.
inline const std::vector<std::string> kBrokerEndpointKeys = {"clients", "workers", "events",
                                                             "snapshot"};

// Reads the file once; nullopt when it does not exist (yet).
std::optional<Endpoints> read_endpoints_file(const std::filesystem::path& file);

// Polls (every 10 ms) until the file exists and names every key in `required`. nullopt when that
// did not happen within `timeout` or `writer` exited first.
std::optional<Endpoints> wait_endpoints_file(
    const std::filesystem::path& file, ChildProcess& writer, std::chrono::milliseconds timeout,
    const std::vector<std::string>& required = kBrokerEndpointKeys);

}  // namespace litc::localnet
