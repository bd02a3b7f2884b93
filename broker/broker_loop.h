// BrokerLoop: the broker's one event loop. Owns the four sockets, decodes and checks every frame,
// feeds the Scheduler, and turns its decisions into frames. All I/O of the broker is here.
#pragma once

#include <flatbuffers/flatbuffers.h>

#include <atomic>
#include <string>
#include <string_view>
#include <zmq.hpp>

#include "broker/broker_options.h"
#include "broker/broker_probe.h"
#include "broker/event_publisher.h"
#include "broker/scheduler.h"

namespace litc::broker {

// The wall clock as of the last refresh(). The loop refreshes it once per message it handles, so
// a job's handling reads the clock once instead of at every time stamp (about six per job), and
// every stamp of one message is the same instant.
class SystemClock final : public Clock {
 public:
  SystemClock() { refresh(); }
  void refresh();
  uint64_t now_ms() const override { return now_ms_; }

 private:
  uint64_t now_ms_ = 0;
};

class BrokerLoop final : public SchedulerOutput {
 public:
  // Binds all sockets (throws zmq::error_t on a bad or busy endpoint: a start-up error).
  BrokerLoop(BrokerOptions options, zmq::context_t& context);

  // Serves until `stop` becomes true.
  void run(const std::atomic<bool>& stop);

  struct Endpoints {
    std::string clients, workers, events, snapshot;
  };
  const Endpoints& endpoints() const { return endpoints_; }
  uint64_t epoch() const { return probe_.epoch; }

  // SchedulerOutput
  void assign(const Worker& worker, const Job& job) override;
  void cancel_on_worker(const Worker& worker, const Job& job, uint32_t attempt) override;
  void disconnect_worker(const Worker& worker, std::string_view reason) override;
  void job_event(fb::JobEventKind kind, const Job& job) override;
  void node_event(fb::NodeEventKind kind, const Worker& worker) override;
  void reply_final(const Waiter& waiter, const Job& job) override;

 private:
  // Reads one routed message: [routing id][payload]; returns the number of frames after the id.
  static int recv_routed(zmq::socket_t& s, zmq::message_t& rid, zmq::message_t& payload);

  void on_client(const zmq::message_t& rid, const zmq::message_t& payload, int frames);
  void on_worker(const zmq::message_t& rid, const zmq::message_t& payload, int frames);
  void on_snapshot(const zmq::message_t& rid, const zmq::message_t& payload, int frames);
  void heartbeat_workers();

  void send_client(std::string_view rid);
  void send_worker(std::string_view rid);
  void reply_error(std::string_view rid, uint64_t request_id, fb::ErrorCode code,
                   std::string_view message, std::string_view job_id = {});
  void reply_job(std::string_view rid, uint64_t request_id, const Job& job, bool final);
  void worker_error(std::string_view rid, fb::ErrorCode code, std::string_view message);
  void worker_disconnect(std::string_view rid, std::string_view reason);

  // Garbage from a peer is logged at warn, but at most a few lines a second so a flood of bad
  // frames cannot flood the log; the counters in BrokerProbe see every one.
  class BadFrameLog {
   public:
    void note(std::string_view socket, fb::ErrorCode code, const char* reason,
              const zmq::message_t& payload, uint64_t now_ms);

   private:
    uint64_t window_ = 0;
    int logged_ = 0;
  };

  BrokerOptions options_;
  SystemClock clock_;
  BadFrameLog bad_frames_;
  BrokerProbe probe_;
  zmq::socket_t clients_;
  zmq::socket_t workers_;
  zmq::socket_t events_;
  zmq::socket_t snapshot_;
  Endpoints endpoints_;
  Scheduler scheduler_;
  EventPublisher publisher_;
  flatbuffers::FlatBufferBuilder client_builder_{1024};
  flatbuffers::FlatBufferBuilder worker_builder_{1024};
  flatbuffers::FlatBufferBuilder snapshot_builder_{64 * 1024};
};

}  // namespace litc::broker
