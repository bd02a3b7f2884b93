// Builds the wire records (JobRecord, NodeRecord, BrokerStats) from the scheduler's state; shared
// by replies, events and snapshots so the three always describe a job the same way.
#pragma once

#include <flatbuffers/flatbuffers.h>

#include "broker/broker_probe.h"
#include "broker/scheduler.h"
#include "schemas/common_generated.h"

namespace litc::broker {

// `full`: every field (replies, snapshots, the `submitted` and `failed`/`cancelled`/`replayed`
// events). `changes`: what a later transition changes — id, state, attempt, node, timestamps,
// output or error — for the hot `assigned`, `completed`, `requeued` and `progress` events; the
// rest was in the job's `submitted` event or is in the snapshot (PROTOCOL.md "Events").
enum class RecordDetail { full, changes };

flatbuffers::Offset<fb::JobRecord> build_job_record(flatbuffers::FlatBufferBuilder& b,
                                                    const Scheduler& scheduler, const Job& job,
                                                    RecordDetail detail = RecordDetail::full);
flatbuffers::Offset<fb::NodeRecord> build_node_record(flatbuffers::FlatBufferBuilder& b,
                                                      const Scheduler& scheduler,
                                                      const Worker& worker);
flatbuffers::Offset<fb::BrokerStats> build_stats(flatbuffers::FlatBufferBuilder& b,
                                                 const Scheduler& scheduler,
                                                 const BrokerProbe& probe);

}  // namespace litc::broker
