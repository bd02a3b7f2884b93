// The event stream and snapshot (Clone pattern): across a 10k-job run every event's seq is the
// previous + 1 within one epoch, every job shows submitted/assigned/completed exactly once, and a
// snapshot answers with the whole state and the seq it corresponds to.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "tests/integration/harness.h"

namespace litc::it {
namespace {

TEST(EventStreamIntegration, SequenceNumbersAreGapFreeAcrossTenThousandJobs) {
  constexpr int kJobs = 10000;
  constexpr int kWindow = 500;
  Network net(load_test_options());
  ASSERT_TRUE(net.ok());
  auto tap = net.tap();
  ASSERT_TRUE(tap->wait_ready(milliseconds(3000)));
  net.add_worker("w1", "echo", 4);
  net.add_worker("w2", "echo", 4);
  ASSERT_TRUE(net.wait_workers_online(2));
  auto client = net.client(10000);

  int sent = 0, finished = 0, in_flight = 0;
  auto start = Clock::now();
  while (finished < kJobs) {
    while (sent < kJobs && in_flight < kWindow) {
      SubmitRequest req;
      req.operation = "echo";
      req.input = std::to_string(sent);
      req.wait = true;
      client->send_submit(req);
      ++sent;
      ++in_flight;
    }
    auto reply = client->poll(10000);
    ASSERT_TRUE(reply.has_value()) << "no reply for 10 s; finished " << finished << "/" << kJobs;
    ASSERT_NE(reply->kind, ClientReplyInfo::Kind::error) << reply->error.message;
    if (reply->kind == ClientReplyInfo::Kind::job && reply->final) {
      ASSERT_EQ(reply->job.state, fb::JobState::completed) << reply->job.job_id;
      ++finished;
      --in_flight;
    }
  }
  auto took = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
  std::cerr << "[ info ] " << kJobs << " jobs in " << took.count() << " ms\n";

  ASSERT_TRUE(tap->wait_for(
      [](const auto& ev) { return count_job_events(ev, fb::JobEventKind::completed) >= kJobs; },
      milliseconds(20000)))
      << "the event stream lags the replies";
  const auto events = tap->events();
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(tap->bad_frames(), 0);

  const uint64_t epoch = events.front().epoch;
  EXPECT_NE(epoch, 0u);
  uint64_t last_seq = 0;
  bool have_seq = false;
  int gaps = 0;
  std::map<fb::JobEventKind, int> kinds;
  std::map<std::string, std::set<fb::JobEventKind>> per_job;
  int duplicates = 0;
  for (const auto& e : events) {
    EXPECT_EQ(e.epoch, epoch) << "epoch changed at seq " << e.seq;
    if (e.type == EventInfo::Type::hugz) {
      if (have_seq) {
        EXPECT_EQ(e.seq, last_seq) << "Hugz must repeat the last seq";
      }
      continue;
    }
    if (have_seq && e.seq != last_seq + 1) {
      if (++gaps <= 5) ADD_FAILURE() << "gap: seq " << last_seq << " then " << e.seq;
    }
    last_seq = e.seq;
    have_seq = true;
    if (e.type == EventInfo::Type::job) {
      ++kinds[e.job_kind];
      if (!per_job[e.job.job_id].insert(e.job_kind).second) ++duplicates;
    }
  }
  EXPECT_EQ(gaps, 0);
  // The tap was connected before any job (and before the workers), so it saw the stream from
  // the broker's first event on.
  const auto first = std::find_if(events.begin(), events.end(),
                                  [](const auto& e) { return e.type != EventInfo::Type::hugz; });
  ASSERT_NE(first, events.end());
  EXPECT_EQ(first->seq, 1u);
  EXPECT_EQ(kinds[fb::JobEventKind::submitted], kJobs);
  EXPECT_EQ(kinds[fb::JobEventKind::assigned], kJobs);
  EXPECT_EQ(kinds[fb::JobEventKind::completed], kJobs);
  EXPECT_EQ(per_job.size(), static_cast<std::size_t>(kJobs));
  EXPECT_EQ(duplicates, 0) << "a job had the same transition twice";

  auto stats = client->stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats.value().get("seq"), last_seq);
  EXPECT_EQ(stats.value().get("epoch"), epoch);
  EXPECT_GE(stats.value().get("events_published"), last_seq);
  EXPECT_EQ(stats.value().get("jobs_completed"), static_cast<uint64_t>(kJobs));
}

struct Snapshot {
  std::vector<JobInfo> jobs;
  std::vector<std::string> nodes;
  std::optional<BrokerStatsInfo> stats;
  uint64_t epoch = 0;
  uint64_t seq = 0;
  int batches = 0;
  bool consistent = true;  // every batch had the same epoch and seq and request id
};

std::optional<Snapshot> take_snapshot(zmq::context_t& ctx, const std::string& endpoint,
                                      uint64_t request_id) {
  zmq::socket_t dealer(ctx, zmq::socket_type::dealer);
  dealer.set(zmq::sockopt::linger, 0);
  dealer.connect(endpoint);
  flatbuffers::FlatBufferBuilder b;
  fb::FinishSnapshotRequestBuffer(b, fb::CreateSnapshotRequest(b, kProtocolVersion, request_id));
  (void)dealer.send(take_frame(b), zmq::send_flags::none);

  Snapshot snap;
  std::vector<zmq::pollitem_t> items = {{dealer.handle(), 0, ZMQ_POLLIN, 0}};
  while (true) {
    zmq::poll(items, std::chrono::milliseconds(3000));
    if (!(items[0].revents & ZMQ_POLLIN)) return std::nullopt;
    zmq::message_t m;
    (void)dealer.recv(m);
    if (dealer.get(zmq::sockopt::rcvmore)) return std::nullopt;  // one frame per batch
    auto d = decode_snapshot_batch(m.data(), m.size());
    if (!d.ok()) return std::nullopt;
    const fb::SnapshotBatch& batch = *d.msg;
    if (snap.batches++ == 0) {
      snap.epoch = batch.epoch();
      snap.seq = batch.seq();
    }
    if (batch.epoch() != snap.epoch || batch.seq() != snap.seq ||
        batch.request_id() != request_id) {
      snap.consistent = false;
    }
    if (batch.jobs()) {
      for (const auto* j : *batch.jobs()) snap.jobs.push_back(JobInfo::from(*j));
    }
    if (batch.nodes()) {
      for (const auto* n : *batch.nodes()) snap.nodes.emplace_back(view(n->node_id()));
    }
    if (batch.stats()) snap.stats = BrokerStatsInfo::from(*batch.stats());
    if (batch.last()) return snap;
  }
}

TEST(EventStreamIntegration, SnapshotHoldsTheWholeStateAtTheLatestSeq) {
  Network net;
  ASSERT_TRUE(net.ok());
  net.add_worker("w1", "echo");
  ASSERT_TRUE(net.wait_workers_online(1));
  auto tap = net.tap();
  ASSERT_TRUE(tap->wait_ready(milliseconds(3000)));
  auto client = net.client();

  constexpr int kDone = 25;
  for (int i = 0; i < kDone; ++i) {
    SubmitRequest req;
    req.operation = "echo";
    req.input = "snap " + std::to_string(i);
    ASSERT_TRUE(client->submit_and_wait(req, 5000).ok());
  }
  SubmitRequest waiting;  // no worker offers sleep: stays pending
  waiting.job_id = "still-pending";
  waiting.operation = "sleep";
  waiting.input = "1";
  ASSERT_TRUE(client->submit(waiting).ok());

  ASSERT_TRUE(tap->wait_for(
      [](const auto& ev) {
        return count_job_events(ev, fb::JobEventKind::submitted, "still-pending") == 1;
      },
      milliseconds(3000)));
  std::this_thread::sleep_for(milliseconds(200));  // quiet: nothing else should be published
  uint64_t latest = 0, epoch = 0;
  for (const auto& e : tap->events()) {
    latest = std::max(latest, e.seq);
    epoch = e.epoch;
  }

  auto snap = take_snapshot(net.context(), net.endpoints().snapshot, 4242);
  ASSERT_TRUE(snap.has_value()) << "no complete snapshot (ending with last = true)";
  EXPECT_TRUE(snap->consistent);
  EXPECT_EQ(snap->epoch, epoch);
  EXPECT_EQ(snap->seq, latest);
  EXPECT_EQ(snap->jobs.size(), static_cast<std::size_t>(kDone + 1));
  int completed = 0, pending = 0;
  for (const auto& j : snap->jobs) {
    if (j.state == fb::JobState::completed) ++completed;
    if (j.state == fb::JobState::pending) {
      ++pending;
      EXPECT_EQ(j.job_id, "still-pending");
    }
  }
  EXPECT_EQ(completed, kDone);
  EXPECT_EQ(pending, 1);
  EXPECT_EQ(snap->nodes, std::vector<std::string>{"w1"});
  ASSERT_TRUE(snap->stats.has_value());
  EXPECT_EQ(snap->stats->get("jobs_completed"), static_cast<uint64_t>(kDone));
  EXPECT_EQ(snap->stats->get("jobs_pending"), 1u);
  EXPECT_EQ(snap->stats->get("seq"), latest);
}

TEST(EventStreamIntegration, SequenceAdvancesWithNobodySubscribedAndContinuesGapFree) {
  Network net;
  ASSERT_TRUE(net.ok());
  net.add_worker("w1", "echo");
  ASSERT_TRUE(net.wait_workers_online(1));
  auto client = net.client();
  // No subscriber: the broker skips encoding events, but every transition still takes a seq.
  constexpr int kUnseen = 10;
  for (int i = 0; i < kUnseen; ++i) {
    ASSERT_TRUE(client->submit_and_wait(make_job("", "echo", "unseen"), 5000).ok());
  }
  // node online + (submitted, assigned, completed) per job
  const uint64_t expected_seq = 1 + 3 * kUnseen;
  EXPECT_EQ(net.stat("seq"), expected_seq);
  EXPECT_EQ(net.stat("events_published"), expected_seq);

  auto tap = net.tap();
  ASSERT_TRUE(tap->wait_ready(milliseconds(3000)));
  ASSERT_TRUE(client->submit_and_wait(make_job("seen", "echo", "x"), 5000).ok());
  ASSERT_TRUE(tap->wait_for(
      [](const auto& ev) { return count_job_events(ev, fb::JobEventKind::completed, "seen") == 1; },
      milliseconds(3000)));
  std::vector<uint64_t> seqs;
  for (const auto& e : tap->events()) {
    if (e.type != EventInfo::Type::hugz) seqs.push_back(e.seq);
  }
  ASSERT_EQ(seqs.size(), 3u);
  EXPECT_EQ(seqs[0], expected_seq + 1);
  EXPECT_EQ(seqs[1], expected_seq + 2);
  EXPECT_EQ(seqs[2], expected_seq + 3);
}

}  // namespace
}  // namespace litc::it
