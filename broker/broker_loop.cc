// BrokerLoop: sockets, frame checks and encoding around the Scheduler (see broker_loop.h).
#include "broker/broker_loop.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <vector>

#include "broker/records.h"
#include "crypto/ethereum/address.h"
#include "protocol/codec.h"

namespace litc::broker {
namespace {

std::string_view sv(const zmq::message_t& m) {
  return std::string_view(static_cast<const char*>(m.data()), m.size());
}

std::string bind_socket(zmq::socket_t& s, const std::string& endpoint) {
  s.bind(endpoint);
  return s.get(zmq::sockopt::last_endpoint);
}

}  // namespace

void BrokerLoop::BadFrameLog::note(std::string_view socket, fb::ErrorCode code, const char* reason,
                                   const zmq::message_t& payload, uint64_t now_ms) {
  if (now_ms / 1000 != window_) {
    window_ = now_ms / 1000;
    logged_ = 0;
  }
  auto level = ++logged_ <= 5 ? spdlog::level::warn : spdlog::level::debug;
  spdlog::log(level, "{}: {} ({}): {}", socket, error_name(code), reason,
              dump_prefix(payload.data(), payload.size()));
}

void SystemClock::refresh() {
  using namespace std::chrono;
  now_ms_ = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

BrokerLoop::BrokerLoop(BrokerOptions options, zmq::context_t& context)
    : options_(std::move(options)),
      clients_(context, zmq::socket_type::router),
      workers_(context, zmq::socket_type::router),
      events_(context, zmq::socket_type::xpub),
      snapshot_(context, zmq::socket_type::router),
      scheduler_(options_.scheduler, clock_, *this, base36(clock_.now_ms())),
      publisher_(events_, scheduler_, probe_, clock_) {
  probe_.epoch = clock_.now_ms();
  // A frame over the hard limit makes libzmq drop the connection, so keep that limit well above
  // --max-frame-bytes: frames in between are read and answered with frame_too_large.
  int64_t hard_limit = static_cast<int64_t>(options_.max_frame_bytes) * 4 + 4096;
  for (zmq::socket_t* s : {&clients_, &workers_, &snapshot_}) {
    s->set(zmq::sockopt::linger, 200);
    s->set(zmq::sockopt::sndhwm, options_.send_hwm);
    s->set(zmq::sockopt::rcvhwm, options_.send_hwm);
    s->set(zmq::sockopt::maxmsgsize, hard_limit);
  }
  events_.set(zmq::sockopt::linger, 200);
  events_.set(zmq::sockopt::sndhwm, options_.events_hwm);
  events_.set(zmq::sockopt::xpub_verboser, 1);
  endpoints_.clients = bind_socket(clients_, options_.clients);
  endpoints_.workers = bind_socket(workers_, options_.workers);
  endpoints_.events = bind_socket(events_, options_.events);
  endpoints_.snapshot = bind_socket(snapshot_, options_.snapshot);
}

int BrokerLoop::recv_routed(zmq::socket_t& s, zmq::message_t& rid, zmq::message_t& payload) {
  if (!s.recv(rid, zmq::recv_flags::dontwait)) return -1;
  int frames = 0;
  bool more = rid.more();
  zmq::message_t extra;
  while (more) {
    zmq::message_t& into = frames == 0 ? payload : extra;
    (void)s.recv(into, zmq::recv_flags::none);  // the rest of a multipart is already here
    more = into.more();
    ++frames;
  }
  if (frames == 0) payload.rebuild(0);
  return frames;
}

void BrokerLoop::run(const std::atomic<bool>& stop) {
  // Every ZeroMQ socket in a zmq_poll costs libzmq a getpid() and a poll() of its mailbox per
  // pass, even when idle; on this VM those syscalls showed as latency. The rare talkers (snapshot
  // requests, subscriptions) are watched through their ZMQ_FD as plain fds, which cost nothing
  // extra. ZMQ_FD is edge-triggered (a send on the socket may consume its signal), so they are
  // also read on every tick: at most 10 ms late, usually at once.
  const int snapshot_fd = snapshot_.get(zmq::sockopt::fd);
  const int events_fd = events_.get(zmq::sockopt::fd);
  zmq::pollitem_t items[] = {{clients_.handle(), 0, ZMQ_POLLIN, 0},
                             {workers_.handle(), 0, ZMQ_POLLIN, 0},
                             {nullptr, snapshot_fd, ZMQ_POLLIN, 0},
                             {nullptr, events_fd, ZMQ_POLLIN, 0}};
  const uint64_t heartbeat_ms = options_.scheduler.heartbeat_interval_ms;
  uint64_t next_tick = 0, next_heartbeat = clock_.now_ms() + heartbeat_ms;
  zmq::message_t rid, payload;
  // Bounded batches per socket per turn, so neither side can starve the other or the timers.
  constexpr int kBatch = 256;
  while (!stop.load(std::memory_order_relaxed)) {
    try {
      zmq::poll(items, 4, std::chrono::milliseconds(10));
    } catch (const zmq::error_t& e) {
      if (e.num() != EINTR) throw;
      continue;  // a signal: re-check `stop`
    }
    clock_.refresh();
    const bool tick = clock_.now_ms() >= next_tick;
    // Subscriptions first, so a new subscriber's first events are not skipped as unseen — and
    // before any snapshot: a Clone consumer subscribed before asking, and events after the
    // snapshot's seq must reach it even if the XPUB's fd signal was consumed by a send.
    if ((items[3].revents & ZMQ_POLLIN) || (items[2].revents & ZMQ_POLLIN) || tick) {
      publisher_.read_subscriptions();
    }
    // Only sockets poll called readable: a recv that finds nothing costs the same syscalls.
    for (int i = 0; (items[1].revents & ZMQ_POLLIN) && i < kBatch; ++i) {
      int n = recv_routed(workers_, rid, payload);
      if (n < 0) break;
      clock_.refresh();
      on_worker(rid, payload, n);
    }
    for (int i = 0; (items[0].revents & ZMQ_POLLIN) && i < kBatch; ++i) {
      int n = recv_routed(clients_, rid, payload);
      if (n < 0) break;
      clock_.refresh();
      on_client(rid, payload, n);
    }
    for (int i = 0; ((items[2].revents & ZMQ_POLLIN) || tick) && i < 8; ++i) {
      int n = recv_routed(snapshot_, rid, payload);
      if (n < 0) break;
      clock_.refresh();
      on_snapshot(rid, payload, n);
    }
    clock_.refresh();
    uint64_t now = clock_.now_ms();
    if (now >= next_tick) {
      scheduler_.tick();
      publisher_.hugz_if_idle(1000);
      next_tick = now + 10;
    }
    if (now >= next_heartbeat) {
      heartbeat_workers();
      next_heartbeat = now + heartbeat_ms;
    }
  }
}

// ---------------------------------------------------------------- clients

void BrokerLoop::send_client(std::string_view rid) {
  clients_.send(zmq::buffer(rid), zmq::send_flags::sndmore);
  clients_.send(take_frame(client_builder_), zmq::send_flags::none);
}

void BrokerLoop::reply_error(std::string_view rid, uint64_t request_id, fb::ErrorCode code,
                             std::string_view message, std::string_view job_id) {
  auto& b = client_builder_;
  auto body = fb::CreateError(b, code, b.CreateString(message),
                              job_id.empty() ? 0 : b.CreateString(job_id));
  fb::FinishClientReplyBuffer(b, fb::CreateClientReply(b, kProtocolVersion, request_id,
                                                       fb::ClientReplyBody::Error, body.Union()));
  send_client(rid);
}

void BrokerLoop::reply_job(std::string_view rid, uint64_t request_id, const Job& job, bool final) {
  auto& b = client_builder_;
  auto body = fb::CreateJobReply(b, build_job_record(b, scheduler_, job), final);
  fb::FinishClientReplyBuffer(
      b, fb::CreateClientReply(b, kProtocolVersion, request_id, fb::ClientReplyBody::JobReply,
                               body.Union()));
  send_client(rid);
}

void BrokerLoop::on_client(const zmq::message_t& rid_msg, const zmq::message_t& payload,
                           int frames) {
  std::string_view rid = sv(rid_msg);
  if (frames != 1) {
    probe_.count_bad_frame(fb::ErrorCode::malformed_frame);
    bad_frames_.note("clients", fb::ErrorCode::malformed_frame, "wrong frame count", payload,
                     clock_.now_ms());
    reply_error(
        rid, 0, fb::ErrorCode::malformed_frame,
        "a request is exactly one frame (after the routing id); got " + std::to_string(frames));
    return;
  }
  auto d = decode_client_request(payload.data(), payload.size(), options_.max_frame_bytes);
  if (!d.ok()) {
    probe_.count_bad_frame(d.error);
    bad_frames_.note("clients", d.error, d.reason, payload, clock_.now_ms());
    reply_error(rid, 0, d.error, d.reason);
    return;
  }
  const fb::ClientRequest& req = *d.msg;
  uint64_t id = req.request_id();
  auto& b = client_builder_;
  switch (req.body_type()) {
    case fb::ClientRequestBody::Submit: {
      const fb::Submit* s = req.body_as_Submit();
      SubmitArgs args;
      args.job_id = view(s->job_id());
      args.operation = view(s->operation());
      args.input = view(s->input());
      args.priority = s->priority();
      args.max_attempts = s->max_attempts();
      args.ttl_ms = s->ttl_ms();
      args.timeout_ms = s->timeout_ms();
      args.verified = s->verified();
      Waiter waiter{std::string(rid), id};
      Outcome o = scheduler_.submit(args, s->wait() ? &waiter : nullptr);
      if (!o.ok()) {
        reply_error(rid, id, o.error, o.message, args.job_id);
        return;
      }
      const Job& job = scheduler_.job(o.slot);
      // A waiting client that opted out of the ack gets one reply per job, as in a bare
      // request/reply hop: the ack was a third message per job and a third JobRecord to build.
      if (!(s->wait() && s->no_ack())) {
        auto body = fb::CreateSubmitAck(b, build_job_record(b, scheduler_, job), o.duplicate);
        fb::FinishClientReplyBuffer(
            b, fb::CreateClientReply(b, kProtocolVersion, id, fb::ClientReplyBody::SubmitAck,
                                     body.Union()));
        send_client(rid);
      }
      // A waiter on an already finished job is answered now (the scheduler only answers waiters
      // at the moment a job ends).
      if (s->wait() && job.finished()) reply_job(rid, id, job, true);
      return;
    }
    case fb::ClientRequestBody::Cancel: {
      Outcome o = scheduler_.cancel(view(req.body_as_Cancel()->job_id()));
      if (!o.ok()) return reply_error(rid, id, o.error, o.message);
      return reply_job(rid, id, scheduler_.job(o.slot), true);
    }
    case fb::ClientRequestBody::StatusQuery: {
      JobSlot slot = scheduler_.find(view(req.body_as_StatusQuery()->job_id()));
      if (slot == kNoJob)
        return reply_error(rid, id, fb::ErrorCode::not_found, "no job with that id");
      const Job& job = scheduler_.job(slot);
      return reply_job(rid, id, job, job.finished());
    }
    case fb::ClientRequestBody::StatsQuery: {
      auto body = fb::CreateStatsReply(b, build_stats(b, scheduler_, probe_));
      fb::FinishClientReplyBuffer(
          b, fb::CreateClientReply(b, kProtocolVersion, id, fb::ClientReplyBody::StatsReply,
                                   body.Union()));
      return send_client(rid);
    }
    case fb::ClientRequestBody::DeadLetterQuery: {
      std::vector<flatbuffers::Offset<fb::JobRecord>> records;
      for (JobSlot slot : scheduler_.dead_letters(req.body_as_DeadLetterQuery()->limit())) {
        records.push_back(build_job_record(b, scheduler_, scheduler_.job(slot)));
      }
      auto body = fb::CreateJobList(b, b.CreateVector(records));
      fb::FinishClientReplyBuffer(
          b, fb::CreateClientReply(b, kProtocolVersion, id, fb::ClientReplyBody::JobList,
                                   body.Union()));
      return send_client(rid);
    }
    case fb::ClientRequestBody::Replay: {
      const fb::Replay* r = req.body_as_Replay();
      Waiter waiter{std::string(rid), id};
      Outcome o = scheduler_.replay(view(r->job_id()), r->wait() ? &waiter : nullptr);
      if (!o.ok()) return reply_error(rid, id, o.error, o.message);
      return reply_job(rid, id, scheduler_.job(o.slot), false);
    }
    default:
      probe_.count_bad_frame(fb::ErrorCode::unexpected_message);
      return reply_error(rid, id, fb::ErrorCode::unexpected_message,
                         "request has no body or a body type this broker does not know");
  }
}

// ---------------------------------------------------------------- workers

void BrokerLoop::send_worker(std::string_view rid) {
  workers_.send(zmq::buffer(rid), zmq::send_flags::sndmore);
  workers_.send(take_frame(worker_builder_), zmq::send_flags::none);
}

void BrokerLoop::worker_error(std::string_view rid, fb::ErrorCode code, std::string_view message) {
  auto& b = worker_builder_;
  auto body = fb::CreateWorkerError(b, code, b.CreateString(message));
  fb::FinishBrokerMessageBuffer(
      b, fb::CreateBrokerMessage(b, kProtocolVersion, fb::BrokerMessageBody::WorkerError,
                                 body.Union()));
  send_worker(rid);
}

void BrokerLoop::worker_disconnect(std::string_view rid, std::string_view reason) {
  auto& b = worker_builder_;
  auto body = fb::CreateDisconnect(b, b.CreateString(reason));
  fb::FinishBrokerMessageBuffer(
      b, fb::CreateBrokerMessage(b, kProtocolVersion, fb::BrokerMessageBody::Disconnect,
                                 body.Union()));
  send_worker(rid);
}

void BrokerLoop::on_worker(const zmq::message_t& rid_msg, const zmq::message_t& payload,
                           int frames) {
  std::string_view rid = sv(rid_msg);
  if (frames != 1) {
    probe_.count_bad_frame(fb::ErrorCode::malformed_frame);
    bad_frames_.note("workers", fb::ErrorCode::malformed_frame, "wrong frame count", payload,
                     clock_.now_ms());
    return worker_error(rid, fb::ErrorCode::malformed_frame,
                        "a worker message is exactly one frame after the routing id");
  }
  auto d = decode_worker_message(payload.data(), payload.size(), options_.max_frame_bytes);
  if (!d.ok()) {
    probe_.count_bad_frame(d.error);
    bad_frames_.note("workers", d.error, d.reason, payload, clock_.now_ms());
    return worker_error(rid, d.error, d.reason);
  }
  const fb::WorkerMessage& msg = *d.msg;
  if (msg.body_type() == fb::WorkerMessageBody::Register) {
    const fb::Register* r = msg.body_as_Register();
    RegisterArgs args;
    args.routing_id = rid;
    args.node_id = view(r->node_id());
    args.wallet_address = view(r->wallet_address());
    args.public_key = view(r->public_key());
    args.max_concurrent = r->capabilities()->max_concurrent_jobs();
    args.share_index = r->share_index();
    args.signs_results = r->signs_results();
    args.key_proof = view(r->key_proof());
    if (const auto* proof = r->share_proof()) {
      args.share_proof =
          std::string_view(reinterpret_cast<const char*>(proof->data()), proof->size());
    }
    if (const auto* ops = r->capabilities()->supported_operations()) {
      for (const auto* op : *ops) args.operations.push_back(view(op));
    }
    if (!args.wallet_address.empty()) {
      // Nodes are paid to it: a typo (or the seed's "0x123...") must not swallow their earnings.
      if (auto wallet = crypto::parse_address(args.wallet_address); !wallet.ok()) {
        spdlog::warn("workers: register of {} refused: wallet_address: {}", args.node_id,
                     wallet.error().message);
        return worker_error(rid, fb::ErrorCode::invalid_argument,
                            "wallet_address: " + wallet.error().message);
      }
    }
    Outcome o = scheduler_.register_worker(args);
    if (!o.ok()) {
      if (o.error == fb::ErrorCode::unexpected_message) ++probe_.unexpected_messages;
      spdlog::warn("workers: register of {} refused: {}", args.node_id, o.message);
      return worker_error(rid, o.error, o.message);
    }
    spdlog::info("worker {} registered ({} slots)", args.node_id, args.max_concurrent);
    auto& b = worker_builder_;
    auto fingerprint = options_.network_key_fingerprint.empty()
                           ? flatbuffers::Offset<flatbuffers::String>()
                           : b.CreateString(options_.network_key_fingerprint);
    auto body = fb::CreateRegisterAck(b, probe_.epoch, options_.scheduler.heartbeat_interval_ms,
                                      options_.scheduler.liveness, fingerprint);
    fb::FinishBrokerMessageBuffer(
        b, fb::CreateBrokerMessage(b, kProtocolVersion, fb::BrokerMessageBody::RegisterAck,
                                   body.Union()));
    return send_worker(rid);
  }
  if (!scheduler_.touch(rid)) {
    // Not registered (never, or expired and forgotten): its result can only be stale.
    if (msg.body_type() == fb::WorkerMessageBody::Result) {
      const fb::Result* r = msg.body_as_Result();
      scheduler_.result(rid, {view(r->job_id()), r->attempt(), r->ok(), {}, {}, {}, {}});
    }
    if (msg.body_type() == fb::WorkerMessageBody::Disconnect) return;
    spdlog::debug("workers: message from an unregistered peer; told to register");
    return worker_disconnect(rid, "not_registered: register before sending other messages");
  }
  switch (msg.body_type()) {
    case fb::WorkerMessageBody::Heartbeat:
      return;
    case fb::WorkerMessageBody::Credit:
      scheduler_.set_capacity(rid, msg.body_as_Credit()->capacity());
      return;
    case fb::WorkerMessageBody::Progress: {
      const fb::Progress* p = msg.body_as_Progress();
      scheduler_.progress(rid, view(p->job_id()), p->attempt());
      return;
    }
    case fb::WorkerMessageBody::Result: {
      const fb::Result* r = msg.body_as_Result();
      ResultArgs args{view(r->job_id()),   r->attempt(),    r->ok(),
                      view(r->output()),   r->error_code(), view(r->error_message()),
                      view(r->signature())};
      ResultVerdict v = scheduler_.result(rid, args);
      if (v == ResultVerdict::stale) {
        spdlog::debug("workers: stale result for {} attempt {} dropped", args.job_id, args.attempt);
      } else if (v == ResultVerdict::rejected) {
        spdlog::warn("workers: result for {} attempt {} rejected: its signature fails", args.job_id,
                     args.attempt);
        return worker_error(rid, fb::ErrorCode::invalid_signature,
                            "the result's signature does not check; the job goes to another node");
      }
      return;
    }
    case fb::WorkerMessageBody::Disconnect:
      spdlog::info("workers: a worker disconnected ({})", view(msg.body_as_Disconnect()->reason()));
      scheduler_.disconnect(rid);
      return;
    default:
      ++probe_.unexpected_messages;
      return worker_error(rid, fb::ErrorCode::unexpected_message,
                          "message has no body or a body type this broker does not know");
  }
}

void BrokerLoop::heartbeat_workers() {
  auto& b = worker_builder_;
  fb::FinishBrokerMessageBuffer(
      b, fb::CreateBrokerMessage(b, kProtocolVersion, fb::BrokerMessageBody::Heartbeat,
                                 fb::CreateHeartbeat(b).Union()));
  zmq::message_t beat = take_frame(b);
  for (WorkerSlot ws : scheduler_.workers().online_slots()) {
    zmq::message_t copy;
    copy.copy(beat);
    workers_.send(zmq::buffer(scheduler_.workers().at(ws).routing_id), zmq::send_flags::sndmore);
    workers_.send(copy, zmq::send_flags::none);
  }
}

// ---------------------------------------------------------------- snapshot

void BrokerLoop::on_snapshot(const zmq::message_t& rid_msg, const zmq::message_t& payload,
                             int frames) {
  std::string_view rid = sv(rid_msg);
  auto d = frames == 1
               ? decode_snapshot_request(payload.data(), payload.size(), options_.max_frame_bytes)
               : Decoded<fb::SnapshotRequest>{nullptr, fb::ErrorCode::malformed_frame,
                                              "wrong frame count"};
  if (!d.ok()) {
    // The snapshot socket has no error reply in its protocol: count, log, ignore.
    probe_.count_bad_frame(d.error);
    bad_frames_.note("snapshot", d.error, d.reason, payload, clock_.now_ms());
    return;
  }
  uint64_t request_id = d.msg->request_id();
  auto& b = snapshot_builder_;
  std::vector<flatbuffers::Offset<fb::JobRecord>> jobs;
  std::vector<flatbuffers::Offset<fb::NodeRecord>> nodes;
  auto flush = [&](bool last) {
    flatbuffers::Offset<fb::BrokerStats> stats = last ? build_stats(b, scheduler_, probe_) : 0;
    auto jv = b.CreateVector(jobs);
    auto nv = b.CreateVector(nodes);
    fb::FinishSnapshotBatchBuffer(
        b, fb::CreateSnapshotBatch(b, kProtocolVersion, request_id, probe_.epoch, probe_.seq, jv,
                                   nv, stats, last));
    snapshot_.send(zmq::buffer(rid), zmq::send_flags::sndmore);
    snapshot_.send(take_frame(b), zmq::send_flags::none);
    jobs.clear();
    nodes.clear();
  };
  // Bounded in records and in bytes: jobs with big outputs, or thousands of nodes, must not make
  // a frame the reader refuses (PROTOCOL.md).
  auto full = [&] {
    return jobs.size() + nodes.size() >= options_.snapshot_batch ||
           b.GetSize() >= options_.max_frame_bytes / 2;
  };
  scheduler_.jobs().for_each([&](const Job& job) {
    jobs.push_back(build_job_record(b, scheduler_, job));
    if (full()) flush(false);
  });
  for (WorkerSlot ws : scheduler_.workers().online_slots()) {
    nodes.push_back(build_node_record(b, scheduler_, scheduler_.workers().at(ws)));
    if (full()) flush(false);
  }
  flush(true);
}

// ---------------------------------------------------------------- scheduler output

void BrokerLoop::assign(const Worker& worker, const Job& job) {
  auto& b = worker_builder_;
  auto id = b.CreateString(job.id);
  auto op = b.CreateString(scheduler_.operation_name(job.op));
  auto input = bytes(b, job.input);
  auto body = fb::CreateAssign(b, id, op, input, job.attempt, job.timeout_ms, job.verified);
  fb::FinishBrokerMessageBuffer(
      b, fb::CreateBrokerMessage(b, kProtocolVersion, fb::BrokerMessageBody::Assign, body.Union()));
  send_worker(worker.routing_id);
}

void BrokerLoop::cancel_on_worker(const Worker& worker, const Job& job, uint32_t attempt) {
  auto& b = worker_builder_;
  auto body = fb::CreateCancelJob(b, b.CreateString(job.id), attempt);
  fb::FinishBrokerMessageBuffer(
      b,
      fb::CreateBrokerMessage(b, kProtocolVersion, fb::BrokerMessageBody::CancelJob, body.Union()));
  send_worker(worker.routing_id);
}

void BrokerLoop::disconnect_worker(const Worker& worker, std::string_view reason) {
  worker_disconnect(worker.routing_id, reason);
}

void BrokerLoop::job_event(fb::JobEventKind kind, const Job& job) {
  publisher_.job(kind, job);
}

void BrokerLoop::node_event(fb::NodeEventKind kind, const Worker& worker) {
  if (kind == fb::NodeEventKind::offline) spdlog::info("worker {} offline", worker.node_id);
  publisher_.node(kind, worker);
}

void BrokerLoop::reply_final(const Waiter& waiter, const Job& job) {
  reply_job(waiter.client, waiter.request_id, job, true);
}

}  // namespace litc::broker
