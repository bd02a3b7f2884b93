// Integration-test harness: real processes on loopback, their logs in a temp dir (see harness.h).
#include "tests/integration/harness.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <iostream>

namespace litc::it {
namespace {

// Starts a child with stdout/stderr in <log_dir>/<name>.out/.err; fails the test when it cannot.
std::unique_ptr<ChildProcess> spawn(const std::string& name, std::vector<std::string> argv,
                                    const std::filesystem::path& log_dir) {
  auto p = std::make_unique<ChildProcess>(name, std::move(argv), log_dir);
  if (!p->started()) ADD_FAILURE() << p->error();
  return p;
}

EventInfo decode_event_frames(const std::string& topic, const zmq::message_t& body, bool* ok) {
  EventInfo e;
  e.topic = topic;
  e.received = Clock::now();
  auto d = decode_event(body.data(), body.size());
  *ok = d.ok();
  if (!d.ok()) return e;
  const fb::Event& ev = *d.msg;
  e.epoch = ev.epoch();
  e.seq = ev.seq();
  e.time_ms = ev.time_ms();
  switch (ev.body_type()) {
    case fb::EventBody::JobEvent: {
      const auto* je = ev.body_as_JobEvent();
      e.type = EventInfo::Type::job;
      e.job_kind = je->kind();
      e.job = JobInfo::from(*je->job());
      break;
    }
    case fb::EventBody::NodeEvent: {
      const auto* ne = ev.body_as_NodeEvent();
      e.type = EventInfo::Type::node;
      e.node_kind = ne->kind();
      e.node_id = std::string(view(ne->node()->node_id()));
      e.node_capacity = ne->node()->capacity();
      e.node_active_jobs = ne->node()->active_jobs();
      e.node_online = ne->node()->online();
      break;
    }
    case fb::EventBody::Hugz:
      e.type = EventInfo::Type::hugz;
      break;
    default:
      e.type = EventInfo::Type::other;
      break;
  }
  return e;
}

}  // namespace

std::string bin_path(const std::string& name) {
  return std::string(LITC_BIN_DIR) + "/" + name;
}

// ---------------------------------------------------------------------------------------------
EventTap::EventTap(zmq::context_t& context, const std::string& endpoint) : context_(context) {
  thread_ = std::thread([this, endpoint] { run(endpoint); });
}

EventTap::~EventTap() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void EventTap::run(std::string endpoint) {
  zmq::socket_t sub(context_, zmq::socket_type::sub);
  sub.set(zmq::sockopt::linger, 0);
  sub.set(zmq::sockopt::rcvhwm, 0);  // never drop: tests count every event
  sub.set(zmq::sockopt::subscribe, "");
  sub.connect(endpoint);
  std::vector<zmq::pollitem_t> items = {{sub.handle(), 0, ZMQ_POLLIN, 0}};
  while (!stop_) {
    zmq::poll(items, std::chrono::milliseconds(50));
    if (!(items[0].revents & ZMQ_POLLIN)) continue;
    std::vector<EventInfo> batch;
    // Drain what is queued, then publish the batch under the lock once.
    while (batch.size() < 4096) {
      zmq::message_t topic;
      if (!sub.recv(topic, zmq::recv_flags::dontwait)) break;
      std::vector<zmq::message_t> rest;
      while (sub.get(zmq::sockopt::rcvmore)) {
        zmq::message_t part;
        (void)sub.recv(part);
        rest.push_back(std::move(part));
      }
      if (rest.size() != 1) {
        ++bad_frames_;
        continue;
      }
      bool ok = false;
      EventInfo e = decode_event_frames(topic.to_string(), rest[0], &ok);
      if (!ok) {
        ++bad_frames_;
        continue;
      }
      batch.push_back(std::move(e));
    }
    if (batch.empty()) continue;
    {
      std::lock_guard<std::mutex> lock(mu_);
      any_ = true;
      for (auto& e : batch) events_.push_back(std::move(e));
    }
    cv_.notify_all();
  }
}

bool EventTap::wait_ready(milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, timeout, [this] { return any_; });
}

bool EventTap::wait_for(const std::function<bool(const std::vector<EventInfo>&)>& pred,
                        milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return pred(events_); });
}

std::vector<EventInfo> EventTap::events() const {
  std::lock_guard<std::mutex> lock(mu_);
  return events_;
}

int count_job_events(const std::vector<EventInfo>& events, fb::JobEventKind kind,
                     const std::string& job_id) {
  int n = 0;
  for (const auto& e : events) {
    if (e.type == EventInfo::Type::job && e.job_kind == kind &&
        (job_id.empty() || e.job.job_id == job_id)) {
      ++n;
    }
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
Network::Network(NetworkOptions options) : options_(std::move(options)) {
  context_.set(zmq::ctxopt::blocky, 0);  // sockets default to linger 0: teardown never blocks
  const auto endpoints_file = dir_.path() / "endpoints";
  Endpoints any;
  any.clients = any.workers = any.events = any.snapshot = "tcp://127.0.0.1:*";
  broker_ = spawn("broker", broker_argv(any), dir_.path());
  auto ep = localnet::wait_endpoints_file(endpoints_file, *broker_, milliseconds(10000));
  if (!ep) {
    ADD_FAILURE() << "broker did not write " << endpoints_file << "\n" << broker_->tail();
    return;
  }
  endpoints_ = *ep;
  ok_ = true;
}

std::vector<std::string> Network::broker_argv(const Endpoints& e) const {
  std::vector<std::string> argv = {bin_path("litc-broker"),
                                   "--clients",
                                   e.clients,
                                   "--workers",
                                   e.workers,
                                   "--events",
                                   e.events,
                                   "--snapshot",
                                   e.snapshot,
                                   "--endpoints-file",
                                   (dir_.path() / "endpoints").string(),
                                   "--heartbeat-ms",
                                   std::to_string(options_.heartbeat_ms),
                                   "--liveness",
                                   std::to_string(options_.liveness)};
  argv.insert(argv.end(), options_.broker_args.begin(), options_.broker_args.end());
  return argv;
}

bool Network::restart_broker() {
  broker_->kill();
  const auto endpoints_file = dir_.path() / "endpoints";
  std::filesystem::remove(endpoints_file);
  old_brokers_.push_back(std::move(broker_));
  broker_ = spawn(numbered("broker-", static_cast<int>(old_brokers_.size()) + 1),
                  broker_argv(endpoints_), dir_.path());
  if (!localnet::wait_endpoints_file(endpoints_file, *broker_, milliseconds(10000))) {
    ADD_FAILURE() << "restarted broker did not write " << endpoints_file << "\n" << broker_->tail();
    return false;
  }
  return true;
}

Network::~Network() {
  bool failed = ::testing::Test::HasFailure();
  for (auto& w : workers_) w->kill();
  if (broker_) broker_->kill();
  if (failed) {
    dir_.keep();
    std::cerr << "=== litcompute processes (logs kept in " << dir_.path() << ")\n"
              << logs() << std::flush;
  }
}

NetworkOptions load_test_options() {
  NetworkOptions o;
  o.liveness = 10;
  return o;
}

ChildProcess& Network::add_worker(const std::string& node_id, const std::string& ops,
                                  int max_concurrent, const std::vector<std::string>& extra) {
  std::vector<std::string> argv = {bin_path("litc-worker"),
                                   "--broker",
                                   endpoints_.workers,
                                   "--node-id",
                                   node_id,
                                   "--ops",
                                   ops,
                                   "--max-concurrent",
                                   std::to_string(max_concurrent),
                                   "--heartbeat-ms",
                                   std::to_string(options_.heartbeat_ms),
                                   "--liveness",
                                   std::to_string(options_.liveness),
                                   "--reconnect-min-ms",
                                   "50",
                                   "--reconnect-max-ms",
                                   "500"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  workers_.push_back(spawn(node_id, argv, dir_.path()));
  return *workers_.back();
}

ChildProcess& Network::worker(const std::string& node_id) {
  for (auto& w : workers_) {
    if (w->name() == node_id) return *w;
  }
  ADD_FAILURE() << "no worker named " << node_id;
  return *workers_.front();
}

bool Network::wait_workers_online(uint64_t n, milliseconds timeout) {
  return eventually([&] { return stat("workers_online") == n; }, timeout, milliseconds(20));
}

std::unique_ptr<Client> Network::client(int timeout_ms) {
  ClientOptions o;
  o.broker = endpoints_.clients;
  o.timeout_ms = timeout_ms;
  return std::make_unique<Client>(o, &context_);
}

std::unique_ptr<EventTap> Network::tap() {
  return std::make_unique<EventTap>(context_, endpoints_.events);
}

std::optional<uint64_t> Network::stat(const std::string& name) {
  auto c = client(2000);
  auto r = c->stats();
  if (!r.ok()) return std::nullopt;
  return r.value().get(name);
}

std::optional<JobInfo> Network::wait_job_state(const std::string& job_id, fb::JobState state,
                                               milliseconds timeout) {
  auto c = client(2000);
  std::optional<JobInfo> last;
  bool reached = eventually(
      [&] {
        auto r = c->status(job_id);
        if (r.ok()) last = r.value();
        return r.ok() && r.value().state == state;
      },
      timeout, milliseconds(10));
  if (!reached) return std::nullopt;
  return last;
}

std::unique_ptr<ChildProcess> Network::start_cli(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {bin_path("litc")};
  argv.insert(argv.end(), args.begin(), args.end());
  return spawn("litc-" + std::to_string(++cli_runs_), argv, dir_.path());
}

CliResult Network::cli(const std::vector<std::string>& args, milliseconds timeout) {
  std::vector<std::string> argv = {bin_path("litc")};
  argv.insert(argv.end(), args.begin(), args.end());
  auto start = Clock::now();
  auto p = spawn("litc-" + std::to_string(++cli_runs_), argv, dir_.path());
  CliResult r;
  auto code = p->wait(timeout);
  r.elapsed = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
  if (!code) p->kill();
  r.exit_code = code.value_or(-1);
  r.out = p->out();
  r.err = p->err();
  return r;
}

std::string Network::logs() const {
  std::string s;
  for (const auto& b : old_brokers_) s += b->tail();
  if (broker_) s += broker_->tail();
  for (const auto& w : workers_) s += w->tail();
  return s;
}

// ---------------------------------------------------------------------------------------------
namespace {

// Position just after `"key"` and the following colon, or npos.
std::size_t value_start(const std::string& json, const std::string& key) {
  const std::string quoted = "\"" + key + "\"";
  std::size_t pos = 0;
  while ((pos = json.find(quoted, pos)) != std::string::npos) {
    std::size_t p = pos + quoted.size();
    while (p < json.size() && std::isspace(static_cast<unsigned char>(json[p]))) ++p;
    if (p < json.size() && json[p] == ':') {
      ++p;
      while (p < json.size() && std::isspace(static_cast<unsigned char>(json[p]))) ++p;
      return p;
    }
    pos = p;
  }
  return std::string::npos;
}

}  // namespace

std::optional<std::string> json_string(const std::string& json, const std::string& key) {
  std::size_t p = value_start(json, key);
  if (p == std::string::npos || p >= json.size() || json[p] != '"') return std::nullopt;
  std::string out;
  for (++p; p < json.size(); ++p) {
    char c = json[p];
    if (c == '"') return out;
    if (c == '\\' && p + 1 < json.size()) {
      char n = json[++p];
      switch (n) {
        case 'n':
          out.push_back('\n');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'r':
          out.push_back('\r');
          break;
        default:
          out.push_back(n);  // \" \\ \/ (and \uXXXX kept raw)
      }
      continue;
    }
    out.push_back(c);
  }
  return std::nullopt;
}

std::optional<int64_t> json_int(const std::string& json, const std::string& key) {
  std::size_t p = value_start(json, key);
  if (p == std::string::npos || p >= json.size()) return std::nullopt;
  std::size_t end = p;
  if (end < json.size() && json[end] == '-') ++end;
  while (end < json.size() && std::isdigit(static_cast<unsigned char>(json[end]))) ++end;
  if (end == p) return std::nullopt;
  return std::stoll(json.substr(p, end - p));
}

SubmitRequest make_job(const std::string& job_id, const std::string& operation,
                       const std::string& input, int32_t priority) {
  SubmitRequest r;
  r.job_id = job_id;
  r.operation = operation;
  r.input = input;
  r.priority = priority;
  return r;
}

std::string numbered(std::string_view prefix, int i) {
  std::string s(prefix);
  s += std::to_string(i);
  return s;
}

int unused_tcp_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  int port = 0;
  socklen_t len = sizeof(addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

bool eventually(const std::function<bool()>& pred, milliseconds timeout, milliseconds interval) {
  auto deadline = Clock::now() + timeout;
  while (true) {
    if (pred()) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(interval);
  }
}

}  // namespace litc::it
