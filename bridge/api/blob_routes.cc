// blobs/:cid: completed jobs' outputs by content identifier, read from the BlobStore on the HTTP
// thread (a small file read; the bridge loop is not involved).
#include <string>

#include "bridge/api/routes.h"

namespace litc::bridge {
namespace {

void get_blob(ApiContext& ctx, ApiRequest&& req, Respond respond) {
  const std::string& cid = req.params.at(0);
  BlobStore* blobs = ctx.loop.blobs();
  if (blobs == nullptr) {
    return respond(error_response(404, "not_found",
                                  "this bridge stores no blobs (started with --blob-dir \"\")"));
  }
  auto blob = blobs->get(cid);
  switch (blob.status) {
    case BlobStore::GetStatus::malformed:
      return respond(error_response(
          400, "invalid_argument",
          "not a blob CID: expected the 59-character CIDv1 (raw, sha2-256, base32 lower case) "
          "a job's outputCID shows"));
    case BlobStore::GetStatus::not_found:
      return respond(error_response(404, "not_found",
                                    "no blob " + cid +
                                        " (never stored, or trimmed by the size "
                                        "limit or the retention)"));
    case BlobStore::GetStatus::ok:
      break;
  }
  ApiResponse r;
  r.body = std::move(blob.bytes);
  r.content_type = "application/octet-stream";
  respond(std::move(r));
}

}  // namespace

void add_blob_routes(Router& router, ApiContext& ctx) {
  router.add(
      HttpVerb::get, std::string(kApiPrefix) + "/blobs/:cid", "blobs_get",
      [&ctx](ApiRequest&& r, Respond done) { get_blob(ctx, std::move(r), std::move(done)); });
}

}  // namespace litc::bridge
