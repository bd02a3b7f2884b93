// HttpNodes: nodes that speak HTTP to the bridge (the seed's node software polled over HTTP),
// each represented to the broker as an ordinary worker on its own DEALER, so ZeroMQ workers and
// HTTP nodes are scheduled by the same broker under the same rules.
//
// DESIGN.
//  - Register over HTTP -> a DEALER to the broker's workers socket sends Register with the node's
//    capabilities; the HTTP answer waits for RegisterAck (or register_timeout: 504-style error).
//    Registering an id again replaces the socket (the broker re-queues what the old one held).
//  - The bridge heartbeats the broker for the node while the node itself is alive over HTTP (any
//    of register, heartbeat, jobs poll, complete within node_timeout). A node silent for longer is
//    disconnected: Disconnect, socket closed, and the broker re-queues its jobs.
//  - Assign -> the node's inbox (never more than its capacity: the broker's credits bound it);
//    `GET nodes/:id/jobs` lists the inbox; `POST jobs/:id/complete` sends the Result and removes
//    the job. CancelJob (cancel, lease or timeout) removes the job and answers the broker with a
//    `cancelled` Result at once: an HTTP node cannot be interrupted, and the broker frees the slot
//    only on a Result. A later complete for it is a 409 (not assigned any more).
//  - The broker restarting (Disconnect not_registered, or silence) re-registers the node; jobs in
//    its inbox belonged to the dead broker and are dropped (the new broker has them re-submitted
//    by the bridge's ledger, or lost if nobody held them).
#pragma once

#include <flatbuffers/flatbuffers.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "protocol/codec.h"

namespace litc::bridge {

struct HttpNodeOptions {
  std::string workers_endpoint = "tcp://127.0.0.1:5556";
  uint64_t node_timeout_ms = 30'000;
  uint64_t register_timeout_ms = 5'000;
  std::size_t max_nodes = 1000;
  std::size_t max_frame_bytes = kDefaultMaxFrameBytes;
};

struct NodeRegistration {
  std::string node_id;
  std::string wallet_address;
  std::string public_key;
  uint32_t max_concurrent_jobs = 1;
  std::vector<std::string> operations;
};

struct AssignedJob {
  std::string job_id;
  std::string operation;
  std::string input;
  uint32_t attempt = 0;
  uint32_t timeout_ms = 0;
  uint64_t assigned_ms = 0;
};

class HttpNodes {
 public:
  // ok, or the reason registration failed (too many nodes, broker silent).
  using RegisterDone = std::function<void(bool ok, const std::string& error, uint64_t epoch)>;
  enum class Complete { ok, unknown_node, not_assigned };

  HttpNodes(HttpNodeOptions options, zmq::context_t& context);
  ~HttpNodes();

  void register_node(NodeRegistration registration, uint64_t now_ms, RegisterDone done);
  bool heartbeat(const std::string& node_id, uint64_t now_ms);  // false: unknown node
  // The node's inbox (a poll counts as a heartbeat); nullptr for an unknown node.
  const std::vector<AssignedJob>* jobs(const std::string& node_id, uint64_t now_ms);
  Complete complete(const std::string& node_id, const std::string& job_id, bool ok,
                    std::string_view output, fb::ErrorCode error, std::string_view message,
                    uint64_t now_ms);
  bool known(const std::string& node_id) const { return nodes_.count(node_id) != 0; }
  std::size_t size() const { return nodes_.size(); }

  // Poll plumbing: the loop adds these items to its poll set and calls on_poll after polling.
  void append_poll_items(std::vector<zmq::pollitem_t>& items);
  void on_poll(uint64_t now_ms);
  // Heartbeats, expiry of silent nodes and of registrations never acknowledged.
  void tick(uint64_t now_ms);

  // Commands for channel:node:{id}:commands since the last call: (node id, JSON).
  std::vector<std::pair<std::string, std::string>> take_commands();

 private:
  struct Node;
  void open(Node& node, uint64_t now_ms);
  void send_register(Node& node);
  void send(Node& node, fb::WorkerMessageBody type, flatbuffers::Offset<void> body);
  void send_result(Node& node, const std::string& job_id, uint32_t attempt, bool ok,
                   std::string_view output, fb::ErrorCode error, std::string_view message);
  void on_message(Node& node, const fb::BrokerMessage& msg, uint64_t now_ms);
  void close(Node& node, const char* reason);

  HttpNodeOptions options_;
  zmq::context_t& context_;
  std::map<std::string, std::unique_ptr<Node>> nodes_;
  flatbuffers::FlatBufferBuilder builder_;
  std::vector<std::pair<std::string, std::string>> commands_;
};

}  // namespace litc::bridge
