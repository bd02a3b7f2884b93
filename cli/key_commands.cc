// `litc keygen --network`: the trusted dealer of crypto/threshold/scheme.md. Writes network.json
// (public) and one share-<i>.key per node (mode 0600), refusing to overwrite any of them.
#include "cli/key_commands.h"

#include <sys/stat.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <iostream>

#include "cli/commands.h"
#include "crypto/identity/node_key.h"
#include "crypto/threshold/network_key.h"

namespace litc::cli {

int run_keygen(const KeygenOptions& o) {
  namespace json = boost::json;
  using namespace litc::crypto;
  if (o.node == o.network) {
    std::cerr << "litc keygen: say which key to make: --network (the t-of-n network key, --out a "
                 "directory) or --node (a node's identity key, --out a file)\n";
    return kExitError;
  }
  if (o.node) {
    const NodeKey key = generate_node_key();
    if (auto ok = write_new_file(o.out, node_key_to_json(key), 0600); !ok) {
      std::cerr << "litc keygen: " << ok.error().message << '\n';
      return kExitError;
    }
    std::cout << json::serialize(
                     json::object{{"nodeKey", o.out}, {"publicKey", key.public_key_hex()}})
              << '\n';
    return kExitOk;
  }
  auto dealt = deal_network_key(o.threshold, o.shares);
  if (!dealt) {
    std::cerr << "litc keygen: " << dealt.error().message << '\n';
    return kExitError;
  }
  if (::mkdir(o.out.c_str(), 0700) != 0 && errno != EEXIST) {
    std::cerr << "litc keygen: cannot create " << o.out << ": " << std::strerror(errno) << '\n';
    return kExitError;
  }
  const std::string network_path = o.out + "/network.json";
  // Every file is created exclusively, shares first: a second run into the same directory stops at
  // the first existing file instead of replacing keys that nodes already hold.
  json::array files;
  for (const KeyShare& share : dealt->shares) {
    const std::string path = o.out + "/share-" + std::to_string(share.index) + ".key";
    if (auto ok = write_new_file(path, key_share_to_json(share), 0600); !ok) {
      std::cerr << "litc keygen: " << ok.error().message << '\n';
      return kExitError;
    }
    files.emplace_back(path);
  }
  if (auto ok = write_new_file(network_path, network_key_to_json(dealt->network), 0644); !ok) {
    std::cerr << "litc keygen: " << ok.error().message << '\n';
    return kExitError;
  }
  std::cout << json::serialize(
                   json::object{{"networkKey", network_path},
                                {"publicKey", to_hex(dealt->network.public_key)},
                                {"fingerprint", network_key_fingerprint(dealt->network)},
                                {"threshold", o.threshold},
                                {"shares", o.shares},
                                {"shareFiles", std::move(files)}})
            << '\n';
  return kExitOk;
}

}  // namespace litc::cli
