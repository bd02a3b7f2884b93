// Socket-free harness for Scheduler tests: a settable fake clock, an output that records every
// action the scheduler emits, and a few one-line helpers to submit jobs and drive workers.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "broker/scheduler.h"
#include "tests/broker/printers.h"

namespace litc::broker::testing {

inline constexpr uint64_t kStartMs = 1'700'000'000'000;  // some wall-clock time

class FakeClock : public Clock {
 public:
  uint64_t now_ms() const override { return now; }
  void advance(uint64_t ms) { now += ms; }
  uint64_t now = kStartMs;
};

struct AssignRec {
  std::string routing_id;
  std::string node_id;
  std::string job_id;
  uint32_t attempt;
  uint32_t in_flight_after;  // worker's in-flight count when assign() was called
};

struct CancelRec {
  std::string routing_id;
  std::string job_id;
  uint32_t attempt;
};

struct DisconnectRec {
  std::string routing_id;
  std::string node_id;
  std::string reason;
};

struct JobEventRec {
  fb::JobEventKind kind;
  std::string job_id;
  fb::JobState state;
  uint32_t attempt;
  std::string node_id;
  fb::ErrorCode error;
  bool dead_lettered;
};

struct NodeEventRec {
  fb::NodeEventKind kind;
  std::string node_id;
  std::string routing_id;
  uint32_t capacity;
};

struct ReplyRec {
  std::string client;
  uint64_t request_id;
  std::string job_id;
  fb::JobState state;
  fb::ErrorCode error;
  std::string result;
};

// Records everything, copying the fields (the scheduler's references do not outlive the call).
class RecordingOutput : public SchedulerOutput {
 public:
  void assign(const Worker& w, const Job& j) override {
    assigns.push_back({w.routing_id, w.node_id, j.id, j.attempt, w.in_flight()});
  }
  void cancel_on_worker(const Worker& w, const Job& j, uint32_t attempt) override {
    cancels.push_back({w.routing_id, j.id, attempt});
  }
  void disconnect_worker(const Worker& w, std::string_view reason) override {
    disconnects.push_back({w.routing_id, w.node_id, std::string(reason)});
  }
  void job_event(fb::JobEventKind kind, const Job& j) override {
    job_events.push_back({kind, j.id, j.state, j.attempt, j.node_id, j.error, j.dead_lettered});
  }
  void node_event(fb::NodeEventKind kind, const Worker& w) override {
    node_events.push_back({kind, w.node_id, w.routing_id, w.capacity});
  }
  void reply_final(const Waiter& waiter, const Job& j) override {
    replies.push_back({waiter.client, waiter.request_id, j.id, j.state, j.error, j.result});
  }

  // Job ids assigned, in order (optionally only those sent to one worker).
  std::vector<std::string> assigned_ids(std::string_view routing_id = {}) const {
    std::vector<std::string> ids;
    for (const AssignRec& a : assigns) {
      if (routing_id.empty() || a.routing_id == routing_id) ids.push_back(a.job_id);
    }
    return ids;
  }
  std::vector<JobEventRec> events_for(std::string_view job_id) const {
    std::vector<JobEventRec> out;
    for (const JobEventRec& e : job_events) {
      if (e.job_id == job_id) out.push_back(e);
    }
    return out;
  }
  std::vector<fb::JobEventKind> kinds_for(std::string_view job_id) const {
    std::vector<fb::JobEventKind> out;
    for (const JobEventRec& e : job_events) {
      if (e.job_id == job_id) out.push_back(e.kind);
    }
    return out;
  }
  std::size_t count(fb::JobEventKind kind, std::string_view job_id) const {
    std::size_t n = 0;
    for (const JobEventRec& e : job_events) n += e.kind == kind && e.job_id == job_id;
    return n;
  }
  std::size_t count(fb::NodeEventKind kind, std::string_view node_id) const {
    std::size_t n = 0;
    for (const NodeEventRec& e : node_events) n += e.kind == kind && e.node_id == node_id;
    return n;
  }
  void clear() {
    assigns.clear();
    cancels.clear();
    disconnects.clear();
    job_events.clear();
    node_events.clear();
    replies.clear();
  }

  std::vector<AssignRec> assigns;
  std::vector<CancelRec> cancels;
  std::vector<DisconnectRec> disconnects;
  std::vector<JobEventRec> job_events;
  std::vector<NodeEventRec> node_events;
  std::vector<ReplyRec> replies;
};

// prefix + i, built by appending (GCC 12 -O3 warns falsely on "literal" + std::string).
inline std::string numbered(std::string_view prefix, uint64_t i) {
  std::string s(prefix);
  s.append(std::to_string(i));
  return s;
}

// One scheduler with its clock and output. Workers are named by routing id; the node id is
// "node-" + routing id unless given.
struct Harness {
  explicit Harness(SchedulerOptions options = {}) : sched(std::move(options), clock, out) {}

  Outcome submit(std::string_view id, std::string_view op = "echo", int32_t priority = 0,
                 const Waiter* waiter = nullptr) {
    SubmitArgs a;
    a.job_id = id;
    a.operation = op;
    a.input = "input";
    a.priority = priority;
    return sched.submit(a, waiter);
  }
  Outcome submit(const SubmitArgs& a, const Waiter* waiter = nullptr) {
    return sched.submit(a, waiter);
  }

  Outcome add_worker(std::string_view routing_id,
                     std::initializer_list<std::string_view> ops = {"echo"},
                     uint32_t max_concurrent = 1, int32_t reputation = 0,
                     std::string_view node_id = {}) {
    std::string node(node_id);
    if (node.empty()) node.append("node-").append(routing_id);
    RegisterArgs r;
    r.routing_id = routing_id;
    r.node_id = node;
    r.wallet_address = "0xwallet";
    r.public_key = "pk";
    r.operations.assign(ops.begin(), ops.end());
    r.max_concurrent = max_concurrent;
    Outcome o = sched.register_worker(r);
    // The network sets reputation (never the node's Register): as the broker will, afterwards.
    if (o.ok() && reputation != 0) sched.set_reputation(node, reputation);
    return o;
  }

  ResultVerdict result(std::string_view routing_id, std::string_view job_id, uint32_t attempt,
                       bool ok = true, std::string_view output = "output",
                       fb::ErrorCode error = fb::ErrorCode::operation_failed) {
    ResultArgs r;
    r.job_id = job_id;
    r.attempt = attempt;
    r.ok = ok;
    r.output = output;
    r.error = error;
    r.error_message = ok ? "" : "it broke";
    return sched.result(routing_id, r);
  }

  // The job with that id; fails the test (and returns a static empty job) when it is unknown.
  const Job& job(std::string_view id) const {
    static const Job kMissing{};
    JobSlot s = sched.find(id);
    EXPECT_NE(s, kNoJob) << "no job " << id;
    return s == kNoJob ? kMissing : sched.job(s);
  }
  fb::JobState state(std::string_view id) const { return job(id).state; }

  // In flight on a registered worker, by routing id (0 when unknown).
  uint32_t in_flight(std::string_view routing_id) const {
    WorkerSlot ws = sched.workers().find_by_routing_id(routing_id);
    return ws == kNoWorker ? 0 : sched.workers().at(ws).in_flight();
  }

  // Answers every assignment recorded from index `from` on with an ok Result, including the ones
  // those answers cause; returns the job ids in the order they were assigned.
  std::vector<std::string> complete_all(std::size_t from = 0) {
    std::vector<std::string> ids;
    for (std::size_t i = from; i < out.assigns.size(); ++i) {
      AssignRec a = out.assigns[i];  // a copy: result() appends to out.assigns
      ids.push_back(a.job_id);
      EXPECT_EQ(result(a.routing_id, a.job_id, a.attempt), ResultVerdict::accepted) << a.job_id;
    }
    return ids;
  }

  // Steps the clock and ticks.
  void advance(uint64_t ms) {
    clock.advance(ms);
    sched.tick();
  }

  FakeClock clock;
  RecordingOutput out;
  Scheduler sched;
};

}  // namespace litc::broker::testing
