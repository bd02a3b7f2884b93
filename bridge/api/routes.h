// The /lit-compute HTTP API (shared/BRIEF.md "HTTP API"), registered on a Router. Each route
// parses and checks its input on the HTTP thread, then posts one task to the BridgeLoop, which
// answers through Respond when the broker or Redis has.
#pragma once

#include "bridge/api/api_support.h"
#include "bridge/http/http_server.h"

namespace litc::bridge {

inline constexpr const char* kApiPrefix = "/lit-compute";

void add_job_routes(Router& router, ApiContext& ctx);     // jobs/* (job_routes.cc)
void add_node_routes(Router& router, ApiContext& ctx);    // nodes/*, jobs/:id/complete
void add_system_routes(Router& router, ApiContext& ctx);  // /healthz, /metrics
void add_lit_routes(Router& router, ApiContext& ctx);     // decrypt (lit_routes.cc)
void add_blob_routes(Router& router, ApiContext& ctx);    // blobs/:cid (blob_routes.cc)

inline void add_api_routes(Router& router, ApiContext& ctx) {
  add_job_routes(router, ctx);
  add_node_routes(router, ctx);
  add_system_routes(router, ctx);
  add_lit_routes(router, ctx);
  add_blob_routes(router, ctx);
}

}  // namespace litc::bridge
