// WorkerNode: the socket loop of litc-worker (see the DESIGN paragraph in worker_node.h).
#include "worker/worker_node.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>

namespace litc {
namespace {

using std::chrono::milliseconds;

// Upper bound of one poll, so a StopRequest is noticed within this time.
constexpr milliseconds kMaxPollWait{100};
// How long the goodbye (Disconnect) may wait for a slow link when leaving; reconnects use 0 so a
// dead broker never delays the new socket.
constexpr milliseconds kGoodbyeLinger{1000};
// Bounds applied to the timing a RegisterAck asks for (the same as litc-worker's flags).
constexpr milliseconds kMinHeartbeat{10};
constexpr milliseconds kMaxHeartbeat{600'000};
constexpr std::uint32_t kMaxLiveness = 100;
// Frames handled per wake-up before timers and results get a turn.
constexpr int kMaxReadsPerWake = 256;

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ",") + n;
  return out;
}

milliseconds until(std::chrono::steady_clock::time_point deadline,
                   std::chrono::steady_clock::time_point now) {
  return std::chrono::ceil<milliseconds>(deadline - now);
}

}  // namespace

WorkerNode::WorkerNode(zmq::context_t& context, WorkerOptions options,
                       const OperationRegistry& operations)
    : context_(context),
      options_(std::move(options)),
      operation_names_(operations.names()),
      runner_(operations, std::max<std::uint32_t>(options_.max_concurrent, 1), options_.signer),
      heartbeat_interval_(options_.heartbeat_interval),
      liveness_(options_.liveness),
      reconnect_delay_(options_.reconnect_min) {
  if (options_.node_id.empty()) throw std::invalid_argument("node id must not be empty");
  if (options_.heartbeat_interval <= milliseconds(0) || options_.liveness == 0) {
    throw std::invalid_argument("heartbeat interval and liveness must be positive");
  }
  if (options_.reconnect_min <= milliseconds(0) ||
      options_.reconnect_max < options_.reconnect_min) {
    throw std::invalid_argument("need 0 < reconnect-min <= reconnect-max");
  }
}

WorkerNode::~WorkerNode() {
  close_socket(milliseconds(0));
}

bool WorkerNode::run(const StopRequest& stop) {
  spdlog::info("node {} connecting to broker {}: ops {}, capacity {}", options_.node_id,
               options_.broker_endpoint, join(operation_names_), options_.max_concurrent);
  open_socket();
  for (;;) {
    if (key_mismatch_) {
      if (socket_) send_disconnect("network key mismatch");
      close_socket(kGoodbyeLinger);
      return false;
    }
    if (stop.now.load()) {
      spdlog::warn("stopping at once; {} job(s) abandoned to the broker's re-queue", in_flight_);
      if (socket_) send_disconnect("stopped");
      close_socket(kGoodbyeLinger);
      return false;
    }
    if (stop.drain.load() && !draining_) begin_drain();
    if (draining_ && in_flight_ == 0) {
      if (!unsent_results_.empty()) {
        spdlog::warn("drained with no broker reachable: {} result(s) not delivered",
                     unsent_results_.size());
      }
      if (socket_) send_disconnect("draining");
      spdlog::info("drained; leaving");
      close_socket(kGoodbyeLinger);
      return true;
    }

    zmq_pollitem_t items[2] = {{nullptr, runner_.wake_fd(), ZMQ_POLLIN, 0},
                               {nullptr, 0, ZMQ_POLLIN, 0}};
    std::size_t count = 1;
    if (socket_) items[count++].socket = socket_->handle();
    try {
      zmq::poll(items, count, poll_timeout(Clock::now()));
    } catch (const zmq::error_t& e) {
      if (e.num() != EINTR) throw;  // a signal is not an error; the stop flags say what it meant
    }
    if (items[0].revents & ZMQ_POLLIN) collect_results();
    if (count > 1 && (items[1].revents & ZMQ_POLLIN)) {
      read_broker();
      flush_results();  // results of jobs run inline during the read
    }
    on_timers(Clock::now());
  }
}

// ---- socket lifetime -------------------------------------------------------------------------

void WorkerNode::open_socket() {
  socket_.emplace(context_, zmq::socket_type::dealer);
  socket_->set(zmq::sockopt::linger, 0);
  // Room for a Result from every slot twice over plus control frames, so a burst of finishing jobs
  // never meets a full send queue; what we queue is bounded by capacity, not by the broker.
  socket_->set(zmq::sockopt::sndhwm, static_cast<int>(1000 + 2 * options_.max_concurrent));
  try {
    socket_->connect(options_.broker_endpoint);
  } catch (const zmq::error_t& e) {
    socket_.reset();
    throw std::runtime_error("cannot connect to broker endpoint '" + options_.broker_endpoint +
                             "': " + e.what());
  }
  ++socket_generation_;
  acknowledged_ = false;
  // The broker has liveness x interval to acknowledge, like any other silence.
  last_heard_ = Clock::now();
  send_register();
  // A node that re-registers while draining must not be handed new work.
  if (draining_) send_credit(0);
  flush_results();
}

void WorkerNode::close_socket(milliseconds linger) {
  if (!socket_) return;
  socket_->set(zmq::sockopt::linger, static_cast<int>(linger.count()));
  socket_.reset();
  acknowledged_ = false;
}

void WorkerNode::schedule_reconnect(Clock::time_point now, const char* why) {
  spdlog::warn("{}; reconnecting to {} in {} ms", why, options_.broker_endpoint,
               reconnect_delay_.count());
  close_socket(milliseconds(0));
  reconnect_at_ = now + reconnect_delay_;
  reconnect_delay_ = std::min(reconnect_delay_ * 2, options_.reconnect_max);
}

milliseconds WorkerNode::poll_timeout(Clock::time_point now) const {
  milliseconds wait = kMaxPollWait;
  if (socket_) {
    wait = std::min(wait, until(last_heard_ + heartbeat_interval_ * liveness_, now));
    if (acknowledged_) wait = std::min(wait, until(last_sent_ + heartbeat_interval_, now));
  } else {
    wait = std::min(wait, until(reconnect_at_, now));
  }
  return std::max(wait, milliseconds(0));
}

void WorkerNode::on_timers(Clock::time_point now) {
  if (!socket_) {
    if (now >= reconnect_at_) {
      ++probe_.reconnects;
      spdlog::info("reconnecting to {}", options_.broker_endpoint);
      open_socket();
    }
    return;
  }
  if (now - last_heard_ >= heartbeat_interval_ * liveness_) {
    schedule_reconnect(now, "broker silent for liveness x heartbeat interval");
    return;
  }
  if (!acknowledged_) return;
  if (now - last_progress_ >= heartbeat_interval_) send_progress(now);
  if (now - last_sent_ >= heartbeat_interval_) send_heartbeat();
}

// ---- from the broker ---------------------------------------------------------------------------

void WorkerNode::read_broker() {
  const std::uint64_t generation = socket_generation_;
  for (int i = 0; i < kMaxReadsPerWake && socket_ && generation == socket_generation_; ++i) {
    zmq::message_t frame;
    if (!socket_->recv(frame, zmq::recv_flags::dontwait)) return;
    if (frame.more()) {
      // The protocol is one frame per message; swallow the rest (ZeroMQ delivers all parts of a
      // message together) so the next read starts clean.
      std::size_t parts = 1;
      zmq::message_t rest;
      do {
        if (!socket_->recv(rest, zmq::recv_flags::dontwait)) break;
        ++parts;
      } while (rest.more());
      ++probe_.bad_frames;
      spdlog::warn("ignored a {}-part message from the broker (expected 1 frame): {}", parts,
                   dump_prefix(frame.data(), frame.size()));
      continue;
    }
    const auto decoded =
        decode_broker_message(frame.data(), frame.size(), options_.max_frame_bytes);
    if (!decoded.ok()) {
      ++probe_.bad_frames;
      spdlog::warn("ignored a bad frame from the broker ({}: {}), {} bytes: {}",
                   error_name(decoded.error), decoded.reason, frame.size(),
                   dump_prefix(frame.data(), frame.size()));
      continue;
    }
    last_heard_ = Clock::now();  // any verified broker message counts as a heartbeat
    handle(*decoded.msg, frame);
  }
}

void WorkerNode::handle(const fb::BrokerMessage& msg, zmq::message_t& frame) {
  switch (msg.body_type()) {
    case fb::BrokerMessageBody::RegisterAck:
      on_register_ack(*msg.body_as_RegisterAck());
      return;
    case fb::BrokerMessageBody::Assign:
      on_assign(*msg.body_as_Assign(), frame);
      return;
    case fb::BrokerMessageBody::CancelJob: {
      const auto* cancel = msg.body_as_CancelJob();
      const bool found = runner_.cancel(view(cancel->job_id()), cancel->attempt());
      spdlog::debug("cancel job {} attempt {}: {}", view(cancel->job_id()), cancel->attempt(),
                    found ? "signalled" : "not running here (already answered)");
      return;
    }
    case fb::BrokerMessageBody::Heartbeat:
      return;
    case fb::BrokerMessageBody::Disconnect:
      on_disconnect(*msg.body_as_Disconnect());
      return;
    case fb::BrokerMessageBody::WorkerError: {
      const auto* error = msg.body_as_WorkerError();
      ++probe_.broker_errors;
      spdlog::warn("broker reported an error about our traffic: {}: {}", error_name(error->code()),
                   view(error->message()));
      return;
    }
    default:
      // A body type from a newer broker (or none at all): nothing to act on.
      ++probe_.bad_frames;
      spdlog::warn("ignored a broker message with unknown body type {}",
                   static_cast<int>(msg.body_type()));
      return;
  }
}

void WorkerNode::on_register_ack(const fb::RegisterAck& ack) {
  if (const auto* theirs = ack.network_key_fingerprint();
      theirs != nullptr && !options_.network_key_fingerprint.empty() &&
      theirs->string_view() != options_.network_key_fingerprint) {
    // Our network.json is not the network's: encrypting with it would seal data for someone else.
    spdlog::error(
        "the broker's network key {} is not this node's --network-key {}: stopping (wrong or "
        "forged network.json)",
        theirs->string_view(), options_.network_key_fingerprint);
    key_mismatch_ = true;
    return;
  }
  // The broker's timing wins so both sides judge silence alike; 0 means "not set", keep ours.
  // Clamped to the bounds of our own flags: a peer's value must not make us spin or overflow.
  if (ack.heartbeat_interval_ms() > 0) {
    heartbeat_interval_ =
        std::clamp(milliseconds(ack.heartbeat_interval_ms()), kMinHeartbeat, kMaxHeartbeat);
  }
  if (ack.liveness() > 0) liveness_ = std::min(ack.liveness(), kMaxLiveness);
  acknowledged_ = true;
  reconnect_delay_ = options_.reconnect_min;
  ++probe_.register_acks;
  if (broker_epoch_ != 0 && ack.epoch() != broker_epoch_) {
    spdlog::info("broker restarted (epoch {} -> {})", broker_epoch_, ack.epoch());
  }
  broker_epoch_ = ack.epoch();
  spdlog::info(
      "registered node {} with broker {} (epoch {}): ops {}, capacity {}, heartbeat {} ms "
      "x {}",
      options_.node_id, options_.broker_endpoint, broker_epoch_, join(operation_names_),
      options_.max_concurrent, heartbeat_interval_.count(), liveness_);
}

void WorkerNode::on_assign(const fb::Assign& assign, zmq::message_t& frame) {
  if (draining_) {
    // The broker sent this before it saw Credit{0}; answer so the job is not left waiting.
    JobOutcome refusal{std::string(view(assign.job_id())),
                       assign.attempt(),
                       OperationResult::failure(fb::ErrorCode::cancelled, "worker draining"),
                       {}};
    send_result(refusal);
    return;
  }
  Job job;
  job.job_id = view(assign.job_id());
  job.operation = view(assign.operation());
  job.attempt = assign.attempt();
  job.verified = assign.verified();
  const std::string_view input = view(assign.input());
  job.input_offset =
      input.empty()
          ? 0
          : static_cast<std::size_t>(input.data() - static_cast<const char*>(frame.data()));
  job.input_size = input.size();
  spdlog::debug("assign job {} attempt {} op {} ({} bytes in)", job.job_id, job.attempt,
                job.operation, job.input_size);
  job.frame = std::move(frame);  // the input stays in the frame: no copy
  ++probe_.jobs_assigned;
  JobOutcome outcome;
  if (runner_.try_run_inline(job, options_.inline_max_bytes, outcome)) {
    // Sent with the batch after this read (flush_results), like the pool's results.
    unsent_results_.push_back(std::move(outcome));
    return;
  }
  ++in_flight_;
  runner_.submit(std::move(job));
}

void WorkerNode::on_disconnect(const fb::Disconnect& disconnect) {
  if (acknowledged_) {
    // Typically `not_registered` from a restarted broker: it is alive, so register at once.
    spdlog::info("broker {} disconnected us ({}); registering again", options_.broker_endpoint,
                 view(disconnect.reason()));
    ++probe_.reconnects;
    close_socket(milliseconds(0));
    open_socket();
  } else {
    // Refused before any RegisterAck: back off rather than hammer a broker that rejects us.
    schedule_reconnect(Clock::now(), "broker disconnected us before acknowledging registration");
  }
}

// ---- results -----------------------------------------------------------------------------------

void WorkerNode::collect_results() {
  const std::size_t taken = runner_.take_finished(unsent_results_);
  in_flight_ -= std::min(taken, in_flight_);
  flush_results();
}

void WorkerNode::flush_results() {
  if (!socket_ || unsent_results_.empty()) return;
  for (const JobOutcome& outcome : unsent_results_) {
    spdlog::debug("result job {} attempt {}: {}", outcome.job_id, outcome.attempt,
                  outcome.result.ok ? "ok" : error_name(outcome.result.error));
    send_result(outcome);
  }
  unsent_results_.clear();
}

void WorkerNode::begin_drain() {
  draining_ = true;
  spdlog::info("draining: offering no slots, waiting for {} job(s)", in_flight_);
  if (socket_) send_credit(0);
}

// ---- to the broker -----------------------------------------------------------------------------

bool WorkerNode::send_built(fb::WorkerMessageBody type, flatbuffers::Offset<void> body) {
  fb::FinishWorkerMessageBuffer(builder_,
                                fb::CreateWorkerMessage(builder_, kProtocolVersion, type, body));
  return send_finished();
}

bool WorkerNode::send_finished() {
  zmq::message_t frame = take_frame(builder_);
  // Never block the loop: with no connection the DEALER queues up to its high-water mark, and past
  // that a frame is dropped and counted (the broker's lease or liveness recovers the job).
  if (!socket_ || !socket_->send(std::move(frame), zmq::send_flags::dontwait)) {
    ++probe_.send_failures;
    return false;
  }
  last_sent_ = Clock::now();
  return true;
}

bool WorkerNode::send_register() {
  auto ops = builder_.CreateVectorOfStrings(operation_names_);
  auto caps = fb::CreateCapabilities(builder_, options_.max_concurrent, ops);
  flatbuffers::Offset<flatbuffers::Vector<std::uint8_t>> proof;
  if (!options_.share_proof.empty()) {
    proof =
        builder_.CreateVector(reinterpret_cast<const std::uint8_t*>(options_.share_proof.data()),
                              options_.share_proof.size());
  }
  flatbuffers::Offset<flatbuffers::Vector<std::uint8_t>> key_proof;
  if (options_.signer != nullptr) key_proof = bytes(builder_, options_.signer->key_proof());
  auto reg = fb::CreateRegister(builder_, builder_.CreateString(options_.node_id),
                                builder_.CreateString(options_.wallet_address),
                                builder_.CreateString(options_.public_key), caps, 0,
                                options_.share_index, proof, options_.signer != nullptr, key_proof);
  ++probe_.registrations;
  return send_built(fb::WorkerMessageBody::Register, reg.Union());
}

bool WorkerNode::send_credit(std::uint32_t capacity) {
  return send_built(fb::WorkerMessageBody::Credit, fb::CreateCredit(builder_, capacity).Union());
}

bool WorkerNode::send_heartbeat() {
  ++probe_.heartbeats_sent;
  return send_built(fb::WorkerMessageBody::Heartbeat, fb::CreateHeartbeat(builder_).Union());
}

void WorkerNode::send_progress(Clock::time_point now) {
  last_progress_ = now;
  held_.clear();
  runner_.held_since(now - heartbeat_interval_, held_);
  for (const auto& [job_id, attempt] : held_) {
    auto body = fb::CreateProgress(builder_, builder_.CreateString(job_id), attempt);
    if (send_built(fb::WorkerMessageBody::Progress, body.Union())) ++probe_.progress_sent;
  }
}

bool WorkerNode::send_disconnect(std::string_view reason) {
  auto body = fb::CreateDisconnect(builder_, builder_.CreateString(reason));
  return send_built(fb::WorkerMessageBody::Disconnect, body.Union());
}

bool WorkerNode::send_result(const JobOutcome& outcome) {
  const OperationResult& r = outcome.result;
  auto build = [&](const OperationResult& result) {
    auto job_id = builder_.CreateString(outcome.job_id);
    flatbuffers::Offset<fb::Result> body;
    if (result.ok) {
      auto output = bytes(builder_, result.output);
      auto signature = outcome.signature.empty() ? 0 : bytes(builder_, outcome.signature);
      body = fb::CreateResult(builder_, job_id, outcome.attempt, true, output,
                              fb::ErrorCode::unknown, 0, signature);
    } else {
      body = fb::CreateResult(builder_, job_id, outcome.attempt, false, 0, result.error,
                              builder_.CreateString(result.message));
    }
    fb::FinishWorkerMessageBuffer(
        builder_, fb::CreateWorkerMessage(builder_, kProtocolVersion, fb::WorkerMessageBody::Result,
                                          body.Union()));
  };
  build(r);
  if (builder_.GetSize() > options_.max_frame_bytes) {
    // The broker would reject the frame as frame_too_large and the job would wait for its lease;
    // fail it now with a reason the user can act on.
    builder_.Clear();
    build(OperationResult::failure(
        fb::ErrorCode::operation_failed,
        "output of " + std::to_string(r.output.size()) + " bytes does not fit in a " +
            std::to_string(options_.max_frame_bytes) + "-byte frame (--max-frame-bytes)"));
  }
  if (!send_finished()) {
    spdlog::warn("could not send the result of job {} attempt {} (send queue full)", outcome.job_id,
                 outcome.attempt);
    return false;
  }
  ++probe_.results_sent;
  return true;
}

}  // namespace litc
