// POST /lit-compute/decrypt: the bridge decrypts for callers that cannot combine shares.
//
// DESIGN. Here the bridge is the requester (crypto/threshold/scheme.md "Decrypt"): it checks the
// envelope's label and blinds (prepare_decrypt, on the HTTP thread), submits ONE `decrypt` quorum
// job with wait + no_ack through the loop's broker client (so the only reply is the job's final
// JobReply), waits at most --decrypt-wait-ms for it (call_broker_waiting: the loop never blocks),
// then verifies every share again, combines and opens (finish_decrypt) on the crypto pool, never
// on the loop thread, and answers {"decryptedData"}.
//  - The bridge sees the plaintext and the caller's authSig. Neither is kept: the job never goes
//    through the submission ledger (nothing is written to Redis; a broker restart fails the
//    request with 503 instead of re-submitting it), the request lives in this call's closures
//    until it is answered, and logs name the job id and the error code only. The broker drops a
//    decrypt's input when its job ends; a job whose wait ran out is cancelled for that reason.
//  - Errors are the catalogue's codes with status_for's statuses; a wait that runs out is 503
//    quorum_unavailable, like a broker that found too few share holders.
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <memory>
#include <string>

#include "bridge/api/lit_requests.h"
#include "bridge/api/routes.h"
#include "bridge/job_hash.h"
#include "protocol/base64.h"
#include "protocol/job_json.h"
#include "protocol/lit_client.h"
#include "schemas/error_names.h"

namespace litc::bridge {
namespace {

namespace json = boost::json;
using Kind = ClientReplyInfo::Kind;

ApiResponse catalogue_error(fb::ErrorCode code, std::string_view message) {
  return error_response(status_for(code), error_name(code), message);
}

ApiResponse from_crypto(const crypto::CryptoError& e) {
  fb::ErrorCode code = error_code_from_name(e.code);
  return catalogue_error(code == fb::ErrorCode::unknown ? fb::ErrorCode::internal : code,
                         e.message);
}

// One decrypt request from its submit to its answer: loop thread, then the crypto pool.
class DecryptCall : public std::enable_shared_from_this<DecryptCall> {
 public:
  DecryptCall(ApiContext& ctx, Respond respond, PendingDecrypt pending)
      : ctx_(ctx), respond_(std::move(respond)), pending_(std::move(pending)) {}

  void start(BridgeLoop& loop) {
    if (!loop.broker_live()) return respond_(broker_unavailable());
    if (loop.calls_full()) {
      return respond_(error_response(429, "too_many_requests",
                                     "too many requests waiting for the broker; retry later"));
    }
    SubmitRequest r;
    r.job_id = job_id_ = loop.new_job_id();
    r.operation = "decrypt";
    r.input = std::move(pending_.job_input);  // holds the authSig: to the broker, kept nowhere
    pending_.job_input.clear();
    r.max_attempts = 1;  // not retried behind the caller's back (as lit_client does)
    r.wait = true;
    r.no_ack = true;
    request_id_ = loop.broker().send_submit(r);
    if (request_id_ == 0) return respond_(broker_unavailable());
    deadline_ms_ = loop.now_ms() + ctx_.decrypt_wait_ms;
    wait(loop, ctx_.decrypt_wait_ms);
  }

 private:
  void wait(BridgeLoop& loop, uint64_t wait_ms) {
    loop.call_broker_waiting(
        request_id_, [self = shared_from_this()](ClientReplyInfo& r) { self->on_reply(r); },
        wait_ms);
  }

  void on_reply(ClientReplyInfo& reply) {
    BridgeLoop& loop = ctx_.loop;
    if (reply.kind == Kind::submit_ack) {
      // A broker that predates no_ack acknowledges first; the final JobReply follows.
      const uint64_t now = loop.now_ms();
      return wait(loop, deadline_ms_ > now ? deadline_ms_ - now : 0);
    }
    if (reply.kind == Kind::error && reply.error.code == fb::ErrorCode::timeout) {
      ++ctx_.probe.decrypt_waits_expired;
      // Nobody waits for this job any more: the holders may stop and the broker drop its input.
      loop.call_broker(loop.broker().send_cancel(job_id_), [](ClientReplyInfo&) {});
      return refuse(catalogue_error(fb::ErrorCode::quorum_unavailable,
                                    "the network did not answer within --decrypt-wait-ms (" +
                                        std::to_string(ctx_.decrypt_wait_ms) + " ms)"));
    }
    if (reply.kind == Kind::error) return refuse(broker_error(reply.error));
    if (reply.kind != Kind::job) {
      return refuse(error_response(502, "unexpected_message", "unexpected broker reply"));
    }
    if (reply.job.state != fb::JobState::completed) {
      return refuse(catalogue_error(reply.job.error_code, reply.job.error_message));
    }
    auto finish = [self = shared_from_this(), output = std::move(reply.job.output)] {
      self->finish(output);
    };
    if (ctx_.crypto_pool == nullptr) return finish();
    boost::asio::post(*ctx_.crypto_pool, std::move(finish));
  }

  void finish(const std::string& output) {
    auto plain = finish_decrypt(*ctx_.network_key, pending_, output);
    if (!plain) return refuse(from_crypto(plain.error()));
    ++ctx_.probe.decrypts_completed;
    json::object o;
    // Encrypt jobs take UTF-8 text; an envelope made locally may hold any bytes.
    if (valid_utf8(plain.value())) {
      o["decryptedData"] = plain.value();
    } else {
      o["decryptedDataBase64"] = base64_encode(plain.value());
    }
    respond_(json_response(200, json::serialize(o)));
  }

  void refuse(ApiResponse response) {
    ++ctx_.probe.decrypts_refused;
    spdlog::debug("bridge: decrypt job {}: {}", job_id_, response.error_code);
    respond_(std::move(response));
  }

  ApiContext& ctx_;
  Respond respond_;
  PendingDecrypt pending_;  // the envelope, the identity and the blinding secret s
  std::string job_id_;
  uint64_t request_id_ = 0;
  uint64_t deadline_ms_ = 0;
};

void decrypt(ApiContext& ctx, ApiRequest&& req, Respond respond) {
  if (ctx.network_key == nullptr) {
    return respond(error_response(
        501, "network_key_required",
        "this bridge was started without --network-key and cannot decrypt; submit a decrypt job "
        "(jobs/submit) and combine the shares yourself"));
  }
  ApiResponse error;
  auto body = parse_object_strict(req.body, error);
  if (!body) return respond(std::move(error));
  auto it = body->find("authSig");
  if (it == body->end()) {
    return respond(error_response(400, "invalid_argument", "missing field \"authSig\""));
  }
  if (!it->value().is_object()) {
    return respond(
        error_response(400, "invalid_auth_sig",
                       "authSig must be an object {sig, derivedVia, signedMessage, address}"));
  }
  json::value auth_sig = std::move(it->value());
  body->erase(it);
  // The rest is the envelope as encryptToJson wrote it (extra members such as dataType allowed).
  auto pending = prepare_decrypt(*ctx.network_key, json::serialize(*body), auth_sig);
  if (!pending) {
    crypto::CryptoError e = pending.error();
    // The library calls the envelope document "params"; here it is the request body.
    if (e.message.rfind("params:", 0) == 0) e.message.replace(0, 6, "body");
    return respond(from_crypto(e));
  }
  auto call = std::make_shared<DecryptCall>(ctx, respond, std::move(pending.value()));
  post_or_refuse(ctx, respond, [call](BridgeLoop& loop) { call->start(loop); });
}

}  // namespace

void add_lit_routes(Router& router, ApiContext& ctx) {
  router.add(
      HttpVerb::post, std::string(kApiPrefix) + "/decrypt", "decrypt",
      [&ctx](ApiRequest&& r, Respond done) { decrypt(ctx, std::move(r), std::move(done)); },
      RouteOptions{true});
}

}  // namespace litc::bridge
