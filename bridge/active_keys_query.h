// ActiveKeysQuery: finds the jobs:active:{nodeId} keys a resync must clear, as a sequence of
// non-blocking Redis reads the bridge loop sends and answers (no socket here).
//
// DESIGN. A mirror written by this bridge (bridge:mirror-format 2) lists its nodes in
// bridge:active-nodes: one read. A Redis written by an older bridge has no list: it is walked with
// SCAN MATCH jobs:active:* (never KEYS, which blocks Redis), one page per read. Redis down or a
// refused command ends the query with what it found; the keys it missed are cleared at the next
// resync. The caller must send the first read only after every earlier mirror write is on the
// same connection, so the answer includes them (Redis answers in order).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bridge/redis/redis_connection.h"

namespace litc::bridge {

class ActiveKeysQuery {
 public:
  // The first read (restarts the query).
  RedisBatch start();
  // The answer to the last read: the next read (a SCAN page), or nullopt when done.
  std::optional<RedisBatch> on_reply(RedisStatus status, std::vector<RedisReply>& replies);
  // The keys found so far (all of them once on_reply returned nullopt).
  std::vector<std::string>& keys() { return keys_; }

 private:
  RedisBatch scan_page(const std::string& cursor) const;

  bool scanning_ = false;
  std::vector<std::string> keys_;
};

}  // namespace litc::bridge
