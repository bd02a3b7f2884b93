// BridgeLoop: the bridge's one thread that owns every ZeroMQ socket and the Redis connection. It
// follows the broker's state (Clone pattern: events SUB + snapshot DEALER, CloneSync), writes it
// to Redis through the RedisMirror once per turn in one pipeline, talks to the broker's clients
// socket for the HTTP API, and represents HTTP-only nodes (HttpNodes). HTTP threads never touch
// these: they post() tasks that run here between turns.
//
// DESIGN.
//  - One turn: poll; run posted tasks; drain events (bounded per turn), snapshot batches, broker
//    replies and HTTP-node sockets; timers; then ONE Redis pipeline with everything the turn
//    produced (mirror writes, ledger writes, node commands). Writes are batched per turn, so the
//    mirror keeps up with the broker by doing more per round trip when it falls behind. The turn
//    does not wait for Redis's answer: Redis writes turn N while this thread builds turn N+1;
//    past max_redis_turns_in_flight unanswered turns the next turns keep growing one batch (and a
//    snapshot waits in its socket) instead of waiting; what needs the answer (a submit's 202, the
//    lag) runs when it arrives, in order.
//  - The loop never waits on Redis: reads (HTTP routes, the health PING, the ledger's reload and
//    pending submits, the resync's active keys) go out on the same connection with a reply
//    callback (read_redis), behind the writes already sent, so a read sees every write before it.
//  - An HTTP submit is answered only after its ledger entry is in Redis (same pipeline) and the
//    broker acknowledged it. Redis down: 503 redis_unavailable, nothing is sent to the broker.
//    Broker not answering within broker_timeout: the entry stays in the ledger, the client gets
//    202 (the job is held), and the Submit is sent again every second until the broker answers.
//  - Redis down: events are still consumed (the copy stays current in CloneSync), writes are
//    dropped, /healthz says unhealthy; when Redis is back the ledger is reloaded and a fresh
//    snapshot rewrites the mirror whole.
//  - After every snapshot, ledger jobs the broker does not hold are submitted again (a broker
//    restart lost them), unless Redis says they already finished. `encrypt` and `decrypt` submits
//    (plaintext, a bearer authSig) are ledgered in memory only: never written to Redis
//    (SubmissionLedger::memory_only).
//  - A request that waits for a job (POST /decrypt: Submit with wait + no_ack) is a call with its
//    own deadline (call_broker_waiting); its expiry is the caller's answer, not a broker timeout.
//  - Blob store (optional): every completed job's output the loop applies (event or snapshot
//    record) is handed to BlobStore::put, which never blocks; a resync offers again those the
//    broker still holds (present ones are skipped). Never a `decrypt` job's output: its operation
//    is remembered from its full record (submitted, replayed, snapshot) until it finishes, because
//    the lean completed record does not carry it. Never a job input.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>
#include <zmq.hpp>

#include "bridge/active_keys_query.h"
#include "bridge/blob_store.h"
#include "bridge/bridge_probe.h"
#include "bridge/clone_sync.h"
#include "bridge/http_nodes.h"
#include "bridge/periodic_tasks.h"
#include "bridge/redis/redis_connection.h"
#include "bridge/redis_mirror.h"
#include "bridge/submission_ledger.h"
#include "protocol/client.h"

namespace litc::bridge {

struct BridgeOptions {
  std::string broker = "tcp://127.0.0.1:5555";    // the broker's clients ROUTER
  std::string events = "tcp://127.0.0.1:5557";    // its events PUB
  std::string snapshot = "tcp://127.0.0.1:5558";  // its snapshot ROUTER
  HttpNodeOptions http_nodes;                     // workers endpoint for HTTP-only nodes
  RedisOptions redis;
  MirrorOptions mirror;
  CloneSyncOptions clone;
  uint64_t broker_timeout_ms = 5000;
  std::size_t max_events_per_turn = 4096;
  // Turns whose Redis writes may be unanswered at once (0: each turn waits for its replies).
  std::size_t max_redis_turns_in_flight = 2;
  std::size_t max_buffered_events = 1'000'000;  // while a snapshot is on its way
  std::size_t max_event_backlog = 1'000'000;    // events queued unread on the SUB socket
  std::size_t max_pending_calls = 100'000;      // broker requests in flight; over it: 429
  std::size_t max_queued_tasks = 100'000;       // HTTP requests waiting for the loop; over it: 429
  std::size_t max_request_reads = 10'000;       // HTTP requests' Redis reads unanswered; over: 429
  std::size_t max_frame_bytes = kDefaultMaxFrameBytes;
};

class BridgeLoop {
 public:
  using Task = std::function<void(BridgeLoop&)>;
  // The broker's reply to one request; on timeout or when the request could not be sent, a reply
  // of kind error with code timeout.
  using ReplyFn = std::function<void(ClientReplyInfo&)>;

  // blobs: where completed outputs are stored (null: nowhere); outlives the loop.
  BridgeLoop(BridgeOptions options, zmq::context_t& context, BridgeProbe& probe,
             BlobStore* blobs = nullptr);
  ~BridgeLoop();
  BridgeLoop(const BridgeLoop&) = delete;
  BridgeLoop& operator=(const BridgeLoop&) = delete;

  // Runs turns until stop is set (checked at least every 100 ms).
  void run(const std::atomic<bool>& stop);
  // Thread-safe: runs task on the loop thread at the start of the next turn. False (task dropped)
  // when max_queued_tasks are waiting already: a stalled loop must not collect requests forever.
  bool post(Task task);
  // Thread-safe (BlobStore is): null when the bridge stores no blobs.
  BlobStore* blobs() const { return blobs_; }

  // --- for tasks (loop thread only) ---
  uint64_t now_ms() const;
  bool redis_up() const { return redis_.up(); }
  bool broker_live() const;
  // Sends the reads now (behind the writes already sent) and runs `done` with their replies when
  // they arrive, from a later turn; at once (status down, no replies) when Redis is down.
  void read_redis(const RedisBatch& batch, RedisConnection::ReadFn done);
  // read_redis for an HTTP request: false (nothing sent, `done` dropped) when max_request_reads
  // are unanswered already, so a frozen Redis cannot collect requests without bound.
  bool read_redis_for_request(const RedisBatch& batch, RedisConnection::ReadFn done);
  Client& broker() { return broker_; }
  HttpNodes& nodes() { return nodes_; }
  // Registers the callback for request_id (from broker().send_*); id 0 (not sent) answers at once.
  void call_broker(uint64_t request_id, ReplyFn fn);
  // The same for a Submit sent with wait (and no_ack): the final JobReply may take up to wait_ms,
  // after which fn gets an error reply of code timeout (not counted in broker_timeouts). A reply
  // that is not final (an ack from a broker that predates no_ack) may register again.
  void call_broker_waiting(uint64_t request_id, ReplyFn fn, uint64_t wait_ms);
  bool calls_full() const { return calls_.size() >= options_.max_pending_calls; }
  // Ledger write (this turn's pipeline; memory only for encrypt/decrypt), then Submit to the
  // broker; `done` gets the broker's
  // reply, or an error reply: code internal + "redis_unavailable" when the ledger write failed,
  // code timeout when the broker did not answer (the job then stays in the ledger).
  void submit(SubmitRequest request, ReplyFn done);
  // A job id for a submit that names none (the ledger needs the id before the broker sees it).
  std::string new_job_id();

 private:
  struct PendingCall {
    ReplyFn fn;
    uint64_t deadline_ms;
    bool waiting = false;  // call_broker_waiting: its expiry is no broker timeout
  };
  struct PendingSubmit {
    SubmitRequest request;
    ReplyFn done;
  };

  void wake();
  void run_tasks();
  void drain_events(uint64_t now);
  void handle_event(zmq::message_t& frame, uint64_t now);
  void drain_snapshot(uint64_t now);
  void drain_replies();
  void request_snapshot(uint64_t now);
  void after_snapshot(uint64_t now);
  // The resync's first read: the jobs:active:* keys to clear, sent once the writes before it are.
  void read_active_keys();
  void on_active_keys(uint64_t request_id, RedisStatus status, std::vector<RedisReply>& replies);
  // Ledger jobs the new snapshot does not hold: those Redis does not call finished are submitted.
  void resubmit_missing(std::vector<std::string> missing);
  bool turns_at_limit() const {
    return options_.max_redis_turns_in_flight > 0 &&
           mirror_turns_in_flight_ >= options_.max_redis_turns_in_flight;
  }
  // Every turn: Redis reconnects, the broker's liveness; then the periodic tasks that are due.
  void timers(uint64_t now);
  void schedule_periodic_tasks();
  void ping_redis();
  // Broker calls past their deadline get a timeout reply.
  void expire_calls(uint64_t now);
  // Sends the turn's writes unless turns_at_limit() (then they wait for a later turn).
  void flush(uint64_t now);
  void send_turn(uint64_t now);
  // A turn's writes were answered (or lost): lag, health, then its submits go to the broker.
  void end_turn(RedisStatus status, uint64_t oldest_event_ms, uint64_t events,
                std::vector<PendingSubmit>& submits);
  void redis_came_back();
  // Submit to the broker for a ledger job; `done` (may be empty) gets the reply.
  void send_submit(const SubmitRequest& request, ReplyFn done);
  void resend_unconfirmed();
  void reset_subscriber();
  // A job record applied to the mirror (event or snapshot): a completed output goes to the blob
  // store unless the job is a decrypt.
  void keep_output(const fb::JobRecord& record);

  BridgeOptions options_;
  zmq::context_t& context_;
  BridgeProbe& probe_;
  RedisConnection redis_;
  Client broker_;
  zmq::socket_t sub_;
  std::optional<zmq::socket_t> snapshot_;
  HttpNodes nodes_;
  CloneSync clone_;
  RedisMirror mirror_;
  SubmissionLedger ledger_;
  BlobStore* blobs_;
  // Unfinished decrypt jobs (their lean completed record names no operation). Rebuilt from each
  // snapshot; used only with a blob store.
  std::unordered_set<std::string> decrypt_jobs_;

  int wake_fd_ = -1;
  std::mutex tasks_mu_;
  std::vector<Task> tasks_;

  std::unordered_map<uint64_t, PendingCall> calls_;
  std::vector<PendingSubmit> submits_;   // this turn's, sent after the pipeline
  std::deque<zmq::message_t> buffered_;  // events received while a snapshot is on its way
  bool buffer_overflowed_ = false;
  uint64_t snapshot_request_id_ = 0;
  bool snapshot_started_ = false;  // the first batch of the current snapshot arrived
  // The resync's active-keys read: wanted from the snapshot request, sent after the writes before
  // it, ready when answered; the snapshot's batches wait in their socket until then.
  enum class KeysRead { idle, wanted, reading, ready };
  KeysRead keys_read_ = KeysRead::idle;
  ActiveKeysQuery active_query_;
  std::size_t mirror_turns_in_flight_ = 0;  // flushed turns Redis has not answered yet
  bool ping_in_flight_ = false;
  std::size_t request_reads_ = 0;  // read_redis_for_request calls not answered yet
  uint64_t oldest_event_ms_ = 0;   // broker time of the oldest event not yet written (lag)
  uint64_t turn_events_ = 0;       // events applied this turn
  uint64_t newest_event_ms_ = 0;   // broker time of the newest event this turn
  // Broker time of the newest event whose writes Redis confirmed: a resync publishes an update
  // for every job that changed since (RedisMirror::begin_resync). In memory only: a bridge that
  // restarts publishes nothing for what finished while it was away (the hashes are right).
  uint64_t confirmed_event_ms_ = 0;
  uint64_t seen_connects_ = 0;  // RedisConnection::connects() when last looked at
  uint64_t next_refusal_log_ms_ = 0;

  RedisBatch batch_;
  std::vector<std::string> finished_;
  PeriodicTasks periodic_;  // schedule_periodic_tasks(): the cadences, one table
  // Ledger jobs whose Submit got no answer (lost with a dying broker, or a full send queue): sent
  // again every second until the broker answers.
  std::unordered_set<std::string> unconfirmed_;
  uint64_t job_counter_ = 0;
  std::string id_prefix_;
  flatbuffers::FlatBufferBuilder builder_;
};

}  // namespace litc::bridge
