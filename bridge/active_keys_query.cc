// ActiveKeysQuery: the jobs:active:* keys a resync clears (see active_keys_query.h).
#include "bridge/active_keys_query.h"

#include "bridge/redis_keys.h"

namespace litc::bridge {

RedisBatch ActiveKeysQuery::start() {
  scanning_ = false;
  keys_.clear();
  RedisBatch b;
  b.add({"GET", keys::kMirrorFormat});
  b.add({"SMEMBERS", keys::kActiveNodes});
  return b;
}

RedisBatch ActiveKeysQuery::scan_page(const std::string& cursor) const {
  RedisBatch b;
  b.add({"SCAN", cursor, "MATCH", keys::kJobsActivePattern, "COUNT", "1000"});
  return b;
}

std::optional<RedisBatch> ActiveKeysQuery::on_reply(RedisStatus status,
                                                    std::vector<RedisReply>& replies) {
  if (status == RedisStatus::down) return std::nullopt;
  if (!scanning_) {
    const bool listed = replies.size() == 2 && replies[0].type == RedisReply::Type::string &&
                        replies[0].str == keys::kMirrorFormatVersion &&
                        replies[1].type == RedisReply::Type::array;
    if (listed) {
      for (auto& n : replies[1].elements) keys_.push_back(keys::jobs_active(n.str));
      return std::nullopt;
    }
    scanning_ = true;
    return scan_page("0");
  }
  // A SCAN page: [next cursor, [keys...]].
  if (replies.size() != 1 || replies[0].type != RedisReply::Type::array ||
      replies[0].elements.size() != 2) {
    return std::nullopt;  // refused: the rest is cleared at the next resync
  }
  RedisReply& page = replies[0];
  for (auto& k : page.elements[1].elements) keys_.push_back(std::move(k.str));
  if (page.elements[0].str == "0") return std::nullopt;
  return scan_page(page.elements[0].str);
}

}  // namespace litc::bridge
