// EventCounter: SUB thread that verifies, counts and gap-checks the broker's events (see .h).
#include "bench/event_counter.h"

#include "protocol/codec.h"

namespace litc::bench {

EventCounter::EventCounter(zmq::context_t& context, std::string endpoint)
    : thread_([this, &context, endpoint = std::move(endpoint)] { run(context, endpoint); }) {}

EventCounter::~EventCounter() {
  stop_.store(true);
  thread_.join();
}

void EventCounter::run(zmq::context_t& context, std::string endpoint) {
  zmq::socket_t sub(context, zmq::socket_type::sub);
  sub.set(zmq::sockopt::linger, 0);
  sub.set(zmq::sockopt::rcvhwm, 0);  // never drop on our side: a gap must be the broker's
  sub.set(zmq::sockopt::subscribe, "");
  sub.connect(endpoint);
  zmq::pollitem_t item{sub.handle(), 0, ZMQ_POLLIN, 0};
  zmq::message_t topic, frame;
  while (!stop_.load(std::memory_order_relaxed)) {
    if (zmq::poll(&item, 1, std::chrono::milliseconds(50)) == 0) continue;
    for (int i = 0; i < 1024; ++i) {
      if (!sub.recv(topic, zmq::recv_flags::dontwait)) break;
      live_.store(true);
      if (!topic.more()) {
        bad_frames_.fetch_add(1);
        continue;
      }
      (void)sub.recv(frame, zmq::recv_flags::none);
      while (frame.more()) {  // [topic][Event] exactly; drain anything beyond
        bad_frames_.fetch_add(1);
        (void)sub.recv(frame, zmq::recv_flags::none);
      }
      on_frame(frame);
    }
  }
}

void EventCounter::on_frame(const zmq::message_t& frame) {
  auto d = decode_event(frame.data(), frame.size());
  if (!d.ok()) {
    bad_frames_.fetch_add(1);
    return;
  }
  const fb::Event& e = *d.msg;
  if (epoch_ != e.epoch()) {
    if (epoch_ != 0) epoch_changes_.fetch_add(1);
    epoch_ = e.epoch();
    last_seq_.store(0);
  }
  uint64_t last = last_seq_.load(std::memory_order_relaxed);
  if (e.body_type() == fb::EventBody::Hugz) {
    hugz_.fetch_add(1);
    // Hugz repeats the last seq; a higher one means events were lost before it.
    if (last != 0 && e.seq() != last) {
      gaps_.fetch_add(1);
      if (e.seq() > last) missing_.fetch_add(e.seq() - last);
    }
    if (last == 0 || e.seq() > last) last_seq_.store(e.seq());
    return;
  }
  if (last != 0 && e.seq() != last + 1) {
    gaps_.fetch_add(1);
    if (e.seq() > last + 1) missing_.fetch_add(e.seq() - last - 1);
  }
  if (first_seq_.load(std::memory_order_relaxed) == 0) first_seq_.store(e.seq());
  last_seq_.store(e.seq());
  events_.fetch_add(1);
  if (e.body_type() == fb::EventBody::JobEvent) {
    job_events_.fetch_add(1);
  } else if (e.body_type() == fb::EventBody::NodeEvent) {
    node_events_.fetch_add(1);
  }
}

bool EventCounter::wait_live(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!live_.load()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

bool EventCounter::wait_seq(uint64_t seq, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (last_seq_.load() < seq) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

EventCounter::Counts EventCounter::counts() const {
  Counts c;
  c.events = events_.load();
  c.job_events = job_events_.load();
  c.node_events = node_events_.load();
  c.hugz = hugz_.load();
  c.gaps = gaps_.load();
  c.missing = missing_.load();
  c.bad_frames = bad_frames_.load();
  c.epoch_changes = epoch_changes_.load();
  c.first_seq = first_seq_.load();
  c.last_seq = last_seq_.load();
  return c;
}

}  // namespace litc::bench
