// Test helper for tests/js/conditions_canonical.test.mjs: reads params documents, one per line
// on stdin, and prints one JSON line per document: {"hash","canonical"} or {"error":{"code",
// "message"}}, so node can compare our canonical bytes with JSON.stringify's.
#include <boost/json.hpp>
#include <iostream>
#include <string>

#include "crypto/conditions/conditions.h"

int main() {
  std::string line;
  while (std::getline(std::cin, line)) {
    auto parsed = litc::crypto::parse_condition_params(line);
    boost::json::object out;
    if (parsed.ok()) {
      out["hash"] = parsed.value().conditions.hash_of_conditions;
      out["canonical"] = parsed.value().conditions.canonical_json;
    } else {
      out["error"] = boost::json::object{{"code", litc::crypto::to_string(parsed.error().code)},
                                         {"message", parsed.error().message}};
    }
    std::cout << boost::json::serialize(out) << '\n';
  }
  return 0;
}
