// HttpNodes: HTTP-only nodes represented to the broker as workers (see http_nodes.h).
#include "bridge/http_nodes.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>

namespace litc::bridge {

struct HttpNodes::Node {
  NodeRegistration reg;
  std::unique_ptr<zmq::socket_t> socket;
  bool acked = false;
  uint64_t epoch = 0;
  uint64_t heartbeat_ms = 1000;
  uint32_t liveness = 3;
  uint64_t last_http_ms = 0;    // the node itself was last heard over HTTP
  uint64_t last_broker_ms = 0;  // the broker was last heard on this socket
  uint64_t last_sent_ms = 0;
  uint64_t opened_ms = 0;
  bool replaced = false;  // the broker gave the node id to another registration: drop the node
  std::vector<RegisterDone> waiting;  // HTTP registrations waiting for RegisterAck
  std::vector<AssignedJob> inbox;
};

HttpNodes::HttpNodes(HttpNodeOptions options, zmq::context_t& context)
    : options_(std::move(options)), context_(context) {}

HttpNodes::~HttpNodes() {
  for (auto& [id, node] : nodes_) close(*node, "bridge stopping");
}

void HttpNodes::open(Node& node, uint64_t now_ms) {
  node.socket = std::make_unique<zmq::socket_t>(context_, zmq::socket_type::dealer);
  node.socket->set(zmq::sockopt::linger, 0);
  node.socket->connect(options_.workers_endpoint);
  node.acked = false;
  node.replaced = false;
  node.opened_ms = now_ms;
  node.last_broker_ms = now_ms;
  node.inbox.clear();
  send_register(node);
}

void HttpNodes::send(Node& node, fb::WorkerMessageBody type, flatbuffers::Offset<void> body) {
  fb::FinishWorkerMessageBuffer(builder_,
                                fb::CreateWorkerMessage(builder_, kProtocolVersion, type, body));
  zmq::message_t frame = take_frame(builder_);
  // A full send queue drops the frame: the broker's heartbeat expiry or lease covers it.
  (void)node.socket->send(frame, zmq::send_flags::dontwait);
}

void HttpNodes::send_register(Node& node) {
  const NodeRegistration& r = node.reg;
  auto ops = builder_.CreateVectorOfStrings(r.operations);
  auto caps = fb::CreateCapabilities(builder_, r.max_concurrent_jobs, ops);
  auto body = fb::CreateRegister(builder_, builder_.CreateString(r.node_id),
                                 builder_.CreateString(r.wallet_address),
                                 builder_.CreateString(r.public_key), caps);
  send(node, fb::WorkerMessageBody::Register, body.Union());
}

void HttpNodes::send_result(Node& node, const std::string& job_id, uint32_t attempt, bool ok,
                            std::string_view output, fb::ErrorCode error,
                            std::string_view message) {
  auto id = builder_.CreateString(job_id);
  flatbuffers::Offset<fb::Result> body;
  if (ok) {
    body = fb::CreateResult(builder_, id, attempt, true, bytes(builder_, output));
  } else {
    body = fb::CreateResult(builder_, id, attempt, false, 0, error, builder_.CreateString(message));
  }
  send(node, fb::WorkerMessageBody::Result, body.Union());
}

void HttpNodes::register_node(NodeRegistration reg, uint64_t now_ms, RegisterDone done) {
  auto it = nodes_.find(reg.node_id);
  if (it == nodes_.end()) {
    if (nodes_.size() >= options_.max_nodes) {
      done(false, "too many HTTP nodes (--max-http-nodes)", 0);
      return;
    }
    it = nodes_.emplace(reg.node_id, std::make_unique<Node>()).first;
  } else {
    close(*it->second, "re-registered");
  }
  Node& node = *it->second;
  node.reg = std::move(reg);
  node.last_http_ms = now_ms;
  node.waiting.push_back(std::move(done));
  open(node, now_ms);
}

bool HttpNodes::heartbeat(const std::string& node_id, uint64_t now_ms) {
  auto it = nodes_.find(node_id);
  if (it == nodes_.end()) return false;
  it->second->last_http_ms = now_ms;
  return true;
}

const std::vector<AssignedJob>* HttpNodes::jobs(const std::string& node_id, uint64_t now_ms) {
  auto it = nodes_.find(node_id);
  if (it == nodes_.end()) return nullptr;
  it->second->last_http_ms = now_ms;
  return &it->second->inbox;
}

HttpNodes::Complete HttpNodes::complete(const std::string& node_id, const std::string& job_id,
                                        bool ok, std::string_view output, fb::ErrorCode error,
                                        std::string_view message, uint64_t now_ms) {
  auto it = nodes_.find(node_id);
  if (it == nodes_.end()) return Complete::unknown_node;
  Node& node = *it->second;
  node.last_http_ms = now_ms;
  auto job = std::find_if(node.inbox.begin(), node.inbox.end(),
                          [&](const AssignedJob& j) { return j.job_id == job_id; });
  if (job == node.inbox.end()) return Complete::not_assigned;
  send_result(node, job->job_id, job->attempt, ok, output, error, message);
  node.last_sent_ms = now_ms;
  node.inbox.erase(job);
  return Complete::ok;
}

void HttpNodes::append_poll_items(std::vector<zmq::pollitem_t>& items) {
  for (auto& [id, node] : nodes_) {
    if (node->socket) items.push_back({node->socket->handle(), 0, ZMQ_POLLIN, 0});
  }
}

void HttpNodes::on_poll(uint64_t now_ms) {
  for (auto& [id, node_ptr] : nodes_) {
    Node& node = *node_ptr;
    // A handler below may replace the socket (re-register): re-read it every message.
    for (int i = 0; i < 1000 && node.socket; ++i) {
      zmq::message_t frame;
      if (!node.socket->recv(frame, zmq::recv_flags::dontwait)) break;
      if (frame.more()) {  // a DEALER gets one frame per broker message
        while (frame.more() && node.socket->recv(frame, zmq::recv_flags::dontwait)) {
        }
        continue;
      }
      auto decoded = decode_broker_message(frame.data(), frame.size(), options_.max_frame_bytes);
      if (!decoded.ok()) {
        spdlog::warn("http node {}: bad frame from broker: {}", id, decoded.reason);
        continue;
      }
      node.last_broker_ms = now_ms;
      on_message(node, *decoded.msg, now_ms);
    }
  }
}

void HttpNodes::on_message(Node& node, const fb::BrokerMessage& msg, uint64_t now_ms) {
  switch (msg.body_type()) {
    case fb::BrokerMessageBody::RegisterAck: {
      const auto* ack = msg.body_as_RegisterAck();
      node.acked = true;
      node.epoch = ack->epoch();
      node.heartbeat_ms = std::max<uint64_t>(ack->heartbeat_interval_ms(), 10);
      node.liveness = std::max<uint32_t>(ack->liveness(), 1);
      for (auto& done : node.waiting) done(true, "", node.epoch);
      node.waiting.clear();
      return;
    }
    case fb::BrokerMessageBody::Assign: {
      const auto* a = msg.body_as_Assign();
      AssignedJob job{std::string(view(a->job_id())),
                      std::string(view(a->operation())),
                      std::string(view(a->input())),
                      a->attempt(),
                      a->timeout_ms(),
                      now_ms};
      commands_.emplace_back(
          node.reg.node_id, boost::json::serialize(boost::json::object{{"command", "assign"},
                                                                       {"jobId", job.job_id},
                                                                       {"operation", job.operation},
                                                                       {"attempt", job.attempt}}));
      node.inbox.push_back(std::move(job));
      return;
    }
    case fb::BrokerMessageBody::CancelJob: {
      const auto* c = msg.body_as_CancelJob();
      std::string job_id(view(c->job_id()));
      auto job = std::find_if(node.inbox.begin(), node.inbox.end(),
                              [&](const AssignedJob& j) { return j.job_id == job_id; });
      if (job == node.inbox.end()) return;
      send_result(node, job->job_id, job->attempt, false, {}, fb::ErrorCode::cancelled,
                  "cancelled before the HTTP node reported");
      node.inbox.erase(job);
      commands_.emplace_back(node.reg.node_id, boost::json::serialize(boost::json::object{
                                                   {"command", "cancel"}, {"jobId", job_id}}));
      return;
    }
    case fb::BrokerMessageBody::Disconnect: {
      node.inbox.clear();
      node.acked = false;
      std::string_view reason = view(msg.body_as_Disconnect()->reason());
      if (reason.rfind("replaced", 0) == 0) {
        // Another worker (a ZeroMQ worker, say) registered this node id. Registering again would
        // take the id back, that worker would do the same, and the two would replace each other
        // forever: give the id up. tick() forgets the node; its next HTTP call gets 404.
        spdlog::warn("http node {}: broker says \"{}\"; dropping it", node.reg.node_id, reason);
        node.replaced = true;
        node.socket.reset();
        for (auto& done : node.waiting) done(false, "node id taken by another registration", 0);
        node.waiting.clear();
        return;
      }
      // The broker does not know this socket (it restarted): register again; what the inbox
      // held belonged to the old broker.
      send_register(node);
      return;
    }
    case fb::BrokerMessageBody::Heartbeat:
    case fb::BrokerMessageBody::WorkerError:
    default:
      return;
  }
}

void HttpNodes::close(Node& node, const char* reason) {
  if (!node.socket) return;
  auto body = fb::CreateDisconnect(builder_, builder_.CreateString(reason));
  send(node, fb::WorkerMessageBody::Disconnect, body.Union());
  node.socket.reset();
  for (auto& done : node.waiting) done(false, std::string("registration ended: ") + reason, 0);
  node.waiting.clear();
}

void HttpNodes::tick(uint64_t now_ms) {
  for (auto it = nodes_.begin(); it != nodes_.end();) {
    Node& node = *it->second;
    if (node.replaced) {
      it = nodes_.erase(it);
      continue;
    }
    if (now_ms >= node.last_http_ms + options_.node_timeout_ms) {
      spdlog::info("http node {} silent for {} ms: disconnected", it->first,
                   now_ms - node.last_http_ms);
      close(node, "http node silent");
      it = nodes_.erase(it);
      continue;
    }
    if (!node.acked && !node.waiting.empty() &&
        now_ms >= node.opened_ms + options_.register_timeout_ms) {
      for (auto& done : node.waiting)
        done(false, "the broker did not acknowledge the registration", 0);
      node.waiting.clear();
    }
    if (now_ms >= node.last_broker_ms + node.heartbeat_ms * node.liveness) {
      open(node, now_ms);  // broker silent: a new socket registers again (Paranoid Pirate)
    } else if (now_ms >= node.last_sent_ms + node.heartbeat_ms) {
      send(node, fb::WorkerMessageBody::Heartbeat, fb::CreateHeartbeat(builder_).Union());
      node.last_sent_ms = now_ms;
    }
    ++it;
  }
}

std::vector<std::pair<std::string, std::string>> HttpNodes::take_commands() {
  return std::exchange(commands_, {});
}

}  // namespace litc::bridge
