// BrokerProbe: the broker's own counters (bad frames, events), read by StatsQuery and snapshots.
// The scheduler keeps the job counters; this class keeps what only the socket side sees.
#pragma once

#include <cstdint>

#include "schemas/common_generated.h"

namespace litc::broker {

struct BrokerProbe {
  uint64_t epoch = 0;
  uint64_t seq = 0;  // last event sequence number published
  uint64_t malformed_frames = 0;
  uint64_t oversized_frames = 0;
  uint64_t unsupported_versions = 0;
  uint64_t unexpected_messages = 0;
  uint64_t events_published = 0;

  // Counts a decode failure under the counter its error code belongs to.
  void count_bad_frame(fb::ErrorCode code) {
    switch (code) {
      case fb::ErrorCode::frame_too_large:
        ++oversized_frames;
        break;
      case fb::ErrorCode::unsupported_version:
        ++unsupported_versions;
        break;
      case fb::ErrorCode::unexpected_message:
        ++unexpected_messages;
        break;
      default:
        ++malformed_frames;
    }
  }
};

}  // namespace litc::broker
