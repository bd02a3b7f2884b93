// Codec: every decode rejects what a peer could send wrongly, with the right error code.
#include "protocol/codec.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace litc {
namespace {

std::string submit_frame(fb::ProtocolVersion version = kProtocolVersion, std::string op = "echo") {
  flatbuffers::FlatBufferBuilder b;
  auto body = fb::CreateSubmit(b, b.CreateString("job-1"), b.CreateString(op), bytes(b, "hi"), 3);
  fb::FinishClientRequestBuffer(
      b, fb::CreateClientRequest(b, version, 42, fb::ClientRequestBody::Submit, body.Union()));
  return std::string(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
}

TEST(Codec, DecodesAValidSubmit) {
  std::string f = submit_frame();
  auto d = decode_client_request(f.data(), f.size());
  ASSERT_TRUE(d.ok()) << d.reason;
  EXPECT_EQ(d.msg->request_id(), 42u);
  const auto* s = d.msg->body_as_Submit();
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(view(s->job_id()), "job-1");
  EXPECT_EQ(view(s->input()), "hi");
  EXPECT_EQ(s->priority(), 3);
}

TEST(Codec, RejectsWrongVersion) {
  std::string f = submit_frame(static_cast<fb::ProtocolVersion>(7));
  auto d = decode_client_request(f.data(), f.size());
  EXPECT_FALSE(d.ok());
  EXPECT_EQ(d.error, fb::ErrorCode::unsupported_version);
}

TEST(Codec, RejectsOversizedFrameBeforeParsing) {
  std::string f = submit_frame();
  auto d = decode_client_request(f.data(), f.size(), f.size() - 1);
  EXPECT_EQ(d.error, fb::ErrorCode::frame_too_large);
}

TEST(Codec, RejectsEveryTruncation) {
  std::string f = submit_frame();
  // The builder may end the buffer with up to 7 bytes of alignment padding, which a verifier
  // rightly does not need; every cut into real content must be rejected.
  for (std::size_t n = 0; n + 8 <= f.size(); ++n) {
    auto d = decode_client_request(f.data(), n);
    EXPECT_FALSE(d.ok()) << "prefix of " << n << " bytes accepted";
  }
}

TEST(Codec, RejectsRandomBytes) {
  std::mt19937 rng(1234);
  for (int i = 0; i < 2000; ++i) {
    std::vector<uint8_t> junk(8 + rng() % 200);
    for (auto& c : junk) c = static_cast<uint8_t>(rng());
    auto d = decode_client_request(junk.data(), junk.size());
    EXPECT_FALSE(d.ok());
    EXPECT_EQ(d.error, fb::ErrorCode::malformed_frame);
  }
}

TEST(Codec, RejectsCorruptedOffsetsWithTheRightIdentifier) {
  std::string f = submit_frame();
  std::mt19937 rng(99);
  int rejected = 0;
  for (int i = 0; i < 2000; ++i) {
    std::string g = f;
    // Keep the identifier (bytes 4..7) so the verifier, not the identifier check, must catch it.
    std::size_t pos = (rng() % (g.size() - 8)) + 8;
    g[pos] = static_cast<char>(rng());
    auto d = decode_client_request(g.data(), g.size());
    if (!d.ok()) {
      ++rejected;
      EXPECT_TRUE(d.error == fb::ErrorCode::malformed_frame ||
                  d.error == fb::ErrorCode::unsupported_version);
    }
  }
  EXPECT_GT(rejected, 0);
}

TEST(Codec, TellsAnotherFamilyFromGarbage) {
  flatbuffers::FlatBufferBuilder b;
  fb::FinishWorkerMessageBuffer(
      b, fb::CreateWorkerMessage(b, kProtocolVersion, fb::WorkerMessageBody::Heartbeat,
                                 fb::CreateHeartbeat(b).Union()));
  auto d = decode_client_request(b.GetBufferPointer(), b.GetSize());
  EXPECT_EQ(d.error, fb::ErrorCode::unexpected_message);
  auto w = decode_worker_message(b.GetBufferPointer(), b.GetSize());
  EXPECT_TRUE(w.ok());
}

TEST(Codec, NamesUnknownErrorValuesAsUnknown) {
  EXPECT_EQ(error_name(fb::ErrorCode::queue_full), "queue_full");
  EXPECT_EQ(error_name(static_cast<fb::ErrorCode>(9999)), "unknown");
  EXPECT_EQ(state_name(fb::JobState::completed), "completed");
}

TEST(Codec, TakeFrameLeavesTheBuilderReusable) {
  flatbuffers::FlatBufferBuilder b;
  fb::FinishWorkerMessageBuffer(
      b, fb::CreateWorkerMessage(b, kProtocolVersion, fb::WorkerMessageBody::Heartbeat,
                                 fb::CreateHeartbeat(b).Union()));
  zmq::message_t first = take_frame(b);
  EXPECT_EQ(b.GetSize(), 0u);
  EXPECT_TRUE(decode_worker_message(first.data(), first.size()).ok());
}

}  // namespace
}  // namespace litc
