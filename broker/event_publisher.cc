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
  if (subscriptions_ <= 0 && hugz) {  // job and node events never get here unseen
    builder_.Clear();
    last_publish_ms_ = now;
    return;
  }
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

void EventPublisher::read_subscriptions() {
  zmq::message_t m;
  while (socket_.recv(m, zmq::recv_flags::dontwait)) {
    // XPUB delivers "\x01topic" / "\x00topic"; with XPUB_VERBOSER every one of them, including
    // the unsubscriptions libzmq generates when a subscriber disconnects.
    if (m.size() >= 1) subscriptions_ += static_cast<const uint8_t*>(m.data())[0] == 1 ? 1 : -1;
  }
}

void EventPublisher::job(fb::JobEventKind kind, const Job& job) {
  if (subscriptions_ <= 0) return publish_unseen();
  // The hot transitions carry only what changed (see RecordDetail).
  bool lean = kind == fb::JobEventKind::assigned || kind == fb::JobEventKind::completed ||
              kind == fb::JobEventKind::requeued || kind == fb::JobEventKind::progress;
  auto record = build_job_record(builder_, scheduler_, job,
                                 lean ? RecordDetail::changes : RecordDetail::full);
  publish("job", fb::EventBody::JobEvent, fb::CreateJobEvent(builder_, kind, record));
}

void EventPublisher::publish_unseen() {
  ++probe_.seq;
  ++probe_.events_published;
  last_publish_ms_ = clock_.now_ms();
}

void EventPublisher::node(fb::NodeEventKind kind, const Worker& worker) {
  if (subscriptions_ <= 0) return publish_unseen();
  auto record = build_node_record(builder_, scheduler_, worker);
  publish("node", fb::EventBody::NodeEvent, fb::CreateNodeEvent(builder_, kind, record));
}

void EventPublisher::hugz_if_idle(uint64_t idle_ms) {
  if (clock_.now_ms() - last_publish_ms_ < idle_ms) return;
  publish("hugz", fb::EventBody::Hugz, fb::CreateHugz(builder_));
}

}  // namespace litc::broker
