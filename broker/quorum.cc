// Quorum state helpers (see quorum.h).
#include "broker/quorum.h"

#include <algorithm>

namespace litc::broker {

bool Quorum::uses_index(uint32_t index) const {
  return std::any_of(running.begin(), running.end(),
                     [&](const QuorumPart& p) { return p.share_index == index; }) ||
         std::any_of(accepted.begin(), accepted.end(),
                     [&](const QuorumShare& s) { return s.share_index == index; }) ||
         std::find(excluded.begin(), excluded.end(), index) != excluded.end();
}

bool Quorum::uses_accepted(uint32_t index) const {
  return std::any_of(accepted.begin(), accepted.end(),
                     [&](const QuorumShare& s) { return s.share_index == index; });
}

bool Quorum::runs_on(WorkerSlot worker) const {
  return std::any_of(running.begin(), running.end(),
                     [&](const QuorumPart& p) { return p.worker == worker; });
}

uint32_t Quorum::needed(uint32_t threshold) const {
  const auto live =
      std::count_if(running.begin(), running.end(), [](const QuorumPart& p) { return !p.stalled; });
  const auto have = static_cast<uint32_t>(live + accepted.size());
  return have >= threshold ? 0 : threshold - have;
}

std::string Quorum::output() const {
  std::string out = "{\"shares\":[";
  for (std::size_t i = 0; i < accepted.size(); ++i) {
    if (i) out += ',';
    out += accepted[i].output;
  }
  out += "]}";
  return out;
}

}  // namespace litc::broker
