// litc-baseline-broker: the raw 2-hop transport limit litc-bench measures our broker against. A
// ROUTER for clients and a ROUTER for workers, frames forwarded untouched: no FlatBuffers, no job
// table, no events. Same socket options and poll-then-batch loop shape as litc-broker.
//
//   client  [request]          -> frontend ROUTER -> [worker id][client id][request] -> worker
//   worker  [client id][reply] -> backend ROUTER  -> [client id][reply]              -> client
// A worker announces itself with one frame "READY"; requests go to workers round robin (no
// credits: the raw transport). Requests that arrive before any worker are held until one does.
#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <deque>
#include <fstream>
#include <string>
#include <vector>
#include <zmq.hpp>

namespace {

std::atomic<bool> g_stop{false};
void on_signal(int) {
  g_stop.store(true);
}

// Receives the rest of a multipart message into `parts` (which already holds the first frame).
void recv_rest(zmq::socket_t& s, std::vector<zmq::message_t>& parts) {
  while (parts.back().more()) {
    parts.emplace_back();
    (void)s.recv(parts.back(), zmq::recv_flags::none);
  }
}

void send_all(zmq::socket_t& s, std::vector<zmq::message_t>& parts, std::size_t from) {
  for (std::size_t i = from; i < parts.size(); ++i) {
    s.send(parts[i], i + 1 < parts.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string frontend_ep = "tcp://127.0.0.1:*", backend_ep = "tcp://127.0.0.1:*", endpoints_file;
  int hwm = 100'000;
  CLI::App app{
      "litc-baseline-broker: raw ROUTER/ROUTER forwarder, the transport baseline of "
      "litc-bench."};
  app.add_option("--frontend", frontend_ep, "ROUTER endpoint for clients")->capture_default_str();
  app.add_option("--backend", backend_ep, "ROUTER endpoint for workers")->capture_default_str();
  app.add_option("--endpoints-file", endpoints_file,
                 "after binding, write frontend=... and backend=... lines here");
  app.add_option("--hwm", hwm, "send/receive high-water mark per peer (as litc-broker --send-hwm)")
      ->check(CLI::Range(100, 10'000'000))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);

  zmq::context_t context(1);
  zmq::socket_t frontend(context, zmq::socket_type::router);
  zmq::socket_t backend(context, zmq::socket_type::router);
  for (zmq::socket_t* s : {&frontend, &backend}) {
    s->set(zmq::sockopt::linger, 200);
    s->set(zmq::sockopt::sndhwm, hwm);
    s->set(zmq::sockopt::rcvhwm, hwm);
  }
  try {
    frontend.bind(frontend_ep);
    backend.bind(backend_ep);
  } catch (const zmq::error_t& e) {
    std::fprintf(stderr, "litc-baseline-broker: bind: %s\n", e.what());
    return 1;
  }
  if (!endpoints_file.empty()) {
    std::string tmp = endpoints_file + ".tmp";
    {
      std::ofstream out(tmp, std::ios::trunc);
      out << "frontend=" << frontend.get(zmq::sockopt::last_endpoint)
          << "\nbackend=" << backend.get(zmq::sockopt::last_endpoint) << "\n";
    }
    std::rename(tmp.c_str(), endpoints_file.c_str());
  }

  std::vector<std::string> workers;
  std::size_t next_worker = 0;
  std::deque<std::vector<zmq::message_t>> held;  // [client id][request...] before any worker
  std::vector<zmq::message_t> parts;
  auto forward_request = [&](std::vector<zmq::message_t>& request) {
    const std::string& w = workers[next_worker++ % workers.size()];
    backend.send(zmq::buffer(w), zmq::send_flags::sndmore);
    send_all(backend, request, 0);
  };

  zmq::pollitem_t items[] = {{frontend.handle(), 0, ZMQ_POLLIN, 0},
                             {backend.handle(), 0, ZMQ_POLLIN, 0}};
  constexpr int kBatch = 256;
  while (!g_stop.load(std::memory_order_relaxed)) {
    try {
      zmq::poll(items, 2, std::chrono::milliseconds(10));
    } catch (const zmq::error_t& e) {
      if (e.num() != EINTR) throw;
      continue;
    }
    for (int i = 0; i < kBatch; ++i) {
      parts.clear();
      parts.emplace_back();
      if (!backend.recv(parts.back(), zmq::recv_flags::dontwait)) break;
      recv_rest(backend, parts);
      if (parts.size() == 2 && parts[1].to_string_view() == "READY") {
        workers.push_back(parts[0].to_string());
        while (!held.empty()) {
          forward_request(held.front());
          held.pop_front();
        }
        continue;
      }
      if (parts.size() >= 3) send_all(frontend, parts, 1);
    }
    for (int i = 0; i < kBatch; ++i) {
      parts.clear();
      parts.emplace_back();
      if (!frontend.recv(parts.back(), zmq::recv_flags::dontwait)) break;
      recv_rest(frontend, parts);
      if (workers.empty()) {
        held.push_back(std::move(parts));  // leaves `parts` empty; cleared again next turn
        continue;
      }
      forward_request(parts);
    }
  }
  return 0;
}
