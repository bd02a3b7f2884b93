// /healthz and /metrics (Prometheus text format): read the probes directly on the HTTP thread,
// so they answer even while the bridge loop is busy.
#include <string>

#include "bridge/api/routes.h"

namespace litc::bridge {
namespace {

namespace json = boost::json;

void metric(std::string& out, const char* name, const char* type, const char* help,
            uint64_t value) {
  prometheus_header(out, name, type, help);
  out += name;
  out += ' ';
  out += std::to_string(value);
  out += '\n';
}

std::string render_metrics(const ApiContext& ctx) {
  const BridgeProbe& p = ctx.probe;
  std::string out;
  out.reserve(4096);
  metric(out, "litc_bridge_redis_up", "gauge", "1 when the bridge's Redis connection is up.",
         p.redis_up.load());
  metric(out, "litc_bridge_broker_live", "gauge",
         "1 when the bridge follows the broker's live event stream.", p.broker_live.load());
  metric(out, "litc_bridge_events_received_total", "counter", "Event frames received.",
         p.events_received.load());
  metric(out, "litc_bridge_events_applied_total", "counter", "Events applied to the mirror.",
         p.events_applied.load());
  metric(out, "litc_bridge_events_dropped_total", "counter",
         "Events dropped as already applied or from an older broker epoch.",
         p.events_dropped.load());
  metric(out, "litc_bridge_bad_frames_total", "counter",
         "Frames from the broker that failed to decode.", p.bad_frames.load());
  metric(out, "litc_bridge_resyncs_total", "counter", "Snapshot requests (the first included).",
         p.resyncs.load());
  metric(out, "litc_bridge_snapshots_abandoned_total", "counter",
         "Snapshots dropped because a batch could not be read (asked for again).",
         p.snapshots_abandoned.load());
  metric(out, "litc_bridge_gaps_total", "counter",
         "Resyncs caused by a sequence gap, a new broker epoch or broker silence.", p.gaps.load());
  metric(out, "litc_bridge_redis_commands_total", "counter", "Redis commands sent.",
         p.redis_commands.load());
  metric(out, "litc_bridge_mirror_job_writes_total", "counter",
         "Job hash writes after coalescing a turn's events per job (compare with events applied).",
         p.mirror_job_writes.load());
  metric(out, "litc_bridge_redis_failures_total", "counter",
         "Pipelines that found Redis unavailable or had a command refused.",
         p.redis_failures.load());
  metric(out, "litc_bridge_submits_accepted_total", "counter", "HTTP submits answered 202.",
         p.submits_accepted.load());
  metric(out, "litc_bridge_submits_rejected_total", "counter",
         "HTTP submits refused (validation aside).", p.submits_rejected.load());
  metric(out, "litc_bridge_resubmitted_total", "counter",
         "Ledger jobs submitted again because the broker did not hold them.", p.resubmitted.load());
  metric(out, "litc_bridge_ledger_jobs", "gauge",
         "HTTP-accepted jobs not finished yet (bridge:submissions).", p.ledger_size.load());
  metric(out, "litc_bridge_broker_timeouts_total", "counter",
         "Broker requests that got no answer in time.", p.broker_timeouts.load());
  metric(out, "litc_bridge_http_nodes", "gauge", "HTTP-only nodes represented to the broker.",
         p.http_nodes.load());
  metric(out, "litc_bridge_decrypts_completed_total", "counter",
         "POST /decrypt requests answered with the plaintext.", p.decrypts_completed.load());
  metric(out, "litc_bridge_decrypts_refused_total", "counter",
         "POST /decrypt requests that reached the network and were answered with an error.",
         p.decrypts_refused.load());
  metric(out, "litc_bridge_decrypt_waits_expired_total", "counter",
         "POST /decrypt requests whose job did not finish within --decrypt-wait-ms (503).",
         p.decrypt_waits_expired.load());
  metric(out, "litc_bridge_blob_outputs_withheld_total", "counter",
         "Completed decrypt outputs not given to the blob store (never stored).",
         p.blob_outputs_withheld.load());
  if (const BlobStore* blobs = ctx.loop.blobs()) {
    const BlobStoreCounters& b = blobs->counters();
    metric(out, "litc_bridge_blobs", "gauge", "Blobs in the blob store (--blob-dir).",
           b.blobs.load());
    metric(out, "litc_bridge_blob_bytes", "gauge",
           "Bytes in the blob store (at most --blob-max-bytes).", b.bytes.load());
    metric(out, "litc_bridge_blobs_stored_total", "counter", "Blobs written to the blob store.",
           b.stored.load());
    metric(out, "litc_bridge_blob_stored_bytes_total", "counter",
           "Bytes written to the blob store.", b.stored_bytes.load());
    metric(out, "litc_bridge_blob_duplicates_total", "counter",
           "Outputs offered to the blob store that it already held.", b.duplicates.load());
    metric(out, "litc_bridge_blobs_evicted_total", "counter",
           "Blobs removed by --blob-max-bytes (oldest first) or --blob-retention-s.",
           b.evicted.load());
    metric(out, "litc_bridge_blobs_dropped_total", "counter",
           "Outputs not stored because the blob writer's queue was full.", b.dropped.load());
    metric(out, "litc_bridge_blobs_too_large_total", "counter",
           "Outputs not stored because they were over --blob-max-blob-bytes.", b.too_large.load());
    metric(out, "litc_bridge_blob_write_errors_total", "counter",
           "Blob writes, renames or removals that failed.", b.write_errors.load());
    metric(out, "litc_bridge_blob_read_errors_total", "counter",
           "Blob files that did not hash to their name when read (served as 404).",
           b.read_errors.load());
  }
  metric(out, "litc_bridge_broker_epoch", "gauge", "Epoch of the broker being mirrored.",
         p.epoch.load());
  metric(out, "litc_bridge_broker_seq", "gauge", "Last event seq applied.", p.seq.load());
  p.mirror_lag.render(out, "litc_bridge_mirror_lag_ms",
                      "Broker event time to answered by Redis, ms, per event (each at the lag of "
                      "the oldest event of its turn: an upper bound).");
  // The broker's own counters, as of its last StatsQuery reply or snapshot.
  BrokerStatsInfo broker = p.broker_stats();
  if (!broker.counters.empty()) {
    prometheus_header(out, "litc_broker_stat", "gauge",
                      "Broker counters (BrokerStats in schemas/common.fbs).");
    for (const auto& [name, value] : broker.counters) {
      out += "litc_broker_stat{name=\"" + name + "\"} " + std::to_string(value) + "\n";
    }
  }
  ctx.http.render(out);
  return out;
}

}  // namespace

void add_system_routes(Router& router, ApiContext& ctx) {
  router.add(HttpVerb::get, "/healthz", "healthz", [&ctx](ApiRequest&&, Respond respond) {
    const bool redis = ctx.probe.redis_up.load();
    const bool broker = ctx.probe.broker_live.load();
    json::object o{{"status", redis && broker ? "ok" : "unhealthy"},
                   {"redis", redis ? "up" : "down"},
                   {"broker", broker ? "live" : "unavailable"},
                   {"epoch", ctx.probe.epoch.load()},
                   {"seq", ctx.probe.seq.load()},
                   {"ledgerJobs", ctx.probe.ledger_size.load()}};
    respond(json_response(redis && broker ? 200 : 503, json::serialize(o)));
  });
  router.add(HttpVerb::get, "/metrics", "metrics", [&ctx](ApiRequest&&, Respond respond) {
    ApiResponse r;
    r.body = render_metrics(ctx);
    r.content_type = "text/plain; version=0.0.4";
    respond(std::move(r));
  });
}

}  // namespace litc::bridge
