// litc-bridge: parses flags, starts the HTTP server and runs the bridge loop until SIGINT/SIGTERM.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <boost/asio/thread_pool.hpp>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <optional>

#include "bridge/api/routes.h"
#include "bridge/bridge_loop.h"
#include "bridge/http/http_server.h"
#include "crypto/threshold/network_key.h"

namespace {

std::atomic<bool> g_stop{false};
void on_signal(int) {
  g_stop.store(true);
}

// Same format as litc-broker's endpoints file (localnet/endpoints_file.h): written, then renamed.
void write_endpoints(const std::string& path, unsigned short port, const std::string& host) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << "http=" << host << ":" << port << "\n";
    if (!out) throw std::runtime_error("cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    throw std::runtime_error("cannot rename " + tmp + " to " + path);
  }
}

}  // namespace

int main(int argc, char** argv) {
  using namespace litc::bridge;
  BridgeOptions o;
  HttpServerOptions http;
  std::string redis_url = "redis://127.0.0.1:6379";
  std::string endpoints_file;
  std::string log_level = "info";
  uint64_t broker_timeout_ms = o.broker_timeout_ms;
  std::string network_key_file;
  uint64_t decrypt_wait_ms = 10'000;
  unsigned decrypt_threads = 1;
  BlobStoreOptions blob;
  blob.dir = "blobs";
  uint64_t blob_retention_s = blob.retention_ms / 1000;

  CLI::App app{
      "litc-bridge: mirrors the broker's state into Redis and serves the /lit-compute HTTP API "
      "(litcompute)."};
  app.option_defaults()->always_capture_default();
  app.add_option("--broker", o.broker, "the broker's clients endpoint (ROUTER)");
  app.add_option("--events", o.events, "the broker's events endpoint (PUB)");
  app.add_option("--snapshot", o.snapshot, "the broker's snapshot endpoint (ROUTER)");
  app.add_option("--workers", o.http_nodes.workers_endpoint,
                 "the broker's workers endpoint: HTTP-only nodes are represented there");
  app.add_option("--redis", redis_url, "Redis to mirror into: redis://HOST[:PORT][/DB]");
  app.add_option("--listen", http.listen, "HTTP HOST:PORT (port 0 picks a free one)");
  app.add_option("--endpoints-file", endpoints_file,
                 "after binding, write http=HOST:PORT here (lets tests listen on port 0)");
  app.add_option("--body-limit", http.body_limit,
                 "largest HTTP request body in bytes; larger ones get 413 body_too_large")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{64} << 20));
  app.add_option("--http-threads", http.threads, "threads serving HTTP")
      ->check(CLI::Range(1u, 64u));
  app.add_option("--broker-timeout-ms", broker_timeout_ms,
                 "a broker request unanswered this long fails (503; a submit stays held)")
      ->check(CLI::Range(uint64_t{100}, uint64_t{600'000}));
  app.add_option("--silence-ms", o.clone.silence_ms,
                 "no event or Hugz from the broker for this long: resync from a snapshot")
      ->check(CLI::Range(uint64_t{500}, uint64_t{600'000}));
  app.add_option("--node-timeout-ms", o.http_nodes.node_timeout_ms,
                 "an HTTP node not heard for this long is disconnected; the broker re-queues "
                 "its jobs")
      ->check(CLI::Range(uint64_t{1000}, uint64_t{3'600'000}));
  app.add_option("--max-http-nodes", o.http_nodes.max_nodes,
                 "HTTP-only nodes the bridge represents at most; more get 503")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100'000}));
  app.add_option("--max-pending-requests", o.max_pending_calls,
                 "broker requests in flight at most; past it HTTP requests get 429")
      ->check(CLI::Range(std::size_t{1}, std::size_t{10'000'000}));
  app.add_option("--max-queued-requests", o.max_queued_tasks,
                 "HTTP requests waiting for the bridge loop at most; past it they get 429")
      ->check(CLI::Range(std::size_t{1}, std::size_t{10'000'000}));
  app.add_option("--max-redis-reads", o.max_request_reads,
                 "Redis reads of HTTP requests unanswered at most (Redis slow or frozen); past it "
                 "requests that read Redis get 429")
      ->check(CLI::Range(std::size_t{1}, std::size_t{10'000'000}));
  app.add_option("--max-event-backlog", o.max_event_backlog,
                 "events the bridge may hold unread when it falls behind; past it the broker "
                 "drops events for it and the bridge resyncs from a snapshot")
      ->check(CLI::Range(std::size_t{1000}, std::size_t{100'000'000}));
  app.add_option("--max-events-per-turn", o.max_events_per_turn,
                 "events applied per loop turn before its Redis writes go out (bigger turns "
                 "coalesce more writes per job, smaller ones answer HTTP sooner)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1'000'000));
  app.add_option("--redis-turns-in-flight", o.max_redis_turns_in_flight,
                 "turns whose Redis writes may be unanswered at once (0: wait for each)")
      ->capture_default_str()
      ->check(CLI::Range(0, 64));
  uint64_t retention_s = o.mirror.completed_retention_ms / 1000;
  app.add_option("--completed-retention-s", retention_s,
                 "how long jobs:completed keeps a job, and a finished job's hash lives")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{60}, uint64_t{366} * 24 * 3600));
  app.add_option("--node-ttl-s", o.mirror.node_ttl_s,
                 "TTL of nodes:{id}:status in Redis, refreshed while the node is online")
      ->check(CLI::Range(10u, 86'400u));
  app.add_option("--network-key", network_key_file,
                 "network.json (litc keygen --network): lets POST /lit-compute/decrypt decrypt "
                 "for callers (the bridge then sees their plaintext); without it that route "
                 "answers 501 network_key_required");
  app.add_option("--decrypt-wait-ms", decrypt_wait_ms,
                 "POST /decrypt waits this long for its decrypt job; then 503 quorum_unavailable "
                 "(and the job is cancelled). Below the HTTP handler timeout (30 s)")
      ->check(CLI::Range(uint64_t{100}, uint64_t{25'000}));
  app.add_option("--decrypt-threads", decrypt_threads,
                 "threads that verify, combine and open POST /decrypt shares (CPU work kept off "
                 "the bridge loop); more requests queue for them")
      ->check(CLI::Range(1u, 64u));
  app.add_option("--blob-dir", blob.dir,
                 "directory of the blob store: completed jobs' outputs (never a decrypt's) by "
                 "CID, served at GET /lit-compute/blobs/:cid and usable as a submit's inputCID; "
                 "relative to the working directory; \"\" disables it (those routes answer 404)");
  app.add_option(
         "--blob-max-bytes", blob.max_total_bytes,
         "bytes the blob store holds at most, counting whole 4 KiB blocks per blob; past it "
         "the oldest blobs are removed")
      ->check(CLI::Range(uint64_t{4096}, uint64_t{1} << 50));
  app.add_option("--blob-max-count", blob.max_blobs,
                 "blobs the store holds at most; past it the oldest are removed")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000'000}));
  app.add_option("--blob-retention-s", blob_retention_s,
                 "blobs older than this are removed (checked every second); 0 keeps them until "
                 "--blob-max-bytes needs the room")
      ->check(CLI::Range(uint64_t{0}, uint64_t{366} * 24 * 3600));
  app.add_option("--blob-max-blob-bytes", blob.max_blob_bytes,
                 "an output bigger than this is not stored (counted in "
                 "litc_bridge_blobs_too_large_total)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{256} << 20));
  app.add_option("--blob-queue-bytes", blob.max_queued_bytes,
                 "output bytes waiting for the blob writer at most; past it outputs are not "
                 "stored (litc_bridge_blobs_dropped_total): the bridge loop never waits for the "
                 "disk")
      ->check(CLI::Range(std::size_t{1} << 20, std::size_t{4} << 30));
  app.add_option("--blob-queue-length", blob.max_queued_blobs,
                 "outputs waiting for the blob writer at most; past it they are not stored, as "
                 "above")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}));
  std::size_t max_frame = o.max_frame_bytes;
  app.add_option("--max-frame-bytes", max_frame,
                 "largest frame accepted from the broker (replies; snapshot batches may be up to "
                 "twice this, PROTOCOL.md); keep it equal to the broker's")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{256} << 20));
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  CLI11_PARSE(app, argc, argv);
  o.max_frame_bytes = o.http_nodes.max_frame_bytes = max_frame;

  spdlog::set_level(spdlog::level::from_str(log_level));
  o.broker_timeout_ms = broker_timeout_ms;
  o.mirror.completed_retention_ms = retention_s * 1000;
  blob.retention_ms = blob_retention_s * 1000;
  std::string why;
  auto endpoint = parse_redis_url(redis_url, &why);
  if (!endpoint) {
    std::fprintf(stderr, "litc-bridge: --redis: %s\n", why.c_str());
    return 2;
  }
  o.redis.endpoint = *endpoint;
  std::optional<litc::crypto::NetworkKey> network_key;
  if (!network_key_file.empty()) {
    auto key = litc::crypto::load_network_key(network_key_file);
    if (!key.ok()) {
      std::fprintf(stderr, "litc-bridge: --network-key %s: %s\n", network_key_file.c_str(),
                   key.error().message.c_str());
      return 2;
    }
    network_key = std::move(key.value());
  }

  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGPIPE, SIG_IGN);
  try {
    zmq::context_t context(1);
    BridgeProbe probe;
    HttpMetrics http_metrics;
    // Before the loop (which puts into it) and destroyed after it: its last writes are finished.
    std::optional<BlobStore> blobs;
    if (!blob.dir.empty()) blobs.emplace(blob);
    BridgeLoop loop(o, context, probe, blobs ? &*blobs : nullptr);
    ApiContext ctx{loop, probe, http_metrics};
    // Declared after ctx: destroyed (stopped and joined) first, so no task outlives what it uses.
    boost::asio::thread_pool crypto_pool(decrypt_threads);
    ctx.network_key = network_key ? &*network_key : nullptr;
    ctx.decrypt_wait_ms = decrypt_wait_ms;
    ctx.crypto_pool = &crypto_pool;
    Router router;
    add_api_routes(router, ctx);
    HttpServer server(http, router, http_metrics);
    std::string host = http.listen.substr(0, http.listen.rfind(':'));
    spdlog::info("litc-bridge: http {}:{} broker {} events {} snapshot {} redis {}{} blobs {}",
                 host, server.port(), o.broker, o.events, o.snapshot, o.redis.endpoint.url(),
                 network_key ? " (decrypt: on, network key " + network_key_file + ")" : "",
                 blobs ? blob.dir : std::string("off"));
    if (!endpoints_file.empty()) write_endpoints(endpoints_file, server.port(), host);
    server.start();
    loop.run(g_stop);
    server.stop();
    crypto_pool.join();  // its last answers go to connections that are gone: nothing is sent
  } catch (const std::exception& e) {
    spdlog::error("litc-bridge: {}", e.what());
    return 1;
  }
  spdlog::info("litc-bridge: stopped");
  return 0;
}
