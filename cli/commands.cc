// The `litc` subcommands: one blocking Client call (or a SUB loop for watch), one JSON value on
// stdout, a one-line reason on stderr, and the exit status scripts branch on (see commands.h).
#include "cli/commands.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <vector>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "protocol/job_json.h"

namespace litc::cli {
namespace {

// stdout carries JSON only, one value per line, flushed so a pipe reader sees it at once.
void print(const std::string& json) {
  std::cout << json << '\n' << std::flush;
}

int broker_error(const ClientError& error) {
  std::cerr << "litc: " << error_name(error.code) << ": " << error.message << '\n';
  return kExitError;
}

// A job that ended failed or cancelled is not a tool failure (its JSON is the answer) but scripts
// must be able to tell it from success without parsing.
int job_exit(const JobInfo& job) {
  if (job.state == fb::JobState::failed) {
    std::cerr << "litc: job " << job.job_id << " failed: " << error_name(job.error_code);
    if (!job.error_message.empty()) std::cerr << ": " << job.error_message;
    std::cerr << '\n';
    return kExitJobFailed;
  }
  if (job.state == fb::JobState::cancelled) {
    std::cerr << "litc: job " << job.job_id << " was cancelled\n";
    return kExitJobFailed;
  }
  return kExitOk;
}

int print_job(const ClientResult<JobInfo>& result) {
  if (!result.ok()) return broker_error(result.error());
  print(to_json(result.value()));
  return job_exit(result.value());
}

}  // namespace

// Reads the whole file as bytes; "-" is stdin, so `... | litc submit --input-file -` works.
bool read_input(const std::string& path, std::string& out) {
  if (path == "-") {
    std::ostringstream buffer;
    buffer << std::cin.rdbuf();
    out = buffer.str();
    return !std::cin.bad();
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) return false;
  out.assign(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
  return !file.bad();
}

int run_submit(SubmitOptions o) {
  if (!o.input_file.empty()) {
    if (!read_input(o.input_file, o.request.input)) {
      std::cerr << "litc: cannot read --input-file " << o.input_file << ": " << std::strerror(errno)
                << '\n';
      return kExitError;
    }
  } else {
    o.request.input = std::move(o.input);
  }
  Client client(o.client);
  if (o.wait) return print_job(client.submit_and_wait(o.request, o.wait_timeout_ms));
  o.request.wait = false;
  auto ack = client.submit(o.request);
  if (!ack.ok()) return broker_error(ack.error());
  print(to_json(ack.value()));
  return job_exit(ack.value().job);
}

int run_status(const JobOptions& o) {
  Client client(o.client);
  return print_job(client.status(o.job_id));
}

int run_cancel(const JobOptions& o) {
  Client client(o.client);
  auto result = client.cancel(o.job_id);
  if (!result.ok()) return broker_error(result.error());
  // The job being cancelled is what was asked for: success, unlike status of a cancelled job.
  print(to_json(result.value()));
  return kExitOk;
}

int run_replay(const JobOptions& o) {
  Client client(o.client);
  if (o.wait) return print_job(client.replay_and_wait(o.job_id, o.wait_timeout_ms));
  return print_job(client.replay(o.job_id));
}

int run_dead_letters(const DeadLetterOptions& o) {
  Client client(o.client);
  auto result = client.dead_letters(o.limit);
  if (!result.ok()) return broker_error(result.error());
  print(to_json(result.value()));
  return kExitOk;
}

int run_stats(const ClientOptions& o) {
  Client client(o);
  auto result = client.stats();
  if (!result.ok()) return broker_error(result.error());
  print(to_json(result.value()));
  return kExitOk;
}

int run_watch(const WatchOptions& o) {
  zmq::context_t context(1);
  zmq::socket_t sub(context, zmq::socket_type::sub);
  sub.set(zmq::sockopt::linger, 0);
  try {
    sub.connect(o.events);
  } catch (const zmq::error_t& e) {
    std::cerr << "litc: invalid_argument: cannot connect to events endpoint '" << o.events
              << "': " << e.what() << '\n';
    return kExitError;
  }
  // Topics are "job", "node", "hugz": filtering hugz out at the socket means they neither print
  // nor count as activity for --timeout-ms.
  if (o.no_hugz) {
    sub.set(zmq::sockopt::subscribe, "job");
    sub.set(zmq::sockopt::subscribe, "node");
  } else {
    sub.set(zmq::sockopt::subscribe, "");
  }

  using Clock = std::chrono::steady_clock;
  uint64_t printed = 0;
  auto last_event = Clock::now();
  while (o.count == 0 || printed < o.count) {
    long wait_ms = -1;
    if (o.timeout_ms > 0) {
      auto idle =
          std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - last_event).count();
      wait_ms = idle >= o.timeout_ms ? 0 : o.timeout_ms - idle;
    }
    zmq::pollitem_t item{sub.handle(), 0, ZMQ_POLLIN, 0};
    int ready = 0;
    try {
      ready = zmq::poll(&item, 1, std::chrono::milliseconds(wait_ms));
    } catch (const zmq::error_t&) {
      break;  // interrupted by a signal: stop like --count reached
    }
    if (ready == 0) {
      if (o.count == 0) return kExitOk;  // "until quiet" was the request
      std::cerr << "litc: timeout: no event from " << o.events << " within " << o.timeout_ms
                << " ms (got " << printed << " of " << o.count << ")\n";
      return kExitError;
    }
    std::vector<zmq::message_t> frames;
    if (!zmq::recv_multipart(sub, std::back_inserter(frames), zmq::recv_flags::dontwait)) {
      continue;
    }
    // A bad frame is reported and skipped: one broken publisher message must not end a watch.
    if (frames.size() != 2) {
      std::cerr << "litc: malformed_frame: skipped an event of " << frames.size()
                << " frames (expected [topic][Event])\n";
      continue;
    }
    auto decoded = decode_event(frames[1].data(), frames[1].size(), o.max_frame_bytes);
    if (!decoded.ok()) {
      std::cerr << "litc: " << error_name(decoded.error) << ": skipped an event: " << decoded.reason
                << '\n';
      continue;
    }
    print(event_to_json(*decoded.msg));
    ++printed;
    last_event = Clock::now();
  }
  return kExitOk;
}

}  // namespace litc::cli
