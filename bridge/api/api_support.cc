// Shared pieces of the API routes (see api_support.h).
#include "bridge/api/api_support.h"

#include <charconv>

#include "protocol/cid.h"
#include "protocol/job_json.h"

namespace litc::bridge {
namespace json = boost::json;

ApiResponse json_response(unsigned status, std::string body) {
  ApiResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

void post_or_refuse(ApiContext& ctx, const Respond& respond, BridgeLoop::Task task) {
  if (!ctx.loop.post(std::move(task))) {
    respond(error_response(429, "too_many_requests",
                           "the bridge has too many requests waiting (--max-queued-requests); "
                           "retry later"));
  }
}

void read_or_refuse(BridgeLoop& loop, const RedisBatch& batch, const Respond& respond,
                    RedisConnection::ReadFn done) {
  if (!loop.read_redis_for_request(batch, std::move(done))) {
    respond(error_response(429, "too_many_requests",
                           "the bridge has too many Redis reads waiting (--max-redis-reads); "
                           "retry later"));
  }
}

json::array scored_jobs(const RedisReply& zrange, std::string_view score_field) {
  json::array jobs;
  const auto& e = zrange.elements;
  for (std::size_t i = 0; i + 1 < e.size(); i += 2) {
    jobs.push_back(json::object{{"jobId", e[i].str},
                                {score_field, std::strtoull(e[i + 1].str.c_str(), nullptr, 10)}});
  }
  return jobs;
}

unsigned status_for(fb::ErrorCode code) {
  switch (code) {
    case fb::ErrorCode::invalid_argument:
    case fb::ErrorCode::unknown_operation:
    case fb::ErrorCode::invalid_ciphertext:
    case fb::ErrorCode::invalid_auth_sig:
    case fb::ErrorCode::invalid_blinding:
    case fb::ErrorCode::unsupported_condition:
      return 400;
    case fb::ErrorCode::auth_sig_expired:
      return 401;  // the credential, not the request, is at fault: sign in again
    case fb::ErrorCode::access_denied:
      return 403;
    case fb::ErrorCode::not_found:
      return 404;
    case fb::ErrorCode::already_finished:
      return 409;
    case fb::ErrorCode::queue_full:
      return 429;
    case fb::ErrorCode::timeout:
    case fb::ErrorCode::quorum_unavailable:
      return 503;
    case fb::ErrorCode::malformed_frame:
    case fb::ErrorCode::unsupported_version:
    case fb::ErrorCode::unexpected_message:
    case fb::ErrorCode::chain_unavailable:
    case fb::ErrorCode::invalid_share:
      return 502;
    default:
      return 500;
  }
}

ApiResponse broker_error(const ClientError& error) {
  if (error.code == fb::ErrorCode::timeout) {
    return error_response(503, "broker_unavailable", error.message);
  }
  return error_response(status_for(error.code), error_name(error.code), error.message);
}

ApiResponse broker_unavailable() {
  return error_response(503, "broker_unavailable",
                        "the bridge has no live connection to the broker; retry later");
}

ApiResponse redis_unavailable() {
  return error_response(503, "redis_unavailable", "Redis is unavailable; retry later");
}

std::optional<json::object> parse_object(const std::string& body, ApiResponse& error) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec) {
    error = error_response(400, "malformed_json", "the body is not JSON: " + ec.message());
    return std::nullopt;
  }
  if (!v.is_object()) {
    error = error_response(400, "malformed_json", "the body must be a JSON object");
    return std::nullopt;
  }
  return std::move(v.as_object());
}

std::optional<std::string> string_field(const json::object& o, std::string_view key, bool required,
                                        ApiResponse& error) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) {
    if (required) {
      error = error_response(400, "invalid_argument", "missing field \"" + std::string(key) + "\"");
      return std::nullopt;
    }
    return std::string();
  }
  if (!v->is_string()) {
    error = error_response(400, "invalid_argument",
                           "field \"" + std::string(key) + "\" must be a string");
    return std::nullopt;
  }
  if (required && v->as_string().empty()) {
    error = error_response(400, "invalid_argument", "field \"" + std::string(key) + "\" is empty");
    return std::nullopt;
  }
  return std::string(v->as_string());
}

std::optional<int64_t> int_field(const json::object& o, std::string_view key, int64_t min,
                                 int64_t max, int64_t fallback, ApiResponse& error) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return fallback;
  int64_t n = 0;
  if (v->is_int64()) {
    n = v->as_int64();
  } else if (v->is_uint64()) {
    n = INT64_MAX;  // above the int64 range: every max we use is far below it
  } else {
    error = error_response(400, "invalid_argument",
                           "field \"" + std::string(key) + "\" must be an integer");
    return std::nullopt;
  }
  if (n < min || n > max) {
    error = error_response(400, "invalid_argument",
                           "field \"" + std::string(key) + "\" must be between " +
                               std::to_string(min) + " and " + std::to_string(max));
    return std::nullopt;
  }
  return n;
}

std::string job_json(JobInfo job) {
  if (job.state == fb::JobState::completed && job.output_cid.empty()) {
    job.output_cid = cid_v1_raw(job.output);
  }
  return to_json(job);
}

uint32_t query_limit(std::string_view query, uint32_t fallback, uint32_t max) {
  std::size_t pos = 0;
  while (pos <= query.size()) {
    std::size_t end = query.find('&', pos);
    if (end == std::string_view::npos) end = query.size();
    std::string_view part = query.substr(pos, end - pos);
    if (part.rfind("limit=", 0) == 0) {
      uint32_t n = 0;
      auto digits = part.substr(6);
      auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
      if (ec != std::errc() || p != digits.data() + digits.size() || n == 0) return fallback;
      return n > max ? max : n;
    }
    pos = end + 1;
  }
  return fallback;
}

}  // namespace litc::bridge
