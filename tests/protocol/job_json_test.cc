// JSON views: exact text for jobs (UTF-8 vs base64 output, omitted empty fields, errors), stats,
// and events, since scripts and the bridge's clients read these field names.
#include "protocol/job_json.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>
#include <vector>

namespace litc {
namespace {

JobInfo completed_job() {
  JobInfo j;
  j.job_id = "job-1";
  j.operation = "sha256";
  j.state = fb::JobState::completed;
  j.priority = 2;
  j.attempt = 1;
  j.max_attempts = 3;
  j.node_id = "node-a";
  j.output = "ba7816bf";
  j.submitted_at_ms = 1000;
  j.started_at_ms = 1500;
  j.completed_at_ms = 2000;
  return j;
}

TEST(JobJson, CompletedJobWithTextOutput) {
  EXPECT_EQ(to_json(completed_job()),
            R"({"jobId":"job-1","status":"completed","operation":"sha256","priority":2,)"
            R"("attempt":1,"maxAttempts":3,"nodeId":"node-a","output":"ba7816bf",)"
            R"("submittedAt":1000,"startedAt":1500,"completedAt":2000})");
}

TEST(JobJson, NonUtf8OutputIsBase64) {
  JobInfo j;
  j.job_id = "b";
  j.state = fb::JobState::completed;
  j.output = std::string("\xff\x00\x01", 3);
  EXPECT_EQ(to_json(j), R"({"jobId":"b","status":"completed","outputBase64":"/wAB"})");
  j.output = "\xff";
  EXPECT_EQ(to_json(j), R"({"jobId":"b","status":"completed","outputBase64":"/w=="})");
  j.output = "\xff\xfe";
  EXPECT_EQ(to_json(j), R"({"jobId":"b","status":"completed","outputBase64":"//4="})");
}

TEST(JobJson, OnlyStrictUtf8CountsAsText) {
  JobInfo j;
  j.job_id = "u";
  j.state = fb::JobState::completed;
  // Multi-byte text (é, €, an emoji) and an embedded NUL are text.
  j.output = "h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80";
  EXPECT_NE(to_json(j).find(R"("output":")"), std::string::npos) << to_json(j);
  j.output = std::string("a\0b", 3);
  EXPECT_EQ(to_json(j), R"({"jobId":"u","status":"completed","output":"a\u0000b"})");
  // Overlong NUL, a UTF-16 surrogate, a truncated sequence, a code point above U+10FFFF: bytes.
  for (const char* bad : {"\xc0\x80", "\xed\xa0\x80", "\xe2\x82", "\xf4\x90\x80\x80"}) {
    j.output = bad;
    EXPECT_NE(to_json(j).find("outputBase64"), std::string::npos) << to_json(j);
  }
}

TEST(JobJson, EmptyAndZeroFieldsAreOmitted) {
  JobInfo j;
  j.job_id = "p";
  j.state = fb::JobState::pending;
  EXPECT_EQ(to_json(j), R"({"jobId":"p","status":"pending"})");
}

TEST(JobJson, FailedJobCarriesAnErrorObject) {
  JobInfo j;
  j.job_id = "f";
  j.operation = "decrypt";
  j.state = fb::JobState::failed;
  j.priority = -1;
  j.attempt = 3;
  j.error_code = fb::ErrorCode::max_attempts_exceeded;
  j.error_message = "re-queued 3 times";
  j.dead_lettered = true;
  j.ttl_ms = 500;
  j.timeout_ms = 250;
  j.input_size = 12;
  EXPECT_EQ(to_json(j),
            R"({"jobId":"f","status":"failed","operation":"decrypt","priority":-1,"attempt":3,)"
            R"("error":{"code":"max_attempts_exceeded","message":"re-queued 3 times"},)"
            R"("deadLettered":true,"ttlMs":500,"timeoutMs":250,"inputSize":12})");
}

TEST(JobJson, EscapesStrings) {
  JobInfo j;
  j.job_id = "q\"\\\n";
  j.state = fb::JobState::cancelled;
  EXPECT_EQ(to_json(j), R"({"jobId":"q\"\\\n","status":"cancelled"})");
}

TEST(JobJson, AckAndJobList) {
  SubmitAckInfo ack{completed_job(), true};
  std::string json = to_json(ack);
  EXPECT_EQ(json.substr(json.size() - 18), R"(,"duplicate":true})");
  ack.duplicate = false;
  EXPECT_EQ(to_json(ack), to_json(completed_job()));

  JobInfo a, b;
  a.job_id = "a";
  a.state = fb::JobState::failed;
  b.job_id = "b";
  b.state = fb::JobState::failed;
  EXPECT_EQ(to_json(std::vector<JobInfo>{a, b}),
            R"([{"jobId":"a","status":"failed"},{"jobId":"b","status":"failed"}])");
  EXPECT_EQ(to_json(std::vector<JobInfo>{}), "[]");
}

TEST(JobJson, StatsKeepSchemaOrderAndZeros) {
  BrokerStatsInfo s{{{"epoch", 7}, {"seq", 0}, {"stale_results", 2}}};
  EXPECT_EQ(to_json(s), R"({"epoch":7,"seq":0,"stale_results":2})");
}

// Decodes a finished Event buffer the way `litc watch` does.
std::string event_json(flatbuffers::FlatBufferBuilder& b, flatbuffers::Offset<fb::Event> event) {
  fb::FinishEventBuffer(b, event);
  auto decoded = decode_event(b.GetBufferPointer(), b.GetSize());
  EXPECT_TRUE(decoded.ok()) << decoded.reason;
  return decoded.ok() ? event_to_json(*decoded.msg) : "";
}

TEST(EventJson, JobEvent) {
  flatbuffers::FlatBufferBuilder b;
  auto job = fb::CreateJobRecord(b, b.CreateString("job-1"), b.CreateString("sha256"),
                                 fb::JobState::completed, 0, 1, 0, b.CreateString("node-a"),
                                 bytes(b, "ok"), fb::ErrorCode::unknown, 0, 10, 20, 30);
  auto body = fb::CreateJobEvent(b, fb::JobEventKind::completed, job);
  EXPECT_EQ(
      event_json(b, fb::CreateEvent(b, kProtocolVersion, 5, 42, 123456, fb::EventBody::JobEvent,
                                    body.Union())),
      R"({"epoch":5,"seq":42,"time":123456,"type":"job","kind":"completed",)"
      R"("job":{"jobId":"job-1","status":"completed","operation":"sha256","attempt":1,)"
      R"("nodeId":"node-a","output":"ok","submittedAt":10,"startedAt":20,"completedAt":30}})");
}

TEST(EventJson, NodeEventHasEveryField) {
  flatbuffers::FlatBufferBuilder b;
  std::vector<std::string> ops{"sha256", "echo"};
  auto node = fb::CreateNodeRecord(b, b.CreateString("node-a"), b.CreateString("0xabc"),
                                   b.CreateString("pk"), 4, b.CreateVectorOfStrings(ops), 1, 7,
                                   false, 999, 0);
  auto body = fb::CreateNodeEvent(b, fb::NodeEventKind::offline, node);
  EXPECT_EQ(event_json(b, fb::CreateEvent(b, kProtocolVersion, 5, 43, 2000,
                                          fb::EventBody::NodeEvent, body.Union())),
            R"({"epoch":5,"seq":43,"time":2000,"type":"node","kind":"offline",)"
            R"("node":{"nodeId":"node-a","walletAddress":"0xabc","publicKey":"pk",)"
            R"("maxConcurrentJobs":4,"supportedOperations":["sha256","echo"],"activeJobs":1,)"
            R"("reputation":7,"online":false,"lastHeartbeat":999,"capacity":0,"shareIndex":0}})");
}

TEST(EventJson, HugzAndUnknownKinds) {
  flatbuffers::FlatBufferBuilder b;
  EXPECT_EQ(event_json(b, fb::CreateEvent(b, kProtocolVersion, 5, 43, 3000, fb::EventBody::Hugz,
                                          fb::CreateHugz(b).Union())),
            R"({"epoch":5,"seq":43,"time":3000,"type":"hugz"})");

  // A kind from a newer broker prints as "unknown" instead of failing.
  flatbuffers::FlatBufferBuilder c;
  auto job = fb::CreateJobRecord(c, c.CreateString("j"));
  auto body = fb::CreateJobEvent(c, static_cast<fb::JobEventKind>(200), job);
  std::string json = event_json(
      c, fb::CreateEvent(c, kProtocolVersion, 1, 1, 1, fb::EventBody::JobEvent, body.Union()));
  EXPECT_NE(json.find(R"("kind":"unknown")"), std::string::npos) << json;
}

}  // namespace
}  // namespace litc

namespace litc {
namespace {

// Job views are written by hand (no json::object per job): a JSON parser must read back exactly
// the strings that went in, whatever bytes they hold.
TEST(JobJson, EveryControlCharacterQuoteAndBackslashRoundTrips) {
  std::string nasty;
  for (int c = 1; c < 0x20; ++c) nasty.push_back(static_cast<char>(c));
  nasty += "\"\\/ é ✓";
  JobInfo job;
  job.job_id = nasty;
  job.node_id = "n\"1";
  job.error_code = fb::ErrorCode::operation_failed;
  job.error_message = nasty;
  job.output = nasty;
  job.state = fb::JobState::failed;
  std::string text = job_update_json(job, "failed");
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  ASSERT_FALSE(ec) << text;
  const auto& j = v.at("job");
  EXPECT_EQ(v.at("kind").as_string(), "failed");
  EXPECT_EQ(j.at("jobId").as_string(), nasty);
  EXPECT_EQ(j.at("nodeId").as_string(), "n\"1");
  EXPECT_EQ(j.at("output").as_string(), nasty);
  EXPECT_EQ(j.at("error").at("message").as_string(), nasty);
  EXPECT_EQ(j.at("error").at("code").as_string(), "operation_failed");
}

}  // namespace
}  // namespace litc
