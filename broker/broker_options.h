// BrokerOptions: everything `litc-broker` can be told on its command line (see main.cc --help).
#pragma once

#include <cstddef>
#include <string>

#include "broker/scheduler.h"
#include "protocol/codec.h"

namespace litc::broker {

struct BrokerOptions {
  std::string clients = "tcp://127.0.0.1:5555";
  std::string workers = "tcp://127.0.0.1:5556";
  std::string events = "tcp://127.0.0.1:5557";
  std::string snapshot = "tcp://127.0.0.1:5558";
  std::string endpoints_file;  // written after binding, so `tcp://127.0.0.1:*` can be used
  std::size_t max_frame_bytes = kDefaultMaxFrameBytes;
  int send_hwm = 100'000;      // per-peer queued replies before ZeroMQ drops further ones
  int events_hwm = 1'000'000;  // per-subscriber queued events before they are dropped (seq gap)
  // Jobs per SnapshotBatch; a batch also ends once it holds max_frame_bytes / 2 (PROTOCOL.md).
  std::size_t snapshot_batch = 1000;
  SchedulerOptions scheduler;
  std::string network_key_fingerprint;  // sent in RegisterAck; empty without --network-key
};

}  // namespace litc::broker
