// What each `litc` subcommand does once its options are parsed (main.cc only parses and
// dispatches), so the contract "one JSON value on stdout, reasons on stderr, exit 0/1/2" lives in
// one place: commands.cc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "protocol/client.h"

namespace litc::cli {

// Exit statuses (see cli/README.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitJobFailed = 1;  // the job ended failed or cancelled; its JSON is printed
inline constexpr int kExitError = 2;      // broker unreachable/timeout, broker error, usage error

struct SubmitOptions {
  ClientOptions client;
  SubmitRequest request;
  std::string input;       // --input
  std::string input_file;  // --input-file ("-" = stdin)
  bool wait = false;
  int wait_timeout_ms = 300000;
};

struct JobOptions {  // status, cancel, replay
  ClientOptions client;
  std::string job_id;
  bool wait = false;  // replay only
  int wait_timeout_ms = 300000;
};

struct DeadLetterOptions {
  ClientOptions client;
  uint32_t limit = 0;
};

struct WatchOptions {
  std::string events = "tcp://127.0.0.1:5557";
  uint64_t count = 0;  // 0 = forever
  int timeout_ms = 0;  // idle timeout; 0 = never
  bool no_hugz = false;
  std::size_t max_frame_bytes = kDefaultMaxFrameBytes;
};

// Reads the whole file as bytes; "-" is stdin. False when it cannot be read.
bool read_input(const std::string& path, std::string& out);

int run_submit(SubmitOptions options);
int run_status(const JobOptions& options);
int run_cancel(const JobOptions& options);
int run_replay(const JobOptions& options);
int run_dead_letters(const DeadLetterOptions& options);
int run_stats(const ClientOptions& options);
int run_watch(const WatchOptions& options);

}  // namespace litc::cli
