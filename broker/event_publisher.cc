// EventPublisher: epoch + gap-free seq on every event, Hugz when idle (see event_publisher.h).
#include "broker/event_publisher.h"

#include "broker/records.h"
#include "protocol/codec.h"

namespace litc::broker {

EventPublisher::EventPublisher(zmq::socket_t& socket, const Scheduler& scheduler,
                               BrokerProbe& probe, const Clock& clock)
    : socket_(socket), scheduler_(scheduler), probe_(probe), clock_(clock) {}

template <class Body>
void EventPublisher::publish(std::string_view topic, fb::EventBody type,
                             flatbuffers::Offset<Body> body) {
  uint64_t now = clock_.now_ms();
  bool hugz = type == fb::EventBody::Hugz;
  uint64_t seq = hugz ? probe_.seq : probe_.seq + 1;
  fb::FinishEventBuffer(builder_, fb::CreateEvent(builder_, kProtocolVersion, probe_.epoch, seq,
                                                  now, type, body.Union()));
  // PUB never blocks: at the high-water mark it drops, which subscribers see as a seq gap.
  socket_.send(zmq::buffer(topic), zmq::send_flags::sndmore);
  socket_.send(take_frame(builder_), zmq::send_flags::none);
  if (!hugz) {
    probe_.seq = seq;
    ++probe_.events_published;
  }
  last_publish_ms_ = now;
}

void EventPublisher::job(fb::JobEventKind kind, const Job& job) {
  // The hot transitions carry only what changed (see RecordDetail).
  bool lean = kind == fb::JobEventKind::assigned || kind == fb::JobEventKind::completed ||
              kind == fb::JobEventKind::requeued || kind == fb::JobEventKind::progress;
  auto record = build_job_record(builder_, scheduler_, job,
                                 lean ? RecordDetail::changes : RecordDetail::full);
  publish("job", fb::EventBody::JobEvent, fb::CreateJobEvent(builder_, kind, record));
}

void EventPublisher::node(fb::NodeEventKind kind, const Worker& worker) {
  auto record = build_node_record(builder_, scheduler_, worker);
  publish("node", fb::EventBody::NodeEvent, fb::CreateNodeEvent(builder_, kind, record));
}

void EventPublisher::hugz_if_idle(uint64_t idle_ms) {
  if (clock_.now_ms() - last_publish_ms_ < idle_ms) return;
  publish("hugz", fb::EventBody::Hugz, fb::CreateHugz(builder_));
}

}  // namespace litc::broker
