// JSON views of jobs, stats and events, as the `litc` CLI prints them (and the bridge will serve).
#pragma once

#include <string>
#include <vector>

#include "protocol/client.h"

namespace litc {

// {"jobId","status","operation","priority","attempt","maxAttempts","nodeId","output" (UTF-8) or
//  "outputBase64","error":{"code","message"},"submittedAt","startedAt","completedAt",
//  "deadLettered","ttlMs","timeoutMs","inputSize"}; zero/empty fields are omitted ("jobId" and
//  "status" are always there). Times are ms since the Unix epoch (broker clock).
std::string to_json(const JobInfo& job);
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
