// Verify-then-decode for every litcompute frame (see codec.h).
#include "protocol/codec.h"

#include <cstring>
#include <string>

namespace litc {
namespace {

constexpr const char* kIdentifiers[] = {"LCRQ", "LCRP", "LCWM", "LCBM", "LCEV", "LCSQ", "LCSB"};

// Size limit, then family (file identifier), then the verifier, then the version: the order in
// which a reason is most useful to the sender.
template <class T>
Decoded<T> decode_root(const void* data, std::size_t size, std::size_t max_bytes,
                       const char* identifier) {
  Decoded<T> d;
  if (size > max_bytes) {
    d.error = fb::ErrorCode::frame_too_large;
    d.reason = "frame is larger than the configured maximum frame size";
    return d;
  }
  if (data == nullptr || size < 8) {
    d.error = fb::ErrorCode::malformed_frame;
    d.reason = "frame too short to be a FlatBuffer";
    return d;
  }
  if (!flatbuffers::BufferHasIdentifier(data, identifier)) {
    for (const char* other : kIdentifiers) {
      if (flatbuffers::BufferHasIdentifier(data, other)) {
        d.error = fb::ErrorCode::unexpected_message;
        d.reason = "message of another family sent to this socket";
        return d;
      }
    }
    d.error = fb::ErrorCode::malformed_frame;
    d.reason = "frame is not a litcompute message (no known file identifier)";
    return d;
  }
  flatbuffers::Verifier::Options opts;
  opts.max_depth = 16;
  opts.max_tables = 1'000'000;
  flatbuffers::Verifier v(static_cast<const uint8_t*>(data), size, opts);
  if (!v.VerifyBuffer<T>(identifier)) {
    d.error = fb::ErrorCode::malformed_frame;
    d.reason = "frame failed the FlatBuffers verifier";
    return d;
  }
  const T* msg = flatbuffers::GetRoot<T>(data);
  if (msg->version() != kProtocolVersion) {
    d.error = fb::ErrorCode::unsupported_version;
    d.reason = "unsupported protocol version (this build speaks version 1)";
    return d;
  }
  d.msg = msg;
  return d;
}

}  // namespace

Decoded<fb::ClientRequest> decode_client_request(const void* d, std::size_t n, std::size_t m) {
  return decode_root<fb::ClientRequest>(d, n, m, fb::ClientRequestIdentifier());
}
Decoded<fb::ClientReply> decode_client_reply(const void* d, std::size_t n, std::size_t m) {
  return decode_root<fb::ClientReply>(d, n, m, fb::ClientReplyIdentifier());
}
Decoded<fb::WorkerMessage> decode_worker_message(const void* d, std::size_t n, std::size_t m) {
  return decode_root<fb::WorkerMessage>(d, n, m, fb::WorkerMessageIdentifier());
}
Decoded<fb::BrokerMessage> decode_broker_message(const void* d, std::size_t n, std::size_t m) {
  return decode_root<fb::BrokerMessage>(d, n, m, fb::BrokerMessageIdentifier());
}
Decoded<fb::Event> decode_event(const void* d, std::size_t n, std::size_t m) {
  return decode_root<fb::Event>(d, n, m, fb::EventIdentifier());
}
Decoded<fb::SnapshotRequest> decode_snapshot_request(const void* d, std::size_t n, std::size_t m) {
  return decode_root<fb::SnapshotRequest>(d, n, m, fb::SnapshotRequestIdentifier());
}
Decoded<fb::SnapshotBatch> decode_snapshot_batch(const void* d, std::size_t n, std::size_t m) {
  return decode_root<fb::SnapshotBatch>(d, n, m, fb::SnapshotBatchIdentifier());
}

zmq::message_t take_frame(flatbuffers::FlatBufferBuilder& builder) {
  zmq::message_t frame(builder.GetBufferPointer(), builder.GetSize());
  builder.Clear();
  return frame;
}

std::string_view error_name(fb::ErrorCode code) {
  const char* name = fb::EnumNameErrorCode(code);
  return (name && *name) ? std::string_view(name) : std::string_view("unknown");
}

std::string_view state_name(fb::JobState state) {
  const char* name = fb::EnumNameJobState(state);
  return (name && *name) ? std::string_view(name) : std::string_view("unknown");
}

std::string dump_prefix(const void* data, std::size_t size, std::size_t max_bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  const auto* p = static_cast<const uint8_t*>(data);
  std::size_t n = size < max_bytes ? size : max_bytes;
  std::string out;
  out.reserve(n * 2 + 16);
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(kHex[p[i] >> 4]);
    out.push_back(kHex[p[i] & 15]);
  }
  if (size > n) out += "...(" + std::to_string(size) + " bytes)";
  return out;
}

}  // namespace litc
