// nodes/* routes and jobs/:id/complete: HTTP-only nodes (HttpNodes) and node state from Redis.
#include <string>

#include "bridge/api/routes.h"
#include "bridge/redis_keys.h"
#include "crypto/ethereum/address.h"
#include "protocol/base64.h"
#include "protocol/job_json.h"
#include "schemas/limits.h"

namespace litc::bridge {
namespace {

namespace json = boost::json;

std::string path(const char* tail) {
  return std::string(kApiPrefix) + tail;
}

ApiResponse unknown_node(const std::string& id) {
  return error_response(404, "not_found", "no node " + id);
}

bool parse_registration(const std::string& body, NodeRegistration& reg, ApiResponse& error) {
  auto o = parse_object(body, error);
  if (!o) return false;
  auto node_id = string_field(*o, "nodeId", false, error);
  auto wallet = node_id ? string_field(*o, "walletAddress", true, error) : std::nullopt;
  auto key = wallet ? string_field(*o, "publicKey", false, error) : std::nullopt;
  // "reputation" (the seed's clients send one) is read for its type only: a node's word about
  // itself does not steer dispatch; the network keeps its reputation.
  auto reputation =
      key ? int_field(*o, "reputation", INT32_MIN, INT32_MAX, 0, error) : std::nullopt;
  if (!reputation) return false;
  const json::value* caps = o->if_contains("capabilities");
  if (caps == nullptr || !caps->is_object()) {
    error = error_response(400, "invalid_argument", "missing object \"capabilities\"");
    return false;
  }
  auto max = int_field(caps->as_object(), "maxConcurrentJobs", 1, 1000, 1, error);
  if (!max) return false;
  const json::value* ops = caps->as_object().if_contains("supportedOperations");
  if (ops == nullptr || !ops->is_array() || ops->as_array().empty()) {
    error = error_response(400, "invalid_argument",
                           "\"capabilities.supportedOperations\" must be a non-empty array");
    return false;
  }
  for (const auto& op : ops->as_array()) {
    if (!op.is_string() || op.as_string().empty()) {
      error = error_response(400, "invalid_argument",
                             "\"capabilities.supportedOperations\" holds a non-string");
      return false;
    }
    reg.operations.emplace_back(op.as_string());
  }
  if (node_id->size() > kMaxNodeIdBytes) {
    // The broker refuses longer ids; said here, instead of a registration that never completes.
    error = error_response(400, "invalid_argument", "\"nodeId\" is longer than 128 bytes");
    return false;
  }
  if (auto address = crypto::parse_address(*wallet); !address.ok()) {
    error =
        error_response(400, "invalid_argument", "\"walletAddress\": " + address.error().message);
    return false;
  }
  reg.node_id = std::move(*node_id);
  reg.wallet_address = std::move(*wallet);
  reg.public_key = std::move(*key);
  reg.max_concurrent_jobs = static_cast<uint32_t>(*max);
  return true;
}

void register_node(ApiContext& ctx, ApiRequest&& req, Respond respond) {
  NodeRegistration reg;
  ApiResponse error;
  if (!parse_registration(req.body, reg, error)) return respond(std::move(error));
  post_or_refuse(ctx, respond, [reg = std::move(reg), respond](BridgeLoop& loop) mutable {
    if (!loop.broker_live()) return respond(broker_unavailable());
    if (reg.node_id.empty()) reg.node_id = "http-" + loop.new_job_id();
    std::string node_id = reg.node_id;
    loop.nodes().register_node(
        std::move(reg), loop.now_ms(),
        [respond, node_id](bool ok, const std::string& why, uint64_t) {
          if (!ok) {
            return respond(error_response(503, "broker_unavailable", why));
          }
          respond(json_response(
              200, json::serialize(json::object{{"nodeId", node_id}, {"status", "registered"}})));
        });
  });
}

void heartbeat(ApiContext& ctx, ApiRequest&& req, Respond respond) {
  ApiResponse error;
  auto o = parse_object(req.body, error);
  if (!o) return respond(std::move(error));
  auto node_id = string_field(*o, "nodeId", true, error);
  if (!node_id) return respond(std::move(error));
  post_or_refuse(ctx, respond, [node_id = std::move(*node_id), respond](BridgeLoop& loop) {
    if (!loop.nodes().heartbeat(node_id, loop.now_ms())) return respond(unknown_node(node_id));
    respond(
        json_response(200, json::serialize(json::object{{"nodeId", node_id}, {"status", "ok"}})));
  });
}

// nodes:{id}:status as the API shows it (numbers as numbers, the operations as a list).
ApiResponse node_json(const std::string& node_id, const RedisReply& hash) {
  if (hash.elements.empty()) return unknown_node(node_id);
  json::object o{{"nodeId", node_id}};
  const auto& e = hash.elements;
  for (std::size_t i = 0; i + 1 < e.size(); i += 2) {
    const std::string& k = e[i].str;
    const std::string& v = e[i + 1].str;
    if (k == "lastHeartbeat" || k == "capacity" || k == "maxConcurrentJobs" || k == "activeJobs" ||
        k == "reputation") {
      o[k] = std::strtoll(v.c_str(), nullptr, 10);
    } else if (k == "supportedOperations") {
      json::array ops;
      std::size_t pos = 0;
      while (pos < v.size()) {
        std::size_t end = v.find(',', pos);
        if (end == std::string::npos) end = v.size();
        ops.emplace_back(v.substr(pos, end - pos));
        pos = end + 1;
      }
      o[k] = std::move(ops);
    } else {
      o[k] = v;
    }
  }
  return json_response(200, json::serialize(o));
}

void node_status(ApiContext& ctx, ApiRequest&& req, Respond respond) {
  post_or_refuse(ctx, respond, [node_id = req.params.at(0), respond](BridgeLoop& loop) {
    RedisBatch read;
    read.add({"HGETALL", keys::node_status(node_id)});
    read_or_refuse(loop, read, respond,
                   [node_id, respond](RedisStatus status, std::vector<RedisReply>& r) {
                     if (status != RedisStatus::ok || r.size() != 1)
                       return respond(redis_unavailable());
                     respond(node_json(node_id, r[0]));
                   });
  });
}

// An HTTP node gets its inbox (what to run); for a ZeroMQ worker, the ids it runs now.
void node_jobs(ApiContext& ctx, ApiRequest&& req, Respond respond) {
  post_or_refuse(ctx, respond, [node_id = req.params.at(0), respond](BridgeLoop& loop) {
    if (const auto* inbox = loop.nodes().jobs(node_id, loop.now_ms())) {
      json::array jobs;
      for (const auto& job : *inbox) {
        json::object o{{"jobId", job.job_id},
                       {"operation", job.operation},
                       {"attempt", job.attempt},
                       {"assignedAt", job.assigned_ms}};
        if (valid_utf8(job.input)) {
          o["input"] = job.input;
        } else {
          o["inputBase64"] = base64_encode(job.input);
        }
        if (job.timeout_ms != 0) o["timeoutMs"] = job.timeout_ms;
        jobs.push_back(std::move(o));
      }
      return respond(json_response(200, json::serialize(json::object{{"jobs", std::move(jobs)}})));
    }
    RedisBatch reads;
    reads.add({"EXISTS", keys::node_status(node_id)});
    reads.add({"ZRANGE", keys::jobs_active(node_id), "0", "-1", "WITHSCORES"});
    read_or_refuse(
        loop, reads, respond,
        [node_id, respond](RedisStatus status, std::vector<RedisReply>& replies) {
          if (status != RedisStatus::ok || replies.size() != 2) return respond(redis_unavailable());
          if (replies[0].integer == 0) return respond(unknown_node(node_id));
          respond(json_response(
              200, json::serialize(json::object{{"jobs", scored_jobs(replies[1], "startedAt")}})));
        });
  });
}

void node_payments(ApiContext& ctx, ApiRequest&& req, Respond respond) {
  post_or_refuse(ctx, respond, [node_id = req.params.at(0), respond](BridgeLoop& loop) {
    RedisBatch read;
    read.add({"LRANGE", keys::payments_pending(node_id), "0", "-1"});
    read_or_refuse(
        loop, read, respond, [node_id, respond](RedisStatus status, std::vector<RedisReply>& r) {
          if (status != RedisStatus::ok || r.size() != 1) return respond(redis_unavailable());
          json::array payments;
          for (const auto& item : r[0].elements) {
            boost::system::error_code ec;
            json::value v = json::parse(item.str, ec);
            payments.push_back(ec ? json::value(item.str) : std::move(v));
          }
          respond(json_response(200, json::serialize(json::object{
                                         {"nodeId", node_id}, {"pending", std::move(payments)}})));
        });
  });
}

// POST jobs/:id/complete {"nodeId", "output" | "outputBase64" | "error":{"code","message"}}
void complete(ApiContext& ctx, ApiRequest&& req, Respond respond) {
  ApiResponse error;
  auto o = parse_object(req.body, error);
  if (!o) return respond(std::move(error));
  auto node_id = string_field(*o, "nodeId", true, error);
  auto output = node_id ? string_field(*o, "output", false, error) : std::nullopt;
  auto output64 = output ? string_field(*o, "outputBase64", false, error) : std::nullopt;
  if (!output64) return respond(std::move(error));
  bool ok = true;
  std::string message;
  if (const json::value* e = o->if_contains("error"); e != nullptr && !e->is_null()) {
    ok = false;
    if (e->is_string()) {
      message = std::string(e->as_string());
    } else if (e->is_object() && e->as_object().if_contains("message") &&
               e->as_object().at("message").is_string()) {
      message = std::string(e->as_object().at("message").as_string());
    } else {
      return respond(error_response(400, "invalid_argument",
                                    "\"error\" must be a string or {\"code\",\"message\"}"));
    }
  }
  std::string bytes = std::move(*output);
  if (!output64->empty()) {
    auto decoded = base64_decode(*output64);
    if (!decoded) {
      return respond(error_response(400, "invalid_argument", "\"outputBase64\" is not base64"));
    }
    bytes = std::move(*decoded);
  }
  post_or_refuse(
      ctx, respond,
      [job_id = req.params.at(0), node_id = std::move(*node_id), ok, bytes = std::move(bytes),
       message = std::move(message), respond](BridgeLoop& loop) {
        switch (loop.nodes().complete(node_id, job_id, ok, bytes, fb::ErrorCode::operation_failed,
                                      message, loop.now_ms())) {
          case HttpNodes::Complete::ok:
            return respond(json_response(
                200, json::serialize(json::object{{"jobId", job_id}, {"status", "accepted"}})));
          case HttpNodes::Complete::unknown_node:
            return respond(unknown_node(node_id));
          case HttpNodes::Complete::not_assigned:
            return respond(error_response(409, "not_assigned",
                                          "job " + job_id + " is not assigned to node " + node_id +
                                              " (cancelled, timed out, or already reported)"));
        }
      });
}

}  // namespace

void add_node_routes(Router& router, ApiContext& ctx) {
  using V = HttpVerb;
  RouteOptions json_body{true};
  router.add(
      V::post, path("/nodes/register"), "nodes_register",
      [&ctx](ApiRequest&& r, Respond done) { register_node(ctx, std::move(r), done); }, json_body);
  router.add(
      V::post, path("/nodes/heartbeat"), "nodes_heartbeat",
      [&ctx](ApiRequest&& r, Respond done) { heartbeat(ctx, std::move(r), done); }, json_body);
  router.add(V::get, path("/nodes/:id/status"), "nodes_status",
             [&ctx](ApiRequest&& r, Respond done) { node_status(ctx, std::move(r), done); });
  router.add(V::get, path("/nodes/:id/jobs"), "nodes_jobs",
             [&ctx](ApiRequest&& r, Respond done) { node_jobs(ctx, std::move(r), done); });
  router.add(V::get, path("/nodes/:id/payments"), "nodes_payments",
             [&ctx](ApiRequest&& r, Respond done) { node_payments(ctx, std::move(r), done); });
  router.add(
      V::post, path("/jobs/:id/complete"), "jobs_complete",
      [&ctx](ApiRequest&& r, Respond done) { complete(ctx, std::move(r), done); }, json_body);
}

}  // namespace litc::bridge
