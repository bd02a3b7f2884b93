// What every API route shares: JSON bodies in, JSON answers out, and one mapping from the error
// catalogue (schemas/PROTOCOL.md) to HTTP statuses, so /lit-compute speaks the broker's error
// names as {"error":{"code":"…","message":"…"}}.
#pragma once

#include <boost/asio/thread_pool.hpp>
#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "bridge/bridge_loop.h"
#include "bridge/bridge_probe.h"
#include "bridge/http/http_server.h"
#include "crypto/threshold/network_key.h"
#include "protocol/client.h"

namespace litc::bridge {

// What route handlers need; owned by main.cc, outlives the server.
struct ApiContext {
  BridgeLoop& loop;
  BridgeProbe& probe;
  HttpMetrics& http;
  // POST /decrypt (lit_routes.cc). network_key: null when the bridge was started without
  // --network-key (the route answers 501). crypto_pool: where shares are verified, combined and
  // opened, so that work never runs on the loop thread.
  const crypto::NetworkKey* network_key = nullptr;
  uint64_t decrypt_wait_ms = 10'000;
  boost::asio::thread_pool* crypto_pool = nullptr;
};

ApiResponse json_response(unsigned status, std::string body);
// Hands task to the bridge loop, or answers 429 too_many_requests when its queue is full.
void post_or_refuse(ApiContext& ctx, const Respond& respond, BridgeLoop::Task task);
// The catalogue's one HTTP mapping: 400 invalid_argument, unknown_operation, invalid_ciphertext,
// invalid_auth_sig, invalid_blinding, unsupported_condition; 401 auth_sig_expired; 403
// access_denied; 404 not_found; 409 already_finished; 429 queue_full; 503 timeout
// ("broker_unavailable") and quorum_unavailable; 502 for a broker that answered garbage, and for
// chain_unavailable and invalid_share (the network behind the bridge failed); 500 otherwise.
// Redis reads for one request (BridgeLoop::read_redis_for_request), or 429 too_many_requests when
// --max-redis-reads are unanswered already. Loop thread only.
void read_or_refuse(BridgeLoop& loop, const RedisBatch& batch, const Respond& respond,
                    RedisConnection::ReadFn done);
unsigned status_for(fb::ErrorCode code);
ApiResponse broker_error(const ClientError& error);
ApiResponse broker_unavailable();
ApiResponse redis_unavailable();

// The body as a JSON object, or the 400 answer (malformed_json / not an object).
std::optional<boost::json::object> parse_object(const std::string& body, ApiResponse& error);

// Field readers: nullopt + `error` set (400 invalid_argument naming the field) when the field is
// present but of the wrong type or range, or absent and required.
std::optional<std::string> string_field(const boost::json::object& o, std::string_view key,
                                        bool required, ApiResponse& error);
std::optional<int64_t> int_field(const boost::json::object& o, std::string_view key, int64_t min,
                                 int64_t max, int64_t fallback, ApiResponse& error);

// A ZRANGE ... WITHSCORES reply of job ids as [{"jobId", <score_field>: score ms}, ...].
boost::json::array scored_jobs(const RedisReply& zrange, std::string_view score_field);
// A job as the API shows it (job_json.h), with outputCID filled in.
std::string job_json(JobInfo job);
// ?limit=N from a query string, clamped to [1, max]; fallback when absent or not a number.
uint32_t query_limit(std::string_view query, uint32_t fallback, uint32_t max);

}  // namespace litc::bridge
