// jobs/* routes: submit, status, cancel, replay, pending list, dead letters, stats.
#include <string>

#include "bridge/api/lit_requests.h"
#include "bridge/api/routes.h"
#include "bridge/job_hash.h"
#include "bridge/redis_keys.h"
#include "protocol/base64.h"
#include "protocol/job_json.h"
#include "schemas/limits.h"

namespace litc::bridge {
namespace {

namespace json = boost::json;
using Kind = ClientReplyInfo::Kind;

std::string path(const char* tail) {
  return std::string(kApiPrefix) + tail;
}

// A submit's input named by CID: the bytes of a stored blob, read here on the HTTP thread.
bool input_from_blob(const ApiContext& ctx, const std::string& cid, std::string& input,
                     ApiResponse& error) {
  BlobStore* blobs = ctx.loop.blobs();
  if (blobs == nullptr) {
    error =
        error_response(404, "not_found",
                       "\"inputCID\": this bridge stores no blobs (started with --blob-dir \"\")");
    return false;
  }
  auto blob = blobs->get(cid);
  switch (blob.status) {
    case BlobStore::GetStatus::malformed:
      error = error_response(400, "invalid_argument",
                             "\"inputCID\" is not a blob CID (the 59-character CIDv1, raw, "
                             "sha2-256, base32 lower case, that a job's outputCID shows)");
      return false;
    case BlobStore::GetStatus::not_found:
      error = error_response(404, "not_found",
                             "\"inputCID\": no blob " + cid +
                                 " (never stored, or trimmed by the size limit or the retention)");
      return false;
    case BlobStore::GetStatus::ok:
      input = std::move(blob.bytes);
      return true;
  }
  return false;
}

// Parses a submit body into a request; false with `error` set when it is not acceptable.
bool parse_submit(const ApiContext& ctx, const std::string& body, SubmitRequest& r,
                  ApiResponse& error) {
  auto o = parse_object(body, error);
  if (!o) return false;
  auto operation = string_field(*o, "operation", true, error);
  auto job_id = string_field(*o, "jobId", false, error);
  auto input = operation && job_id ? string_field(*o, "input", false, error) : std::nullopt;
  auto input64 = input ? string_field(*o, "inputBase64", false, error) : std::nullopt;
  auto input_cid = input64 ? string_field(*o, "inputCID", false, error) : std::nullopt;
  if (!input_cid) return false;
  if (!input->empty() && !input64->empty()) {
    error = error_response(400, "invalid_argument", "give \"input\" or \"inputBase64\", not both");
    return false;
  }
  // Any inputCID (even "") with any other input (even "") is two inputs: refused, not guessed.
  const auto given = [&](std::string_view key) {
    const json::value* v = o->if_contains(key);
    return v != nullptr && !v->is_null();
  };
  const bool by_cid = given("inputCID");
  if (by_cid && (given("input") || given("inputBase64"))) {
    error = error_response(400, "invalid_argument",
                           "give \"inputCID\" or \"input\"/\"inputBase64\", not both");
    return false;
  }
  const json::value* verified = o->if_contains("verified");
  if (verified != nullptr && !verified->is_bool()) {
    error = error_response(400, "invalid_argument", "field \"verified\" must be true or false");
    return false;
  }
  r.verified = verified != nullptr && verified->as_bool();
  auto priority = int_field(*o, "priority", INT32_MIN, INT32_MAX, 0, error);
  auto attempts = priority ? int_field(*o, "maxAttempts", 0, 100, 0, error) : std::nullopt;
  auto timeout = attempts ? int_field(*o, "timeoutMs", 0, UINT32_MAX, 0, error) : std::nullopt;
  auto ttl = timeout ? int_field(*o, "ttlMs", 0, UINT32_MAX, 0, error) : std::nullopt;
  if (!ttl) return false;
  if (*operation == "encrypt") {
    if (by_cid) {
      error = error_response(400, "invalid_argument",
                             "operation \"encrypt\" takes its plaintext in \"input\", not "
                             "\"inputCID\"");
      return false;
    }
    // The worker's input is built here from the plaintext and the checked params. The whole body
    // is parsed again strictly: a repeated key anywhere in it is refused, not resolved silently.
    auto strict = parse_object_strict(body, error);
    if (!strict) return false;
    auto doc = encrypt_job_input(*strict, error);
    if (!doc) return false;
    r.input = std::move(*doc);
  } else if (o->contains("params")) {
    error = error_response(400, "invalid_argument",
                           "\"params\" is only for operation \"encrypt\"; other operations take "
                           "their whole input in \"input\", \"inputBase64\" or \"inputCID\"");
    return false;
  } else if (!input64->empty()) {
    auto bytes = base64_decode(*input64);
    if (!bytes) {
      error = error_response(400, "invalid_argument", "\"inputBase64\" is not valid base64");
      return false;
    }
    r.input = std::move(*bytes);
  } else if (by_cid) {
    // Last: the body is otherwise valid before a file is read.
    if (!input_from_blob(ctx, *input_cid, r.input, error)) return false;
  } else {
    r.input = std::move(*input);
  }
  r.operation = std::move(*operation);
  if (!job_id->empty() && !valid_job_id(*job_id)) {
    error = error_response(400, "invalid_argument",
                           "\"jobId\" must be 1..128 characters of A-Z a-z 0-9 . _ : - (so that "
                           "GET jobs/:id can name it)");
    return false;
  }
  r.job_id = std::move(*job_id);
  r.priority = static_cast<int32_t>(*priority);
  r.max_attempts = static_cast<uint32_t>(*attempts);
  r.timeout_ms = static_cast<uint32_t>(*timeout);
  r.ttl_ms = static_cast<uint32_t>(*ttl);
  return true;
}

void submit(ApiContext& ctx, ApiRequest&& req, Respond respond) {
  SubmitRequest request;
  ApiResponse error;
  if (!parse_submit(ctx, req.body, request, error)) return respond(std::move(error));
  post_or_refuse(
      ctx, respond, [request = std::move(request), respond, &ctx](BridgeLoop& loop) mutable {
        if (!loop.redis_up()) {
          ++ctx.probe.submits_rejected;
          return respond(redis_unavailable());
        }
        if (!loop.broker_live()) {
          ++ctx.probe.submits_rejected;
          return respond(broker_unavailable());
        }
        if (loop.calls_full()) {
          ++ctx.probe.submits_rejected;
          return respond(error_response(429, "too_many_requests",
                                        "too many requests waiting for the broker; retry later"));
        }
        if (request.job_id.empty()) request.job_id = loop.new_job_id();
        std::string job_id = request.job_id;
        loop.submit(std::move(request), [respond, job_id, &ctx](ClientReplyInfo& reply) {
          if (reply.kind == Kind::submit_ack) {
            ++ctx.probe.submits_accepted;
            // A new job is answered "pending" (issue 5's contract), even when the broker assigned
            // it within the same step and its ack already says "active"; a duplicate reports the
            // state of the job it names.
            json::object o{{"jobId", reply.job.job_id},
                           {"status", reply.duplicate ? state_name(reply.job.state) : "pending"}};
            if (reply.duplicate) o["duplicate"] = true;
            return respond(json_response(202, json::serialize(o)));
          }
          if (reply.kind == Kind::error && reply.error.code == fb::ErrorCode::timeout) {
            // In the ledger already: held by the bridge, submitted when the broker answers again.
            ++ctx.probe.submits_accepted;
            return respond(json_response(
                202, json::serialize(json::object{{"jobId", job_id}, {"status", "pending"}})));
          }
          ++ctx.probe.submits_rejected;
          if (reply.kind == Kind::error && reply.error.code == fb::ErrorCode::internal &&
              reply.error.message == "redis_unavailable") {
            return respond(redis_unavailable());
          }
          if (reply.kind == Kind::error) return respond(broker_error(reply.error));
          return respond(error_response(502, "unexpected_message", "unexpected broker reply"));
        });
      });
}

// GET jobs/:id: the broker knows live jobs best; jobs it no longer holds (evicted, or a broker
// that is down) come from the Redis mirror.
void get_job(ApiContext& ctx, ApiRequest&& req, Respond respond) {
  post_or_refuse(ctx, respond, [job_id = req.params.at(0), respond](BridgeLoop& loop) {
    auto from_redis = [job_id, respond](BridgeLoop& l, ApiResponse otherwise) {
      RedisBatch read;
      read.add({"HGETALL", keys::job_status(job_id)});
      read_or_refuse(
          l, read, respond,
          [job_id, respond, otherwise = std::move(otherwise)](RedisStatus status,
                                                              std::vector<RedisReply>& replies) {
            if (status == RedisStatus::down || replies.size() != 1 || replies[0].is_error()) {
              return respond(otherwise.status == 404 ? redis_unavailable() : otherwise);
            }
            if (replies[0].elements.empty()) return respond(otherwise);
            respond(json_response(200, job_json(job_from_hash(job_id, replies[0]))));
          });
    };
    if (!loop.broker_live()) {
      return from_redis(loop, error_response(404, "not_found", "no job " + job_id));
    }
    loop.call_broker(loop.broker().send_status(job_id), [&loop, job_id, respond,
                                                         from_redis](ClientReplyInfo& reply) {
      if (reply.kind == Kind::job) {
        return respond(json_response(200, job_json(std::move(reply.job))));
      }
      if (reply.kind == Kind::error && reply.error.code == fb::ErrorCode::not_found) {
        return from_redis(loop, broker_error(reply.error));
      }
      if (reply.kind == Kind::error && reply.error.code == fb::ErrorCode::timeout) {
        return from_redis(loop, broker_error(reply.error));
      }
      return respond(broker_error(reply.error));
    });
  });
}

// cancel and replay: one broker request, the job (or the broker's error) back.
void job_action(ApiContext& ctx, ApiRequest&& req, Respond respond, bool cancel) {
  post_or_refuse(ctx, respond, [job_id = req.params.at(0), respond, cancel](BridgeLoop& loop) {
    if (!loop.broker_live()) return respond(broker_unavailable());
    uint64_t id = cancel ? loop.broker().send_cancel(job_id) : loop.broker().send_replay(job_id);
    loop.call_broker(id, [respond](ClientReplyInfo& reply) {
      if (reply.kind == Kind::job) {
        return respond(json_response(200, job_json(std::move(reply.job))));
      }
      return respond(broker_error(reply.error));
    });
  });
}

void pending_list(ApiContext& ctx, ApiRequest&& req, Respond respond) {
  uint32_t limit = query_limit(req.query, 100, 10'000);
  post_or_refuse(ctx, respond, [limit, respond](BridgeLoop& loop) {
    RedisBatch read;
    read.add({"ZRANGE", keys::kJobsPending, "0", std::to_string(limit - 1), "WITHSCORES"});
    read_or_refuse(
        loop, read, respond, [respond](RedisStatus status, std::vector<RedisReply>& replies) {
          if (status != RedisStatus::ok || replies.size() != 1) return respond(redis_unavailable());
          respond(json_response(200, json::serialize(json::object{
                                         {"jobs", scored_jobs(replies[0], "submittedAt")}})));
        });
  });
}

void dead_list(ApiContext& ctx, ApiRequest&& req, Respond respond) {
  uint32_t limit = query_limit(req.query, 100, 10'000);
  post_or_refuse(ctx, respond, [limit, respond](BridgeLoop& loop) {
    if (!loop.broker_live()) return respond(broker_unavailable());
    loop.call_broker(loop.broker().send_dead_letters(limit), [respond](ClientReplyInfo& reply) {
      if (reply.kind != Kind::job_list) return respond(broker_error(reply.error));
      std::string body = "{\"jobs\":[";
      for (std::size_t i = 0; i < reply.jobs.size(); ++i) {
        if (i > 0) body += ',';
        body += job_json(std::move(reply.jobs[i]));
      }
      body += "]}";
      respond(json_response(200, std::move(body)));
    });
  });
}

void stats(ApiContext& ctx, ApiRequest&&, Respond respond) {
  post_or_refuse(ctx, respond, [respond](BridgeLoop& loop) {
    if (!loop.broker_live()) return respond(broker_unavailable());
    // The broker's counters first, then the mirror's counts (a Redis that is down or slow leaves
    // them out, or late: the broker's answer never waits on it).
    loop.call_broker(loop.broker().send_stats(), [&loop, respond](ClientReplyInfo& reply) {
      if (reply.kind != Kind::stats) return respond(broker_error(reply.error));
      json::object broker;
      for (const auto& [name, value] : reply.stats.counters) broker[name] = value;
      RedisBatch counts;
      counts.add({"ZCARD", keys::kJobsPending});
      counts.add({"ZCARD", keys::kJobsCompleted});
      counts.add({"SCARD", keys::kNodesAvailable});
      auto answer = [respond, broker](RedisStatus status, std::vector<RedisReply>& replies) {
        json::object o{{"broker", broker}};
        if (status == RedisStatus::ok && replies.size() == 3) {
          o["redis"] = json::object{{"pending", replies[0].integer},
                                    {"completed", replies[1].integer},
                                    {"nodesAvailable", replies[2].integer}};
        }
        respond(json_response(200, json::serialize(o)));
      };
      if (!loop.read_redis_for_request(counts, answer)) {
        std::vector<RedisReply> none;
        answer(RedisStatus::down, none);  // too many reads waiting: the broker's part alone
      }
    });
  });
}

}  // namespace

void add_job_routes(Router& router, ApiContext& ctx) {
  using V = HttpVerb;
  RouteOptions json_body{true};
  router.add(
      V::post, path("/jobs/submit"), "jobs_submit",
      [&ctx](ApiRequest&& r, Respond done) { submit(ctx, std::move(r), std::move(done)); },
      json_body);
  router.add(V::get, path("/jobs/pending/list"), "jobs_pending_list",
             [&ctx](ApiRequest&& r, Respond done) { pending_list(ctx, std::move(r), done); });
  router.add(V::get, path("/jobs/dead/list"), "jobs_dead_list",
             [&ctx](ApiRequest&& r, Respond done) { dead_list(ctx, std::move(r), done); });
  router.add(V::get, path("/jobs/stats"), "jobs_stats",
             [&ctx](ApiRequest&& r, Respond done) { stats(ctx, std::move(r), done); });
  router.add(V::get, path("/jobs/:id"), "jobs_get",
             [&ctx](ApiRequest&& r, Respond done) { get_job(ctx, std::move(r), done); });
  router.add(V::post, path("/jobs/:id/cancel"), "jobs_cancel",
             [&ctx](ApiRequest&& r, Respond done) { job_action(ctx, std::move(r), done, true); });
  router.add(V::post, path("/jobs/:id/replay"), "jobs_replay",
             [&ctx](ApiRequest&& r, Respond done) { job_action(ctx, std::move(r), done, false); });
}

}  // namespace litc::bridge
