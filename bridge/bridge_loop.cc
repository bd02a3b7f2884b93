// BridgeLoop: the bridge's socket + Redis thread (see bridge_loop.h).
#include "bridge/bridge_loop.h"

#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <random>

#include "bridge/redis_keys.h"
#include "protocol/cid.h"

namespace litc::bridge {
namespace {

ClientReplyInfo error_info(fb::ErrorCode code, std::string message) {
  ClientReplyInfo info;
  info.kind = ClientReplyInfo::Kind::error;
  info.error = ClientError{code, std::move(message)};
  return info;
}

ClientOptions client_options(const BridgeOptions& o) {
  ClientOptions c;
  c.broker = o.broker;
  c.timeout_ms = 0;  // never block the loop: a full send queue is an immediate failure
  c.max_frame_bytes = o.max_frame_bytes;
  return c;
}

}  // namespace

BridgeLoop::BridgeLoop(BridgeOptions options, zmq::context_t& context, BridgeProbe& probe,
                       BlobStore* blobs)
    : options_(std::move(options)),
      context_(context),
      probe_(probe),
      redis_(options_.redis),
      broker_(client_options(options_), &context),
      sub_(context, zmq::socket_type::sub),
      nodes_(options_.http_nodes, context),
      clone_(options_.clone),
      mirror_(options_.mirror),
      blobs_(blobs) {
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) throw std::runtime_error("eventfd failed");
  reset_subscriber();
  std::random_device rd;
  static constexpr char kHex[] = "0123456789abcdef";
  uint64_t r = (uint64_t(rd()) << 32) | rd();
  id_prefix_ = "h";
  for (int i = 0; i < 10; ++i, r >>= 4) id_prefix_ += kHex[r & 15];
  id_prefix_ += '-';
  probe_.redis_up = redis_.up();
  seen_connects_ = redis_.connects();
  schedule_periodic_tasks();
  if (redis_.up()) redis_came_back();
}

BridgeLoop::~BridgeLoop() {
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void BridgeLoop::reset_subscriber() {
  sub_ = zmq::socket_t(context_, zmq::socket_type::sub);
  sub_.set(zmq::sockopt::linger, 0);
  // Bounded: a bridge that falls this far behind lets the broker drop events for it and resyncs
  // from a snapshot (a gap), instead of growing without limit.
  sub_.set(zmq::sockopt::rcvhwm, static_cast<int>(options_.max_event_backlog));
  sub_.set(zmq::sockopt::subscribe, "");
  sub_.connect(options_.events);
}

uint64_t BridgeLoop::now_ms() const {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

bool BridgeLoop::broker_live() const {
  return clone_.live() && !clone_.resync_due(now_ms());
}

bool BridgeLoop::post(Task task) {
  {
    std::lock_guard lock(tasks_mu_);
    if (tasks_.size() >= options_.max_queued_tasks) return false;
    tasks_.push_back(std::move(task));
  }
  wake();
  return true;
}

void BridgeLoop::wake() {
  uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
}

void BridgeLoop::run_tasks() {
  uint64_t drained;
  [[maybe_unused]] auto n = ::read(wake_fd_, &drained, sizeof drained);
  std::vector<Task> tasks;
  {
    std::lock_guard lock(tasks_mu_);
    tasks.swap(tasks_);
  }
  for (auto& task : tasks) task(*this);
}

std::string BridgeLoop::new_job_id() {
  return id_prefix_ + std::to_string(++job_counter_);
}

void BridgeLoop::call_broker(uint64_t request_id, ReplyFn fn) {
  if (request_id == 0) {
    auto info = error_info(fb::ErrorCode::timeout, "the broker's request queue is full");
    fn(info);
    return;
  }
  calls_.emplace(request_id, PendingCall{std::move(fn), now_ms() + options_.broker_timeout_ms});
}

void BridgeLoop::call_broker_waiting(uint64_t request_id, ReplyFn fn, uint64_t wait_ms) {
  if (request_id == 0) {
    auto info = error_info(fb::ErrorCode::timeout, "the broker's request queue is full");
    fn(info);
    return;
  }
  calls_.insert_or_assign(request_id, PendingCall{std::move(fn), now_ms() + wait_ms, true});
}

void BridgeLoop::submit(SubmitRequest request, ReplyFn done) {
  if (request.job_id.empty()) request.job_id = new_job_id();
  ledger_.add(request, batch_);
  submits_.push_back(PendingSubmit{std::move(request), std::move(done)});
}

void BridgeLoop::run(const std::atomic<bool>& stop) {
  std::vector<zmq::pollitem_t> items;
  while (!stop.load()) {
    items.clear();
    items.push_back({nullptr, wake_fd_, ZMQ_POLLIN, 0});
    items.push_back({sub_.handle(), 0, ZMQ_POLLIN, 0});
    items.push_back({broker_.socket().handle(), 0, ZMQ_POLLIN, 0});
    if (snapshot_) items.push_back({snapshot_->handle(), 0, ZMQ_POLLIN, 0});
    nodes_.append_poll_items(items);
    if (redis_.batches_in_flight() > 0) items.push_back({nullptr, redis_.fd(), ZMQ_POLLIN, 0});
    try {
      zmq::poll(items.data(), items.size(), std::chrono::milliseconds(50));
    } catch (const zmq::error_t& e) {
      if (e.num() != EINTR) throw;
    }
    redis_.collect();  // answers to earlier turns: confirms their submits, measures the lag
    uint64_t now = now_ms();
    run_tasks();
    drain_snapshot(now);
    drain_events(now);
    drain_replies();
    nodes_.on_poll(now);
    timers(now);
    flush(now);
  }
  // Stopping: the last turns' writes (ledger entries removed, the mirror) land before the
  // connection closes (a close with unread replies resets it); a turn held back by the limit too.
  redis_.await_sent();
  flush(now_ms());
  redis_.await_sent();
}

bool BridgeLoop::read_redis_for_request(const RedisBatch& batch, RedisConnection::ReadFn done) {
  if (request_reads_ >= options_.max_request_reads) return false;
  ++request_reads_;
  read_redis(batch,
             [this, done = std::move(done)](RedisStatus status, std::vector<RedisReply>& replies) {
               --request_reads_;
               done(status, replies);
             });
  return true;
}

void BridgeLoop::read_redis(const RedisBatch& batch, RedisConnection::ReadFn done) {
  std::vector<RedisReply> none;
  if (!redis_.up()) {
    done(RedisStatus::down, none);
    return;
  }
  // read() leaves `done` with us when it cannot send.
  const RedisStatus sent = redis_.read(batch, std::move(done));
  if (sent != RedisStatus::ok) done(sent, none);
}

void BridgeLoop::drain_events(uint64_t now) {
  for (std::size_t i = 0; i < options_.max_events_per_turn; ++i) {
    zmq::message_t topic;
    if (!sub_.recv(topic, zmq::recv_flags::dontwait)) return;
    zmq::message_t frame;
    if (!topic.more() || !sub_.recv(frame, zmq::recv_flags::dontwait) || frame.more()) {
      ++probe_.bad_frames;
      while (frame.more() && sub_.recv(frame, zmq::recv_flags::dontwait)) {
      }
      continue;
    }
    ++probe_.events_received;
    if (clone_.state() != CloneSync::State::live) {
      if (buffered_.size() >= options_.max_buffered_events) {
        buffer_overflowed_ = true;
        buffered_.clear();
      }
      buffered_.push_back(std::move(frame));
      continue;
    }
    handle_event(frame, now);
  }
}

void BridgeLoop::handle_event(zmq::message_t& frame, uint64_t now) {
  auto decoded = decode_event(frame.data(), frame.size(), options_.max_frame_bytes);
  if (!decoded.ok()) {
    ++probe_.bad_frames;
    return;
  }
  const fb::Event& event = *decoded.msg;
  const bool hugz = event.body_type() == fb::EventBody::Hugz;
  switch (clone_.on_event(event.epoch(), event.seq(), hugz, now_ms())) {
    case CloneSync::Verdict::apply:
      if (oldest_event_ms_ == 0) oldest_event_ms_ = event.time_ms();
      newest_event_ms_ = std::max(newest_event_ms_, event.time_ms());
      ++turn_events_;
      if (blobs_ != nullptr && event.body_type() == fb::EventBody::JobEvent) {
        keep_output(*event.body_as_JobEvent()->job());
      }
      mirror_.apply(event);
      ++probe_.events_applied;
      probe_.seq = event.seq();
      return;
    case CloneSync::Verdict::drop:
      if (!hugz) ++probe_.events_dropped;
      return;
    case CloneSync::Verdict::buffer:
      return;  // not reached: the caller buffers while not live
    case CloneSync::Verdict::resync:
      spdlog::info("bridge: event epoch {} seq {} after {}/{}: resync", event.epoch(), event.seq(),
                   clone_.epoch(), clone_.seq());
      ++probe_.gaps;
      request_snapshot(now);
      return;
  }
}

void BridgeLoop::keep_output(const fb::JobRecord& r) {
  const bool finished = r.state() == fb::JobState::completed || r.state() == fb::JobState::failed ||
                        r.state() == fb::JobState::cancelled;
  // A full record names the operation; a lean one (assigned, completed, requeued) does not.
  bool decrypt = view(r.operation()) == "decrypt";
  if (!finished) {
    if (decrypt) decrypt_jobs_.emplace(view(r.job_id()));
    return;
  }
  if (!decrypt_jobs_.empty() && decrypt_jobs_.erase(std::string(view(r.job_id()))) > 0) {
    decrypt = true;
  }
  if (r.state() != fb::JobState::completed) return;
  if (decrypt) {
    ++probe_.blob_outputs_withheld;  // blinded shares: never stored
    return;
  }
  const std::string_view output = view(r.output());
  blobs_->put(cid_v1_raw(output), output);
}

void BridgeLoop::request_snapshot(uint64_t now) {
  // A new socket each time: a request queued to a dead broker must not be answered twice later.
  snapshot_.emplace(context_, zmq::socket_type::dealer);
  snapshot_->set(zmq::sockopt::linger, 0);
  snapshot_->connect(options_.snapshot);
  builder_.Clear();
  fb::FinishSnapshotRequestBuffer(
      builder_, fb::CreateSnapshotRequest(builder_, kProtocolVersion, ++snapshot_request_id_));
  zmq::message_t frame = take_frame(builder_);
  (void)snapshot_->send(frame, zmq::send_flags::dontwait);
  clone_.snapshot_requested(now);
  snapshot_started_ = false;
  keys_read_ = KeysRead::wanted;  // sent by flush(), behind this turn's writes
  buffered_.clear();
  buffer_overflowed_ = false;
  ++probe_.resyncs;
  probe_.broker_live = false;
}

void BridgeLoop::drain_snapshot(uint64_t now) {
  while (snapshot_) {
    // Until the active keys are known, and while Redis has all the turns it may have, the batches
    // wait in the socket: the loop goes on with events and requests meanwhile.
    if (!snapshot_started_ && keys_read_ != KeysRead::ready) return;
    if (turns_at_limit()) return;
    zmq::message_t frame;
    if (!snapshot_->recv(frame, zmq::recv_flags::dontwait)) return;
    auto decoded = decode_snapshot_batch(frame.data(), frame.size(),
                                         snapshot_batch_limit(options_.max_frame_bytes));
    if (!decoded.ok()) {
      // Part of the state is in a batch we cannot read: finishing this snapshot would leave the
      // mirror incomplete and call it live. Dropped; CloneSync asks again after its timeout.
      ++probe_.bad_frames;
      ++probe_.snapshots_abandoned;
      spdlog::warn(
          "bridge: unreadable snapshot batch ({} bytes: {}); snapshot dropped, asked "
          "again in {} ms",
          frame.size(), decoded.reason, options_.clone.snapshot_timeout_ms);
      snapshot_.reset();
      return;
    }
    if (decoded.msg->request_id() != snapshot_request_id_) {
      ++probe_.bad_frames;  // not ours (each request has its own socket: should not happen)
      continue;
    }
    const fb::SnapshotBatch& b = *decoded.msg;
    if (!snapshot_started_) {
      snapshot_started_ = true;
      ledger_.begin_snapshot();
      decrypt_jobs_.clear();  // the snapshot names every job the broker holds, with its operation
      keys_read_ = KeysRead::idle;
      mirror_.begin_resync(active_query_.keys(), batch_, confirmed_event_ms_);
    }
    if (const auto* jobs = b.jobs()) {
      for (const auto* job : *jobs) {
        mirror_.snapshot_job(*job);
        ledger_.seen(view(job->job_id()));
        if (blobs_ != nullptr) keep_output(*job);
      }
    }
    if (const auto* nodes = b.nodes()) {
      for (const auto* node : *nodes) mirror_.snapshot_node(*node);
    }
    if (b.stats() != nullptr) probe_.set_broker_stats(BrokerStatsInfo::from(*b.stats()));
    // Each batch goes to Redis as it comes, so a big snapshot never sits whole in one pipeline.
    flush(now);
    if (b.last()) {
      // The clock now, not the turn's start: applying a big snapshot takes a while, and the
      // silence timer must start when the state is live, not before.
      bool new_epoch = clone_.snapshot_done(b.epoch(), b.seq(), now_ms());
      if (new_epoch) spdlog::info("bridge: broker epoch {} (seq {})", b.epoch(), b.seq());
      probe_.epoch = b.epoch();
      probe_.seq = b.seq();
      snapshot_.reset();
      after_snapshot(now);
      return;
    }
  }
}

void BridgeLoop::read_active_keys() {
  if (!redis_.up()) {
    active_query_.keys().clear();  // nothing to clear that we could reach: next resync
    keys_read_ = KeysRead::ready;
    return;
  }
  keys_read_ = KeysRead::reading;
  read_redis(active_query_.start(),
             [this, id = snapshot_request_id_](RedisStatus status, std::vector<RedisReply>& r) {
               on_active_keys(id, status, r);
             });
}

void BridgeLoop::on_active_keys(uint64_t request_id, RedisStatus status,
                                std::vector<RedisReply>& replies) {
  if (request_id != snapshot_request_id_ || keys_read_ != KeysRead::reading) return;  // stale
  if (auto next = active_query_.on_reply(status, replies)) {
    read_redis(*next, [this, request_id](RedisStatus s, std::vector<RedisReply>& r) {
      on_active_keys(request_id, s, r);
    });
    return;
  }
  keys_read_ = KeysRead::ready;
}

void BridgeLoop::after_snapshot(uint64_t now) {
  // Events that arrived while the snapshot was on its way, in order; those it already holds drop.
  std::deque<zmq::message_t> queued;
  queued.swap(buffered_);
  const bool overflowed = buffer_overflowed_;
  for (auto& frame : queued) {
    if (!clone_.live()) break;  // one of them demanded a resync
    handle_event(frame, now);
  }
  if (overflowed && clone_.live()) {
    clone_.invalidate();  // events were dropped while buffering: the copy cannot be trusted
    return;
  }
  probe_.broker_live = clone_.live();
  if (!redis_.up() || ledger_.size() == 0) return;
  resubmit_missing(ledger_.missing());
}

void BridgeLoop::resubmit_missing(std::vector<std::string> missing) {
  // In reads of a few hundred ids, each answered in a later turn (the snapshot's writes are ahead
  // of it on the connection, so a job the snapshot called finished reads as finished).
  constexpr std::size_t kChunk = 500;
  for (std::size_t start = 0; start < missing.size(); start += kChunk) {
    const std::size_t end = std::min(missing.size(), start + kChunk);
    std::vector<std::string> ids(std::make_move_iterator(missing.begin() + start),
                                 std::make_move_iterator(missing.begin() + end));
    RedisBatch reads = SubmissionLedger::pending_read(ids);
    read_redis(reads, [this, ids = std::move(ids)](RedisStatus status,
                                                   std::vector<RedisReply>& replies) {
      std::vector<SubmitRequest> submits = ledger_.pending_submits(ids, status, replies, batch_);
      if (submits.empty()) return;
      spdlog::info("bridge: re-submitting {} job(s) the broker does not hold", submits.size());
      for (auto& request : submits) {
        std::string job_id = request.job_id;
        send_submit(request, [job_id](ClientReplyInfo& reply) {
          if (reply.kind == ClientReplyInfo::Kind::error &&
              reply.error.code != fb::ErrorCode::timeout) {
            // The broker refuses it for good (e.g. an operation it no longer offers).
            spdlog::warn("bridge: re-submit of {} refused: {}", job_id, reply.error.message);
          }
        });
        ++probe_.resubmitted;
      }
    });
  }
}

void BridgeLoop::drain_replies() {
  while (auto reply = broker_.poll(0)) {
    auto it = calls_.find(reply->request_id);
    if (it == calls_.end()) continue;  // a late reply to a call that timed out
    ReplyFn fn = std::move(it->second.fn);
    calls_.erase(it);
    fn(*reply);
  }
}

void BridgeLoop::redis_came_back() {
  // A failed load (Redis gone again) is retried on the next reconnect. The answer comes before
  // the resync's active-keys read (same connection), so before the snapshot is applied.
  read_redis(
      SubmissionLedger::load_read(), [this](RedisStatus status, std::vector<RedisReply>& replies) {
        if (!ledger_.load(status, replies, batch_)) {
          spdlog::warn("bridge: reading the ledger from Redis failed; retried when Redis is back");
        }
        probe_.ledger_size = ledger_.size();
      });
  clone_.invalidate();  // the mirror is rewritten whole from a fresh snapshot
}

void BridgeLoop::schedule_periodic_tasks() {
  // An idle bridge writes nothing, so a Redis that restarted would go unnoticed (and /healthz
  // stay green, and the ledger not be written back) until the next event: ask once a second.
  periodic_.add("redis-ping", 1000, [this](uint64_t) { ping_redis(); });
  periodic_.add("broker-call-expiry", 100, [this](uint64_t now) {
    expire_calls(now);
    nodes_.tick(now);
    probe_.http_nodes = nodes_.size();
  });
  periodic_.add("submit-resend", 1000, [this](uint64_t) { resend_unconfirmed(); });
  periodic_.add("broker-stats", 1000, [this](uint64_t) {
    if (!clone_.live()) return;
    call_broker(broker_.send_stats(), [this](ClientReplyInfo& reply) {
      if (reply.kind == ClientReplyInfo::Kind::stats) probe_.set_broker_stats(reply.stats);
    });
  });
  periodic_.add("node-ttl-refresh", 60'000,
                [this](uint64_t now) { mirror_.refresh_nodes(batch_, now); });
}

void BridgeLoop::ping_redis() {
  // Not waited for: a Redis that stays silent is dropped by the connection's command timeout.
  if (!redis_.up() || ping_in_flight_) return;
  ping_in_flight_ = true;
  RedisBatch ping;
  ping.add({"PING"});
  read_redis(ping, [this](RedisStatus status, std::vector<RedisReply>&) {
    ping_in_flight_ = false;
    if (status == RedisStatus::down) {
      spdlog::warn("bridge: Redis at {} unavailable: {}", options_.redis.endpoint.url(),
                   redis_.error());
    }
  });
}

void BridgeLoop::expire_calls(uint64_t now) {
  // Taken out first, called after: a callback may register new calls (calls_ may rehash).
  std::vector<PendingCall> expired;
  for (auto it = calls_.begin(); it != calls_.end();) {
    if (now < it->second.deadline_ms) {
      ++it;
      continue;
    }
    expired.push_back(std::move(it->second));
    it = calls_.erase(it);
  }
  for (auto& call : expired) {
    if (!call.waiting) ++probe_.broker_timeouts;
    auto info = error_info(fb::ErrorCode::timeout,
                           call.waiting ? std::string("the job did not finish within the wait")
                                        : "the broker did not answer within " +
                                              std::to_string(options_.broker_timeout_ms) + " ms");
    call.fn(info);
  }
}

void BridgeLoop::timers(uint64_t now) {
  now = now_ms();  // the turn may have run long; silence is judged against the clock
  // Every turn: the Redis connection and the broker's liveness.
  if (!redis_.up()) redis_.ensure_up();
  if (redis_.connects() != seen_connects_) {
    // A new connection: what was written while down is lost, so the mirror is rewritten and the
    // ledger reloaded.
    seen_connects_ = redis_.connects();
    spdlog::info("bridge: Redis at {} is back", options_.redis.endpoint.url());
    redis_came_back();
  }
  probe_.redis_up = redis_.up();
  if (clone_.resync_due(now)) {
    if (clone_.live()) {
      ++probe_.gaps;  // silence while live
      spdlog::info("bridge: broker silent; resync");
    }
    request_snapshot(now);
  }
  probe_.broker_live = broker_live();
  periodic_.run_due(now);
}

void BridgeLoop::flush(uint64_t now) {
  // Redis still works on earlier turns: this one keeps growing (the mirror coalesces per job)
  // and goes when one of them is answered; the loop does not wait.
  if (turns_at_limit()) return;
  send_turn(now);
  // The resync's first read goes behind everything written before it (it must see those keys).
  if (keys_read_ == KeysRead::wanted) read_active_keys();
}

void BridgeLoop::send_turn(uint64_t now) {
  if (mirror_.dirty()) {
    finished_.clear();
    mirror_.flush(batch_, now, &finished_);
    probe_.mirror_job_writes = mirror_.counters().jobs_written;
    for (const auto& id : finished_) ledger_.remove(id, batch_);
  }
  for (auto& [node, command] : nodes_.take_commands()) {
    batch_.add({"PUBLISH", keys::node_commands(node), command});
  }
  if (redis_.up()) mirror_.trim(batch_, now);
  if (batch_.empty() && submits_.empty()) return;
  const uint64_t oldest = oldest_event_ms_;
  const uint64_t newest = newest_event_ms_;
  const uint64_t events = turn_events_;
  oldest_event_ms_ = newest_event_ms_ = 0;
  turn_events_ = 0;
  probe_.ledger_size = ledger_.size();
  // Runs (from collect() or await_sent()) once Redis has answered the turn; or right here when
  // there is nothing to send or send() returns down without taking it.
  std::function<void(RedisStatus)> done =
      [this, oldest, newest, events, submits = std::move(submits_)](RedisStatus status) mutable {
        --mirror_turns_in_flight_;
        if (status == RedisStatus::ok) confirmed_event_ms_ = std::max(confirmed_event_ms_, newest);
        end_turn(status, oldest, events, submits);
      };
  submits_.clear();
  ++mirror_turns_in_flight_;
  if (batch_.empty()) {
    done(redis_.up() ? RedisStatus::ok : RedisStatus::down);
  } else {
    probe_.redis_commands += batch_.size();
    if (redis_.send(batch_, std::move(done)) != RedisStatus::ok) done(RedisStatus::down);
    batch_.clear();
    // 0 turns in flight: each turn waits for its replies (a bench and debugging setting).
    if (options_.max_redis_turns_in_flight == 0) redis_.await_sent();
  }
}

void BridgeLoop::end_turn(RedisStatus status, uint64_t oldest_event_ms, uint64_t events,
                          std::vector<PendingSubmit>& submits) {
  if (status == RedisStatus::error) {
    // Connected, but Redis refused a command of the turn (e.g. out of memory): the mirror may miss
    // a write; a submit's ledger entry may not be there, so the submit is refused, not accepted.
    ++probe_.redis_failures;
    // Logged once a second: a full Redis refuses every turn.
    if (const uint64_t now = now_ms(); now >= next_refusal_log_ms_) {
      next_refusal_log_ms_ = now + 1000;
      spdlog::warn("bridge: Redis refused a command: {}", redis_.last_error_reply());
    }
  } else if (status == RedisStatus::ok) {
    if (oldest_event_ms != 0) {
      const uint64_t now = now_ms();
      // Every event of the turn counts, at the lag of the turn's oldest (an upper bound for each).
      probe_.mirror_lag.observe(now > oldest_event_ms ? now - oldest_event_ms : 0, events);
    }
  } else {
    ++probe_.redis_failures;
    if (probe_.redis_up.exchange(false)) {
      spdlog::warn("bridge: Redis at {} unavailable: {}", options_.redis.endpoint.url(),
                   redis_.error());
    }
  }
  for (auto& s : submits) {
    if (status != RedisStatus::ok) {
      ledger_.forget(s.request.job_id);
      auto info = error_info(fb::ErrorCode::internal, "redis_unavailable");
      s.done(info);
      continue;
    }
    send_submit(s.request, std::move(s.done));
  }
}

void BridgeLoop::send_submit(const SubmitRequest& request, ReplyFn done) {
  // The broker refusing the job (or already having finished it) ends its ledger entry; no answer
  // leaves it unconfirmed, to be sent again until the broker answers (a lost request must not
  // strand a job the client was told is accepted).
  call_broker(broker_.send_submit(request), [this, job_id = request.job_id,
                                             done = std::move(done)](ClientReplyInfo& r) {
    const bool timed_out =
        r.kind == ClientReplyInfo::Kind::error && r.error.code == fb::ErrorCode::timeout;
    if (timed_out) {
      unconfirmed_.insert(job_id);
    } else {
      unconfirmed_.erase(job_id);
      const bool refused = r.kind == ClientReplyInfo::Kind::error;
      if (refused || (r.kind == ClientReplyInfo::Kind::submit_ack && r.job.finished())) {
        ledger_.remove(job_id, batch_);
      }
    }
    if (done) done(r);
  });
}

void BridgeLoop::resend_unconfirmed() {
  if (unconfirmed_.empty() || !broker_live()) return;
  std::vector<std::string> ids(unconfirmed_.begin(), unconfirmed_.end());
  unconfirmed_.clear();  // each goes back in if it times out again
  for (const auto& id : ids) {
    if (auto request = ledger_.request(id)) {
      ++probe_.resubmitted;
      send_submit(*request, nullptr);
    }
  }
}

}  // namespace litc::bridge
