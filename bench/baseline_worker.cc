// litc-baseline-worker: the DEALER echo worker of the transport baseline. Sends "READY" once, then
// sends every [client id][request] it receives straight back, on the socket thread: no pool, no
// FlatBuffers, no slots. Exits on SIGINT/SIGTERM.
#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <string>
#include <vector>
#include <zmq.hpp>

namespace {

std::atomic<bool> g_stop{false};
void on_signal(int) {
  g_stop.store(true);
}

}  // namespace

int main(int argc, char** argv) {
  std::string broker;
  CLI::App app{"litc-baseline-worker: echo worker of litc-bench's raw transport baseline."};
  app.add_option("--broker", broker, "litc-baseline-broker backend endpoint")->required();
  CLI11_PARSE(app, argc, argv);
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);

  zmq::context_t context(1);
  zmq::socket_t socket(context, zmq::socket_type::dealer);
  socket.set(zmq::sockopt::linger, 0);
  socket.set(zmq::sockopt::sndhwm, 100'000);
  socket.set(zmq::sockopt::rcvhwm, 100'000);
  socket.connect(broker);
  socket.send(zmq::str_buffer("READY"), zmq::send_flags::none);

  zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
  std::vector<zmq::message_t> parts;
  while (!g_stop.load(std::memory_order_relaxed)) {
    try {
      zmq::poll(&item, 1, std::chrono::milliseconds(100));
    } catch (const zmq::error_t& e) {
      if (e.num() != EINTR) throw;
      continue;
    }
    for (int i = 0; i < 256; ++i) {
      parts.clear();
      parts.emplace_back();
      if (!socket.recv(parts.back(), zmq::recv_flags::dontwait)) break;
      while (parts.back().more()) {
        parts.emplace_back();
        (void)socket.recv(parts.back(), zmq::recv_flags::none);
      }
      for (std::size_t j = 0; j < parts.size(); ++j) {
        socket.send(parts[j],
                    j + 1 < parts.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
      }
    }
  }
  return 0;
}
