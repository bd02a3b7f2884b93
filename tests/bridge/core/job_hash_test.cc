// job:{id}:status hash <-> JobInfo: what the mirror writes, the API reads back unchanged.
#include "bridge/job_hash.h"

#include <gtest/gtest.h>

#include "bridge/submission_ledger.h"

namespace litc::bridge {
namespace {

RedisReply as_hgetall(const std::vector<std::string>& pairs) {
  RedisReply r;
  r.type = RedisReply::Type::array;
  for (const auto& s : pairs) {
    RedisReply e;
    e.type = RedisReply::Type::string;
    e.str = s;
    r.elements.push_back(e);
  }
  return r;
}

TEST(JobHash, EveryFieldRoundTrips) {
  JobInfo j;
  j.job_id = "j1";
  j.state = fb::JobState::completed;
  j.operation = "sha256";
  j.priority = -3;
  j.attempt = 2;
  j.max_attempts = 5;
  j.node_id = "n1";
  j.output = std::string("o\0ut", 4);
  j.output_cid = "bafkrei";
  j.error_code = fb::ErrorCode::timeout;
  j.error_message = "slow";
  j.submitted_at_ms = 1;
  j.started_at_ms = 2;
  j.completed_at_ms = 3;
  j.ttl_ms = 4;
  j.timeout_ms = 5;
  j.dead_lettered = true;
  j.input_size = 6;
  std::vector<std::string> args;
  append_job_fields(j, 0xFFFFFFFFu, args);
  JobInfo back = job_from_hash("j1", as_hgetall(args));
  EXPECT_EQ(back.state, j.state);
  EXPECT_EQ(back.operation, j.operation);
  EXPECT_EQ(back.priority, j.priority);
  EXPECT_EQ(back.attempt, j.attempt);
  EXPECT_EQ(back.max_attempts, j.max_attempts);
  EXPECT_EQ(back.node_id, j.node_id);
  EXPECT_EQ(back.output, j.output);
  EXPECT_EQ(back.output_cid, j.output_cid);
  EXPECT_EQ(back.error_code, j.error_code);
  EXPECT_EQ(back.error_message, j.error_message);
  EXPECT_EQ(back.submitted_at_ms, 1u);
  EXPECT_EQ(back.started_at_ms, 2u);
  EXPECT_EQ(back.completed_at_ms, 3u);
  EXPECT_EQ(back.ttl_ms, 4u);
  EXPECT_EQ(back.timeout_ms, 5u);
  EXPECT_TRUE(back.dead_lettered);
  EXPECT_EQ(back.input_size, 6u);
}

TEST(JobHash, SeedFieldNamesAreKeptVerbatim) {
  JobInfo j;
  std::vector<std::string> names;
  append_job_field_names(kStatus | kNodeId | kOutput | kStartedAt | kCompletedAt, names);
  EXPECT_EQ(names, (std::vector<std::string>{"status", "nodeId", "output", "outputCID", "startedAt",
                                             "completedAt"}));
}

TEST(SubmissionLedger, SubmitJsonRoundTripsBinaryInput) {
  SubmitRequest r;
  r.job_id = "x";
  r.operation = "echo";
  r.input = std::string("\xff\0a", 3);
  r.priority = 7;
  r.max_attempts = 3;
  r.ttl_ms = 10;
  r.timeout_ms = 20;
  r.verified = true;
  auto back = SubmissionLedger::from_json("x", SubmissionLedger::to_json(r));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->input, r.input);
  EXPECT_EQ(back->operation, "echo");
  EXPECT_EQ(back->priority, 7);
  EXPECT_EQ(back->max_attempts, 3u);
  EXPECT_EQ(back->ttl_ms, 10u);
  EXPECT_EQ(back->timeout_ms, 20u);
  EXPECT_TRUE(back->verified) << "a verified job submitted again stays verified";
  r.verified = false;
  EXPECT_FALSE(SubmissionLedger::from_json("x", SubmissionLedger::to_json(r))->verified);
  EXPECT_FALSE(SubmissionLedger::from_json("x", "not json").has_value());
  EXPECT_FALSE(SubmissionLedger::from_json("x", "{\"operation\":\"echo\"}").has_value());
}

}  // namespace
}  // namespace litc::bridge
