// Credit-based flow control under load: a worker never holds more jobs than its --max-concurrent,
// as counted from the broker's own event stream (assigned minus finished/re-queued per node).
#include <gtest/gtest.h>

#include <map>

#include "tests/integration/harness.h"

namespace litc::it {
namespace {

TEST(CreditsIntegration, NoWorkerEverHoldsMoreJobsThanItsMaxConcurrent) {
  constexpr int kJobs = 40;
  constexpr int kSlots = 2;
  Network net(load_test_options());
  ASSERT_TRUE(net.ok());
  net.add_worker("w1", "sleep", kSlots);
  net.add_worker("w2", "sleep", kSlots);
  ASSERT_TRUE(net.wait_workers_online(2));
  auto tap = net.tap();
  ASSERT_TRUE(tap->wait_ready(milliseconds(3000)));
  auto client = net.client();

  for (int i = 0; i < kJobs; ++i) {
    SubmitRequest req;
    req.job_id = "credit-" + std::to_string(i);
    req.operation = "sleep";
    req.input = "50";
    ASSERT_TRUE(client->submit(req).ok()) << i;
  }
  ASSERT_TRUE(tap->wait_for(
      [](const auto& ev) { return count_job_events(ev, fb::JobEventKind::completed) >= kJobs; },
      milliseconds(20000)))
      << "not all jobs completed";

  std::map<std::string, std::string> holder;  // job id -> node holding its current attempt
  std::map<std::string, int> active;          // node -> jobs held now
  std::map<std::string, int> peak;            // node -> most jobs held at once
  std::map<std::string, int> ran;             // node -> jobs assigned
  for (const auto& e : tap->events()) {
    if (e.type != EventInfo::Type::job) continue;
    const std::string& id = e.job.job_id;
    switch (e.job_kind) {
      case fb::JobEventKind::assigned:
        ASSERT_EQ(holder.count(id), 0u) << id << " assigned while already held";
        holder[id] = e.job.node_id;
        ++ran[e.job.node_id];
        peak[e.job.node_id] = std::max(peak[e.job.node_id], ++active[e.job.node_id]);
        ASSERT_LE(active[e.job.node_id], kSlots)
            << "node " << e.job.node_id << " over its credit at seq " << e.seq;
        break;
      case fb::JobEventKind::completed:
      case fb::JobEventKind::failed:
      case fb::JobEventKind::requeued:
      case fb::JobEventKind::cancelled:
        if (holder.count(id)) {
          --active[holder[id]];
          holder.erase(id);
        }
        break;
      default:
        break;
    }
  }
  EXPECT_EQ(count_job_events(tap->events(), fb::JobEventKind::completed), kJobs);
  EXPECT_EQ(count_job_events(tap->events(), fb::JobEventKind::failed), 0);
  // Both workers were used to their full credit: the bound was actually exercised.
  EXPECT_EQ(peak["w1"], kSlots);
  EXPECT_EQ(peak["w2"], kSlots);
  EXPECT_EQ(ran["w1"] + ran["w2"], kJobs);
  EXPECT_EQ(tap->bad_frames(), 0);
}

}  // namespace
}  // namespace litc::it
