// EventPublisher: the broker's PUB socket. Stamps every event with the broker epoch and the next
// gap-free sequence number, and sends Hugz when idle so subscribers can tell silence from death.
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

 private:
  template <class Body>
  void publish(std::string_view topic, fb::EventBody type, flatbuffers::Offset<Body> body);

  zmq::socket_t& socket_;
  const Scheduler& scheduler_;
  BrokerProbe& probe_;
  const Clock& clock_;
  flatbuffers::FlatBufferBuilder builder_{1024};
  uint64_t last_publish_ms_ = 0;
};

}  // namespace litc::broker
