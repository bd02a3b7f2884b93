// The C++ client of the broker's clients socket (see client.h): one DEALER, request ids, a stash.
//
// DESIGN: the broker answers every ClientRequest with exactly one ClientReply carrying the same
// request_id, plus one final JobReply for a Submit/Replay sent with wait = true. A blocking call
// waits only for its own id; replies to other ids that arrive meanwhile are stashed in arrival
// order and handed out first by poll(), so mixing blocking and pipelined use loses no reply. A
// blocking call that gives up (timeout, or a job already finished in its ack) marks its id
// abandoned, and late replies to it are dropped rather than stashed forever. Nothing the broker
// sends is trusted: every frame goes through the verifying codec, and a frame that does not
// decode becomes an error reply, never an exception.
#include "protocol/client.h"

#include <algorithm>
#include <chrono>
#include <utility>

namespace litc {
namespace {

using Clock = std::chrono::steady_clock;

// Remaining time of one blocking wait; a negative budget means forever.
class Deadline {
 public:
  explicit Deadline(int timeout_ms)
      : forever_(timeout_ms < 0), end_(Clock::now() + std::chrono::milliseconds(timeout_ms)) {}
  // Rounded up, so a wait never ends before the deadline (zmq_poll's clock is coarse too; callers
  // poll again until expired()).
  int remaining_ms() const {
    if (forever_) return -1;
    auto left = std::chrono::ceil<std::chrono::milliseconds>(end_ - Clock::now()).count();
    return left > 0 ? static_cast<int>(left) : 0;
  }
  bool expired() const { return !forever_ && Clock::now() >= end_; }

 private:
  bool forever_;
  Clock::time_point end_;
};

zmq::context_t& context_for(std::optional<zmq::context_t>& own, zmq::context_t* shared) {
  if (shared != nullptr) return *shared;
  own.emplace(1);
  return *own;
}

std::string str(const flatbuffers::String* s) {
  return std::string(view(s));
}

const char* kind_name(ClientReplyInfo::Kind kind) {
  switch (kind) {
    case ClientReplyInfo::Kind::submit_ack:
      return "SubmitAck";
    case ClientReplyInfo::Kind::job:
      return "JobReply";
    case ClientReplyInfo::Kind::stats:
      return "StatsReply";
    case ClientReplyInfo::Kind::job_list:
      return "JobList";
    case ClientReplyInfo::Kind::error:
      return "Error";
  }
  return "unknown";
}

ClientReplyInfo error_reply(uint64_t request_id, fb::ErrorCode code, std::string message) {
  ClientReplyInfo info;
  info.request_id = request_id;
  info.kind = ClientReplyInfo::Kind::error;
  info.error = ClientError{code, std::move(message)};
  return info;
}

// Copies a verified ClientReply out of its frame (the frame dies when receive() returns).
ClientReplyInfo to_info(const fb::ClientReply& reply) {
  ClientReplyInfo info;
  info.request_id = reply.request_id();
  switch (reply.body_type()) {
    case fb::ClientReplyBody::SubmitAck: {
      const auto* ack = reply.body_as_SubmitAck();
      info.kind = ClientReplyInfo::Kind::submit_ack;
      info.job = JobInfo::from(*ack->job());
      info.duplicate = ack->duplicate();
      return info;
    }
    case fb::ClientReplyBody::JobReply: {
      const auto* job = reply.body_as_JobReply();
      info.kind = ClientReplyInfo::Kind::job;
      info.job = JobInfo::from(*job->job());
      info.final = job->final();
      return info;
    }
    case fb::ClientReplyBody::StatsReply:
      info.kind = ClientReplyInfo::Kind::stats;
      info.stats = BrokerStatsInfo::from(*reply.body_as_StatsReply()->stats());
      return info;
    case fb::ClientReplyBody::JobList: {
      info.kind = ClientReplyInfo::Kind::job_list;
      if (const auto* jobs = reply.body_as_JobList()->jobs()) {
        info.jobs.reserve(jobs->size());
        for (const auto* job : *jobs) info.jobs.push_back(JobInfo::from(*job));
      }
      return info;
    }
    case fb::ClientReplyBody::Error: {
      const auto* error = reply.body_as_Error();
      std::string message = str(error->message());
      if (message.empty()) message = std::string(error_name(error->code()));
      return error_reply(info.request_id, error->code(), std::move(message));
    }
    default:
      // NONE, or a body type from a newer broker that this build cannot read.
      return error_reply(info.request_id, fb::ErrorCode::unexpected_message,
                         "broker reply has no body this client understands");
  }
}

}  // namespace

AttestationInfo AttestationInfo::from(const fb::ResultAttestation& a) {
  return {str(a.node_id()), str(a.public_key()), str(a.output_cid()),
          std::string(view(a.signature()))};
}

JobInfo JobInfo::from(const fb::JobRecord& r) {
  JobInfo j;
  j.job_id = str(r.job_id());
  j.operation = str(r.operation());
  j.state = r.state();
  j.priority = r.priority();
  j.attempt = r.attempt();
  j.max_attempts = r.max_attempts();
  j.node_id = str(r.node_id());
  j.output = std::string(view(r.output()));
  j.error_code = r.error_code();
  j.error_message = str(r.error_message());
  j.submitted_at_ms = r.submitted_at_ms();
  j.started_at_ms = r.started_at_ms();
  j.completed_at_ms = r.completed_at_ms();
  j.ttl_ms = r.ttl_ms();
  j.timeout_ms = r.timeout_ms();
  j.dead_lettered = r.dead_lettered();
  j.input_size = r.input_size();
  j.verified = r.verified();
  j.input_cid = str(r.input_cid());
  if (const auto* list = r.attestations()) {
    for (const fb::ResultAttestation* a : *list)
      j.attestations.push_back(AttestationInfo::from(*a));
  }
  return j;
}

uint64_t BrokerStatsInfo::get(std::string_view name) const {
  for (const auto& [key, value] : counters) {
    if (key == name) return value;
  }
  return 0;
}

BrokerStatsInfo BrokerStatsInfo::from(const fb::BrokerStats& s) {
  // Schema order and schema names, so printing and /metrics follow common.fbs without a mapping.
  return BrokerStatsInfo{{
      {"epoch", s.epoch()},
      {"seq", s.seq()},
      {"jobs_pending", s.jobs_pending()},
      {"jobs_active", s.jobs_active()},
      {"jobs_completed", s.jobs_completed()},
      {"jobs_failed", s.jobs_failed()},
      {"jobs_cancelled", s.jobs_cancelled()},
      {"dead_letter", s.dead_letter()},
      {"workers_online", s.workers_online()},
      {"submitted_total", s.submitted_total()},
      {"duplicate_submits", s.duplicate_submits()},
      {"requeued_total", s.requeued_total()},
      {"stale_results", s.stale_results()},
      {"results_after_cancel", s.results_after_cancel()},
      {"malformed_frames", s.malformed_frames()},
      {"oversized_frames", s.oversized_frames()},
      {"unsupported_versions", s.unsupported_versions()},
      {"unexpected_messages", s.unexpected_messages()},
      {"queue_full_rejections", s.queue_full_rejections()},
      {"events_published", s.events_published()},
      {"workers_expired", s.workers_expired()},
      {"invalid_shares", s.invalid_shares()},
      {"invalid_signatures", s.invalid_signatures()},
  }};
}

Client::Client(ClientOptions options, zmq::context_t* context)
    : options_(std::move(options)),
      socket_(context_for(own_context_, context), zmq::socket_type::dealer) {
  // Linger 0: a CLI that timed out must exit at once, not hang on unsent requests.
  socket_.set(zmq::sockopt::linger, 0);
  // Without ZMQ_IMMEDIATE requests queue until the connection is up; the send timeout bounds how
  // long a send may block once that queue (the high-water mark) is full.
  socket_.set(zmq::sockopt::sndtimeo, options_.timeout_ms < 0 ? -1 : options_.timeout_ms);
  try {
    socket_.connect(options_.broker);
  } catch (const zmq::error_t& e) {
    setup_error_ =
        ClientError{fb::ErrorCode::invalid_argument,
                    "cannot connect to broker endpoint '" + options_.broker + "': " + e.what()};
  }
}

uint64_t Client::send_request(fb::ClientRequestBody type, flatbuffers::Offset<void> body) {
  if (setup_error_) {
    builder_.Clear();
    return 0;
  }
  uint64_t id = next_request_id_++;
  fb::FinishClientRequestBuffer(
      builder_, fb::CreateClientRequest(builder_, kProtocolVersion, id, type, body));
  zmq::message_t frame = take_frame(builder_);
  try {
    if (!socket_.send(frame, zmq::send_flags::none)) return 0;  // send timeout: queue full
  } catch (const zmq::error_t&) {
    return 0;
  }
  return id;
}

ClientError Client::send_failure() const {
  if (setup_error_) return *setup_error_;
  return ClientError{fb::ErrorCode::timeout, "broker at " + options_.broker +
                                                 " did not accept the request within " +
                                                 std::to_string(options_.timeout_ms) + " ms"};
}

uint64_t Client::send_submit(const SubmitRequest& r) {
  return send_submit(r, r.no_ack);
}

uint64_t Client::send_submit(const SubmitRequest& r, bool no_ack) {
  auto job_id = r.job_id.empty() ? flatbuffers::Offset<flatbuffers::String>()
                                 : builder_.CreateString(r.job_id);
  auto operation = builder_.CreateString(r.operation);
  auto input = bytes(builder_, r.input);
  auto body = fb::CreateSubmit(builder_, job_id, operation, input, r.priority, r.max_attempts,
                               r.ttl_ms, r.timeout_ms, r.wait, r.wait && no_ack, r.verified);
  return send_request(fb::ClientRequestBody::Submit, body.Union());
}

void Client::send_raw(const void* data, std::size_t size) {
  if (setup_error_) return;
  try {
    socket_.send(zmq::const_buffer(data, size), zmq::send_flags::none);
  } catch (const zmq::error_t&) {
    // Same contract as a timed-out send: the caller sees no reply.
  }
}

std::optional<ClientReplyInfo> Client::receive(int timeout_ms) {
  if (setup_error_) return std::nullopt;
  Deadline deadline(timeout_ms);
  while (true) {
    zmq::message_t frame;
    // Under load a reply is usually waiting already: try it before paying for a poll.
    if (!socket_.recv(frame, zmq::recv_flags::dontwait)) {
      zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
      try {
        if (zmq::poll(&item, 1, std::chrono::milliseconds(deadline.remaining_ms())) == 0 &&
            deadline.expired()) {
          return std::nullopt;
        }
      } catch (const zmq::error_t&) {
        return std::nullopt;  // EINTR (a signal): the caller treats it as no reply
      }
      continue;
    }
    // A DEALER gets exactly one frame per reply; extra frames mean a broken peer. Drain them so the
    // next reply starts on a message boundary.
    std::size_t extra = 0;
    while (frame.more()) {
      zmq::message_t rest;
      if (!socket_.recv(rest, zmq::recv_flags::dontwait)) break;
      ++extra;
      if (!rest.more()) break;
    }
    ClientReplyInfo info;
    if (extra > 0) {
      info = error_reply(0, fb::ErrorCode::malformed_frame,
                         "broker at " + options_.broker + " sent a reply of " +
                             std::to_string(extra + 1) + " frames (expected 1)");
    } else {
      auto decoded = decode_client_reply(frame.data(), frame.size(), options_.max_frame_bytes);
      if (decoded.ok()) {
        info = to_info(*decoded.msg);
      } else {
        info =
            error_reply(0, decoded.error,
                        "undecodable reply from broker at " + options_.broker + ": " +
                            decoded.reason + " [" + dump_prefix(frame.data(), frame.size()) + "]");
      }
    }
    if (auto late = abandoned_.find(info.request_id); late != abandoned_.end()) {
      // An Error ends a request: no final JobReply follows it.
      if (--late->second <= 0 || info.kind == ClientReplyInfo::Kind::error) {
        abandoned_.erase(late);
      }
      continue;
    }
    return info;
  }
}

std::optional<ClientReplyInfo> Client::poll(int timeout_ms) {
  if (!stash_.empty()) {
    ClientReplyInfo first = std::move(stash_.front());
    stash_.erase(stash_.begin());
    return first;
  }
  return receive(timeout_ms);
}

ClientResult<ClientReplyInfo> Client::request(uint64_t request_id, int timeout_ms, int replies) {
  auto stashed = std::find_if(stash_.begin(), stash_.end(),
                              [&](const ClientReplyInfo& r) { return r.request_id == request_id; });
  if (stashed != stash_.end()) {
    ClientReplyInfo info = std::move(*stashed);
    stash_.erase(stashed);
    return info;
  }
  Deadline deadline(timeout_ms);
  while (true) {
    auto reply = receive(deadline.remaining_ms());
    if (!reply) {
      abandoned_[request_id] = replies;
      return ClientError{fb::ErrorCode::timeout, "broker at " + options_.broker +
                                                     " did not answer within " +
                                                     std::to_string(timeout_ms) + " ms"};
    }
    if (reply->request_id == request_id || reply->request_id == 0) return std::move(*reply);
    stash_.push_back(std::move(*reply));
  }
}

ClientResult<JobInfo> Client::expect_job(uint64_t request_id, const char* what, int replies) {
  if (request_id == 0) return send_failure();
  auto reply = request(request_id, options_.timeout_ms, replies);
  if (!reply.ok()) return reply.error();
  ClientReplyInfo& info = reply.value();
  if (info.kind == ClientReplyInfo::Kind::error) return info.error;
  if (info.kind != ClientReplyInfo::Kind::job) {
    return ClientError{fb::ErrorCode::unexpected_message,
                       std::string("broker answered ") + kind_name(info.kind) + " to " + what};
  }
  return std::move(info.job);
}

ClientResult<SubmitAckInfo> Client::submit(const SubmitRequest& request_in) {
  uint64_t id = send_submit(request_in, false);
  if (id == 0) return send_failure();
  auto reply = request(id, options_.timeout_ms, request_in.wait ? 2 : 1);
  if (!reply.ok()) return reply.error();
  ClientReplyInfo& info = reply.value();
  if (info.kind == ClientReplyInfo::Kind::error) return info.error;
  if (info.kind != ClientReplyInfo::Kind::submit_ack) {
    return ClientError{fb::ErrorCode::unexpected_message,
                       std::string("broker answered ") + kind_name(info.kind) + " to Submit"};
  }
  return SubmitAckInfo{std::move(info.job), info.duplicate};
}

ClientResult<JobInfo> Client::wait_final(uint64_t request_id, const JobInfo& ack,
                                         int wait_timeout_ms) {
  if (ack.finished()) {
    // The broker still sends the final JobReply right after; it carries nothing new.
    abandoned_[request_id] = 1;
    return ack;
  }
  Deadline deadline(wait_timeout_ms);
  while (true) {
    auto reply = request(request_id, deadline.remaining_ms());
    if (!reply.ok()) {
      if (reply.error().code != fb::ErrorCode::timeout) return reply.error();
      return ClientError{fb::ErrorCode::timeout, "job " + ack.job_id + " did not finish within " +
                                                     std::to_string(wait_timeout_ms) +
                                                     " ms (broker at " + options_.broker + ")"};
    }
    ClientReplyInfo& info = reply.value();
    if (info.kind == ClientReplyInfo::Kind::error) return info.error;
    // Only the final JobReply ends the wait; anything else under this id is a broker quirk.
    if (info.kind == ClientReplyInfo::Kind::job && info.final) return std::move(info.job);
  }
}

ClientResult<JobInfo> Client::submit_and_wait(SubmitRequest request_in, int wait_timeout_ms) {
  request_in.wait = true;
  uint64_t id = send_submit(request_in, false);
  if (id == 0) return send_failure();
  auto reply = request(id, options_.timeout_ms, 2);
  if (!reply.ok()) return reply.error();
  ClientReplyInfo& info = reply.value();
  if (info.kind == ClientReplyInfo::Kind::error) return info.error;
  if (info.kind == ClientReplyInfo::Kind::job && info.final) {
    return std::move(info.job);  // final reply overtook nothing: it is the answer
  }
  if (info.kind != ClientReplyInfo::Kind::submit_ack) {
    abandoned_[id] = 1;
    return ClientError{fb::ErrorCode::unexpected_message,
                       std::string("broker answered ") + kind_name(info.kind) + " to Submit"};
  }
  return wait_final(id, info.job, wait_timeout_ms);
}

uint64_t Client::send_status(std::string_view job_id) {
  auto body = fb::CreateStatusQuery(builder_, builder_.CreateString(job_id));
  return send_request(fb::ClientRequestBody::StatusQuery, body.Union());
}

uint64_t Client::send_cancel(std::string_view job_id) {
  auto body = fb::CreateCancel(builder_, builder_.CreateString(job_id));
  return send_request(fb::ClientRequestBody::Cancel, body.Union());
}

uint64_t Client::send_replay(std::string_view job_id, bool wait) {
  auto body = fb::CreateReplay(builder_, builder_.CreateString(job_id), wait);
  return send_request(fb::ClientRequestBody::Replay, body.Union());
}

uint64_t Client::send_dead_letters(uint32_t limit) {
  auto body = fb::CreateDeadLetterQuery(builder_, limit);
  return send_request(fb::ClientRequestBody::DeadLetterQuery, body.Union());
}

uint64_t Client::send_stats() {
  auto body = fb::CreateStatsQuery(builder_);
  return send_request(fb::ClientRequestBody::StatsQuery, body.Union());
}

ClientResult<JobInfo> Client::status(std::string_view job_id) {
  return expect_job(send_status(job_id), "StatusQuery");
}

ClientResult<JobInfo> Client::cancel(std::string_view job_id) {
  return expect_job(send_cancel(job_id), "Cancel");
}

ClientResult<JobInfo> Client::replay(std::string_view job_id, bool wait) {
  return expect_job(send_replay(job_id, wait), "Replay", wait ? 2 : 1);
}

ClientResult<JobInfo> Client::replay_and_wait(std::string_view job_id, int wait_timeout_ms) {
  uint64_t id = send_replay(job_id, true);
  if (id == 0) return send_failure();
  auto reply = request(id, options_.timeout_ms, 2);
  if (!reply.ok()) return reply.error();
  ClientReplyInfo& info = reply.value();
  if (info.kind == ClientReplyInfo::Kind::error) return info.error;
  if (info.kind != ClientReplyInfo::Kind::job) {
    abandoned_[id] = 1;
    return ClientError{fb::ErrorCode::unexpected_message,
                       std::string("broker answered ") + kind_name(info.kind) + " to Replay"};
  }
  return wait_final(id, info.job, wait_timeout_ms);
}

ClientResult<std::vector<JobInfo>> Client::dead_letters(uint32_t limit) {
  uint64_t id = send_dead_letters(limit);
  if (id == 0) return send_failure();
  auto reply = request(id, options_.timeout_ms);
  if (!reply.ok()) return reply.error();
  ClientReplyInfo& info = reply.value();
  if (info.kind == ClientReplyInfo::Kind::error) return info.error;
  if (info.kind != ClientReplyInfo::Kind::job_list) {
    return ClientError{
        fb::ErrorCode::unexpected_message,
        std::string("broker answered ") + kind_name(info.kind) + " to DeadLetterQuery"};
  }
  return std::move(info.jobs);
}

ClientResult<BrokerStatsInfo> Client::stats() {
  uint64_t id = send_stats();
  if (id == 0) return send_failure();
  auto reply = request(id, options_.timeout_ms);
  if (!reply.ok()) return reply.error();
  ClientReplyInfo& info = reply.value();
  if (info.kind == ClientReplyInfo::Kind::error) return info.error;
  if (info.kind != ClientReplyInfo::Kind::stats) {
    return ClientError{fb::ErrorCode::unexpected_message,
                       std::string("broker answered ") + kind_name(info.kind) + " to StatsQuery"};
  }
  return std::move(info.stats);
}

}  // namespace litc
