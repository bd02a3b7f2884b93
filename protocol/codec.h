// Verify-then-decode for every litcompute frame, and turning a finished builder into a frame.
// Nothing a peer sends is trusted: each decode checks the size limit, the FlatBuffers verifier and
// the protocol version, and reports failure as a value (never an exception, never an assert).
#pragma once

#include <flatbuffers/flatbuffers.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <zmq.hpp>

#include "schemas/broker_message_generated.h"
#include "schemas/client_reply_generated.h"
#include "schemas/client_request_generated.h"
#include "schemas/event_generated.h"
#include "schemas/snapshot_batch_generated.h"
#include "schemas/snapshot_request_generated.h"
#include "schemas/worker_message_generated.h"

namespace litc {

inline constexpr fb::ProtocolVersion kProtocolVersion = fb::ProtocolVersion::Current;
inline constexpr std::size_t kDefaultMaxFrameBytes = 1 << 20;
// A SnapshotBatch ends once it holds half the frame limit, after its last job, which may itself
// carry an output near the limit: a reader accepts batches up to this (PROTOCOL.md).
constexpr std::size_t snapshot_batch_limit(std::size_t max_frame_bytes) {
  return 2 * max_frame_bytes + 64 * 1024;
}

template <class T>
struct Decoded {
  const T* msg = nullptr;
  fb::ErrorCode error = fb::ErrorCode::unknown;
  const char* reason = "";  // static text, safe to log and to send back
  bool ok() const { return msg != nullptr; }
};

Decoded<fb::ClientRequest> decode_client_request(const void* data, std::size_t size,
                                                 std::size_t max_bytes = kDefaultMaxFrameBytes);
Decoded<fb::ClientReply> decode_client_reply(const void* data, std::size_t size,
                                             std::size_t max_bytes = kDefaultMaxFrameBytes);
Decoded<fb::WorkerMessage> decode_worker_message(const void* data, std::size_t size,
                                                 std::size_t max_bytes = kDefaultMaxFrameBytes);
Decoded<fb::BrokerMessage> decode_broker_message(const void* data, std::size_t size,
                                                 std::size_t max_bytes = kDefaultMaxFrameBytes);
Decoded<fb::Event> decode_event(const void* data, std::size_t size,
                                std::size_t max_bytes = kDefaultMaxFrameBytes);
Decoded<fb::SnapshotRequest> decode_snapshot_request(const void* data, std::size_t size,
                                                     std::size_t max_bytes = kDefaultMaxFrameBytes);
Decoded<fb::SnapshotBatch> decode_snapshot_batch(const void* data, std::size_t size,
                                                 std::size_t max_bytes = kDefaultMaxFrameBytes);

// Encoders must finish with the generated fb::Finish<Root>Buffer(builder, root) so the file
// identifier is written: decoders use it to answer `unexpected_message` to a frame of another
// family. Copies the finished buffer into a frame and clears the builder for reuse (it keeps its
// memory).
zmq::message_t take_frame(flatbuffers::FlatBufferBuilder& builder);

// "queue_full" etc.; "unknown" for values this build does not know (a newer peer's).
std::string_view error_name(fb::ErrorCode code);
std::string_view state_name(fb::JobState state);

// Short printable prefix of a bad frame for logs (hex, bounded), like Redis' PROTO_DUMP_LEN.
std::string dump_prefix(const void* data, std::size_t size, std::size_t max_bytes = 32);

inline flatbuffers::Offset<flatbuffers::Vector<uint8_t>> bytes(flatbuffers::FlatBufferBuilder& b,
                                                               std::string_view s) {
  return b.CreateVector(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}
inline std::string_view view(const flatbuffers::Vector<uint8_t>* v) {
  return v ? std::string_view(reinterpret_cast<const char*>(v->data()), v->size())
           : std::string_view();
}
inline std::string_view view(const flatbuffers::String* s) {
  return s ? std::string_view(s->data(), s->size()) : std::string_view();
}

}  // namespace litc
