// Micro-benchmarks of the wire codec: FlatBuffers encode + verify + decode of every message a job
// crosses on its way (Submit, Assign, Result, the final JobReply, its JobEvent), as the broker,
// worker and client do it: a reused builder, litc::decode_* (size limit, verifier, version), then
// reading the fields.
#include <benchmark/benchmark.h>

#include <string>

#include "protocol/client.h"
#include "protocol/codec.h"

namespace {

using litc::bytes;
using litc::view;
namespace fb = litc::fb;

const std::string kJobId = "job-1712345678901-123456";

flatbuffers::Offset<fb::JobRecord> job_record(flatbuffers::FlatBufferBuilder& b,
                                              const std::string& output) {
  auto id = b.CreateString(kJobId);
  auto op = b.CreateString("echo");
  auto node = b.CreateString("node-1");
  auto out = bytes(b, output);
  fb::JobRecordBuilder r(b);
  r.add_job_id(id);
  r.add_operation(op);
  r.add_state(fb::JobState::completed);
  r.add_attempt(1);
  r.add_max_attempts(3);
  r.add_node_id(node);
  r.add_output(out);
  r.add_submitted_at_ms(1'712'345'678'901);
  r.add_started_at_ms(1'712'345'678'902);
  r.add_completed_at_ms(1'712'345'678'903);
  r.add_timeout_ms(300'000);
  r.add_input_size(static_cast<uint32_t>(output.size()));
  return r.Finish();
}

// Client -> broker: Submit.
void BM_CodecSubmit(benchmark::State& state) {
  std::string input(state.range(0), 'x');
  flatbuffers::FlatBufferBuilder b(1024);
  uint64_t request_id = 0;
  for (auto _ : state) {
    auto body = fb::CreateSubmit(b, 0, b.CreateString("echo"), bytes(b, input), 0, 0, 0, 0, true);
    fb::FinishClientRequestBuffer(
        b, fb::CreateClientRequest(b, litc::kProtocolVersion, ++request_id,
                                   fb::ClientRequestBody::Submit, body.Union()));
    auto d = litc::decode_client_request(b.GetBufferPointer(), b.GetSize());
    const fb::Submit* s = d.msg->body_as_Submit();
    benchmark::DoNotOptimize(view(s->operation()).size() + view(s->input()).size() + s->wait());
    b.Clear();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CodecSubmit)->Arg(64)->Arg(1024);

// Broker -> worker: Assign.
void BM_CodecAssign(benchmark::State& state) {
  std::string input(state.range(0), 'x');
  flatbuffers::FlatBufferBuilder b(1024);
  for (auto _ : state) {
    auto id = b.CreateString(kJobId);
    auto op = b.CreateString("echo");
    auto in = bytes(b, input);
    auto body = fb::CreateAssign(b, id, op, in, 1, 300'000);
    fb::FinishBrokerMessageBuffer(
        b, fb::CreateBrokerMessage(b, litc::kProtocolVersion, fb::BrokerMessageBody::Assign,
                                   body.Union()));
    auto d = litc::decode_broker_message(b.GetBufferPointer(), b.GetSize());
    const fb::Assign* a = d.msg->body_as_Assign();
    benchmark::DoNotOptimize(view(a->job_id()).size() + view(a->input()).size() + a->attempt());
    b.Clear();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CodecAssign)->Arg(64)->Arg(1024);

// Worker -> broker: Result.
void BM_CodecResult(benchmark::State& state) {
  std::string output(state.range(0), 'x');
  flatbuffers::FlatBufferBuilder b(1024);
  for (auto _ : state) {
    auto id = b.CreateString(kJobId);
    auto out = bytes(b, output);
    auto body = fb::CreateResult(b, id, 1, true, out);
    fb::FinishWorkerMessageBuffer(
        b, fb::CreateWorkerMessage(b, litc::kProtocolVersion, fb::WorkerMessageBody::Result,
                                   body.Union()));
    auto d = litc::decode_worker_message(b.GetBufferPointer(), b.GetSize());
    const fb::Result* r = d.msg->body_as_Result();
    benchmark::DoNotOptimize(view(r->job_id()).size() + view(r->output()).size() + r->ok());
    b.Clear();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CodecResult)->Arg(64)->Arg(1024);

// Broker -> client: the final JobReply with the whole JobRecord, decoded into the client's JobInfo
// (litc::Client copies every field out of the frame).
void BM_CodecJobReply(benchmark::State& state) {
  std::string output(state.range(0), 'x');
  flatbuffers::FlatBufferBuilder b(1024);
  for (auto _ : state) {
    auto body = fb::CreateJobReply(b, job_record(b, output), true);
    fb::FinishClientReplyBuffer(
        b, fb::CreateClientReply(b, litc::kProtocolVersion, 7, fb::ClientReplyBody::JobReply,
                                 body.Union()));
    auto d = litc::decode_client_reply(b.GetBufferPointer(), b.GetSize());
    litc::JobInfo info = litc::JobInfo::from(*d.msg->body_as_JobReply()->job());
    benchmark::DoNotOptimize(info.output.size());
    b.Clear();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CodecJobReply)->Arg(64)->Arg(1024);

// Broker -> subscribers: a JobEvent (three per job: submitted, assigned, completed).
void BM_CodecJobEvent(benchmark::State& state) {
  std::string output(state.range(0), 'x');
  flatbuffers::FlatBufferBuilder b(1024);
  uint64_t seq = 0;
  for (auto _ : state) {
    auto body = fb::CreateJobEvent(b, fb::JobEventKind::completed, job_record(b, output));
    fb::FinishEventBuffer(b, fb::CreateEvent(b, litc::kProtocolVersion, 1, ++seq, 1'712'345'678'903,
                                             fb::EventBody::JobEvent, body.Union()));
    auto d = litc::decode_event(b.GetBufferPointer(), b.GetSize());
    benchmark::DoNotOptimize(d.msg->seq() +
                             view(d.msg->body_as_JobEvent()->job()->job_id()).size());
    b.Clear();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CodecJobEvent)->Arg(64)->Arg(1024);

}  // namespace
