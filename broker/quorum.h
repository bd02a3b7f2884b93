// Quorum jobs: a `decrypt` needs decryption shares from T distinct share holders (see
// crypto/threshold/scheme.md). The per-job state the scheduler keeps for them, and the one check
// it cannot do itself (a share's DLEQ proof), behind an interface so the scheduler stays pure.
//
// DESIGN (tests/broker/scheduler_quorum_test.cc checks each point):
//  * A quorum job is one job with one record and one event per transition: pending until its first
//    part is assigned, active while parts run, completed when T shares from distinct share indices
//    passed the verifier. Its output is {"shares":[<share>,…]} in the order they were accepted.
//  * Parts go to online workers that run the operation, have a free slot and hold a share index
//    (Register.share_index ≠ 0) that this job has not used: never two parts with the same index,
//    never two on one worker. Parts are assigned as soon as workers are free, never held back to
//    wait for a full set.
//  * A part's Result: a share that fails the verifier (or names another index) is rejected,
//    counted in invalid_shares, and its index is excluded from this job; so is a refusal (an error
//    Result, e.g. access_denied). Another holder is asked. When so many indices are excluded that
//    T can no longer be reached, the job fails with the last part's error (invalid_share for a bad
//    share).
//  * A worker that dies holding a part loses only that part: the job stays active and asks another
//    holder (its index is not excluded: dying says nothing about the share).
//  * Every quorum_wait_ms after submit: a job with fewer than T shares accepted or running fails
//    with quorum_unavailable. Otherwise, if it still lacks shares, its running parts count as
//    stalled: they may still answer, but other unused holders are asked too (the first T verified
//    shares win), so one silent holder cannot hold a job until its hard timeout. The hard timeout
//    applies from the first part; there is no lease (parts are short and answer, die or stall).
//  * Cancel, failure and completion tell every worker still running a part to stop; their slots are
//    freed by their Results, as for any job.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "broker/job.h"
#include "schemas/common_generated.h"

namespace litc::broker {

class ShareVerifier {
 public:
  virtual ~ShareVerifier() = default;
  // What every share of the request `input` (the job's input) is checked against — for decrypt,
  // its blinded point V — read once when the job is submitted, not once per share. Empty when the
  // request has none (its shares then never pass; the nodes refuse such a request anyway).
  virtual std::string request_key(std::string_view input) const = 0;
  // When `output` (a worker's Result) is a valid decryption share of share index `index` for the
  // request whose key is `request_key`: the share re-written with only its own members, so nothing
  // else a node put beside it reaches the requester. nullopt otherwise.
  virtual std::optional<std::string> verify(std::string_view request_key, std::string_view output,
                                            uint32_t index) const = 0;
  // True when `proof` shows that the node `node_id` holds share `index` (Register.share_proof).
  virtual bool verify_holder(uint32_t index, std::string_view node_id,
                             std::string_view proof) const = 0;
};

struct QuorumOptions {
  std::string_view operation = "decrypt";  // a literal: the catalogue name of the quorum op
  uint32_t threshold = 0;  // T; 0 = this broker has no network key and refuses quorum jobs
  uint32_t shares = 0;     // N
  uint32_t wait_ms = 10'000;
  const ShareVerifier* verifier = nullptr;  // required when threshold > 0; must outlive it
};

struct QuorumPart {
  WorkerSlot worker = kNoWorker;
  uint32_t share_index = 0;
  bool stalled = false;  // silent past a quorum wait: still welcome, but another holder is asked
};

struct QuorumShare {
  uint32_t share_index = 0;
  std::string output;
  Attestation attestation;  // verified jobs: its node's signature over `output`
};

struct Quorum {
  std::vector<QuorumPart> running;
  std::vector<QuorumShare> accepted;
  std::vector<uint32_t> excluded;  // indices that refused or gave a bad share
  fb::ErrorCode last_error = fb::ErrorCode::unknown;
  std::string last_message;
  bool queued = false;      // in the scheduler's list of quorum jobs that need parts
  std::string request_key;  // ShareVerifier::request_key of the job's input

  bool uses_index(uint32_t index) const;
  bool uses_accepted(uint32_t index) const;
  bool runs_on(WorkerSlot worker) const;
  // Parts still to assign for T shares (stalled parts do not count).
  uint32_t needed(uint32_t threshold) const;
  // {"shares":[…]} of the accepted shares.
  std::string output() const;
};

}  // namespace litc::broker
