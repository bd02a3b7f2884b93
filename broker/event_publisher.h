// EventPublisher: the broker's events socket (XPUB, which subscribers see as a PUB). Stamps every
// event with the broker epoch and the next gap-free sequence number, and sends Hugz when idle so
// subscribers can tell silence from death. While nobody is subscribed it still advances the
// sequence but skips encoding: there is no one to send to, and a subscriber that joins later
// starts from a snapshot anyway.
#pragma once

#include <flatbuffers/flatbuffers.h>

#include <cstdint>
#include <zmq.hpp>

#include "broker/broker_probe.h"
#include "broker/scheduler.h"

namespace litc::broker {

class EventPublisher {
 public:
  EventPublisher(zmq::socket_t& socket, const Scheduler& scheduler, BrokerProbe& probe,
                 const Clock& clock);

  void job(fb::JobEventKind kind, const Job& job);
  void node(fb::NodeEventKind kind, const Worker& worker);
  // Sends Hugz if nothing was published for `idle_ms`.
  void hugz_if_idle(uint64_t idle_ms);
  // Reads pending (un)subscriptions from the XPUB socket; call when it is readable.
  void read_subscriptions();
  int64_t subscriptions() const { return subscriptions_; }

 private:
  // An event nobody can receive: the sequence advances, nothing is built.
  void publish_unseen();
  template <class Body>
  void publish(std::string_view topic, fb::EventBody type, flatbuffers::Offset<Body> body);

  zmq::socket_t& socket_;
  const Scheduler& scheduler_;
  BrokerProbe& probe_;
  const Clock& clock_;
  flatbuffers::FlatBufferBuilder builder_{1024};
  uint64_t last_publish_ms_ = 0;
  int64_t subscriptions_ = 0;  // live subscriptions over all subscribers (XPUB_VERBOSER)
};

}  // namespace litc::broker
