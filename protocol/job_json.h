// JSON views of jobs, stats and events, as the `litc` CLI prints them (and the bridge will serve).
#pragma once

#include <boost/json/fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/client.h"

namespace litc {

// {"jobId","status","operation","priority","attempt","maxAttempts","nodeId","output" (UTF-8) or
//  "outputBase64","outputCID","error":{"code","message"},"submittedAt","startedAt","completedAt",
//  "deadLettered","ttlMs","timeoutMs","inputSize","verified","inputCID",
//  "attestations":[{"nodeId","publicKey","outputCID","signature" (128 hex)}]}; zero/empty fields
//  are omitted ("jobId" and "status" are always there). Times are ms since the Unix epoch (broker
//  clock).
std::string to_json(const JobInfo& job);
// The "attestations" array of a job object, and back (signature: lowercase hex). nullopt unless
// an array of objects with string nodeId, publicKey, outputCID and hex signature.
std::string attestations_json(const std::vector<AttestationInfo>& list);
std::optional<std::vector<AttestationInfo>> attestations_from_json(std::string_view json);
std::optional<std::vector<AttestationInfo>> attestations_from_json(const boost::json::value& v);
// Strict UTF-8 (RFC 3629): what JSON views print as text; anything else goes out as base64.
bool valid_utf8(std::string_view s);
// {"kind": kind, "job": {the job's object}}: one live update of a job (bridge channels).
std::string job_update_json(const JobInfo& job, std::string_view kind);
// The job's object plus "duplicate": true when the broker already had that job id.
std::string to_json(const SubmitAckInfo& ack);
// A JSON array of job objects, in the given order.
std::string to_json(const std::vector<JobInfo>& jobs);
// {"epoch":…,"seq":…,…}: every counter by its schema name (common.fbs BrokerStats), zeros included.
std::string to_json(const BrokerStatsInfo& stats);
// {"epoch","seq","time","type":"job"|"node"|"hugz","kind":...,"job"|"node":{...}}
// "node" is {"nodeId","walletAddress","publicKey","maxConcurrentJobs","supportedOperations",
// "activeJobs","reputation","online","lastHeartbeat","capacity"}, every field always present.
std::string event_to_json(const fb::Event& event);

}  // namespace litc
