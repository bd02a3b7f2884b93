// Verified results: the one check the scheduler cannot do itself (an Ed25519 signature over a
// result, PROTOCOL.md "Verified results"), behind an interface so the scheduler stays pure.
//
// DESIGN (tests/broker/scheduler_verified_test.cc checks each point):
//  * A job is verified when its submit asks (Submit.verified) or its operation is in
//    SchedulerOptions::verified_operations (sign, decrypt). Its input's CID is taken at submit.
//  * A verified job goes only to a worker that signs results: it registered with signs_results, a
//    key the verifier can use and a proof that it holds that key (Register.key_proof; a bad proof
//    refuses the registration), and was not caught on a bad signature since it registered. With
//    none online the job waits, as for an operation no worker runs.
//  * A result (ok) of a verified job is accepted only with a valid signature by the key its worker
//    registered with, over (job id, this attempt, operation, input CID, output CID, node id): a
//    result signed for another attempt, job or node, or altered on the way, fails. A failed check
//    is counted (invalid_signatures), that registration gets no more verified jobs (not remembered
//    across registrations: keys are free, and key proofs can be replayed), and the job is re-queued
//    like a lost attempt: it runs on another node or fails with max_attempts_exceeded. An error
//    result is not signed.
//  * A quorum part (decrypt share) is checked the same way before its DLEQ proof; a bad
//    signature excludes its share index, like a bad share.
//  * The accepted signatures, with their node and key, travel in the job record (attestations),
//    so anyone can check the result later (`litc verify`).
//  * `encrypt` is never verified: its input CID would publish a hash of the plaintext.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace litc::broker {

// What a node signs for one result (crypto/identity/result_statement.h builds the bytes).
struct ResultClaim {
  std::string_view job_id;
  uint32_t attempt = 0;
  std::string_view operation;
  std::string_view input_cid;
  std::string_view output_cid;
  std::string_view node_id;  // of the worker that sent the result
};

class ResultVerifier {
 public:
  virtual ~ResultVerifier() = default;
  // The CIDv1 of `bytes` (protocol/cid.h).
  virtual std::string content_id(std::string_view bytes) const = 0;
  // True when `proof` (Register.key_proof) shows that whoever registers `node_id` holds the
  // secret key of `public_key`.
  virtual bool verify_key_proof(std::string_view public_key, std::string_view node_id,
                                std::string_view proof) const = 0;
  // True when `signature` is `public_key`'s over the statement of `claim`.
  virtual bool verify(std::string_view public_key, const ResultClaim& claim,
                      std::string_view signature) const = 0;
};

}  // namespace litc::broker
