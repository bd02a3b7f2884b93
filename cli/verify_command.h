// `litc verify JOB.json`: checks a verified job's record offline — every attestation's signature
// over the result statement (crypto/identity/result_statement.h) and that the output it signs is
// the output in the record. Needs no broker: anyone holding the record can check it. What it cannot
// check offline: that a decrypt's shares were as many as the network's threshold ("parts" says how
// many there are), and who a key belongs to (--trusted-key).
#pragma once

#include <string>
#include <vector>

namespace litc::cli {

struct VerifyOptions {
  std::string file;  // the job JSON (`litc status`, GET /lit-compute/jobs/:id); "-" = stdin
  // When given, every signer's key must be one of these (64 hex): a valid signature by a key the
  // caller does not know proves only that someone holding that key signed.
  std::vector<std::string> trusted_keys;
};

// Prints {"valid":true,"jobId",…,"outputCID","parts","signers":[{"nodeId","publicKey",
// "outputCID"}]} and returns kExitOk, or
// {"valid":false,"reason"} and kExitJobFailed; kExitError when the file cannot be read.
int run_verify(const VerifyOptions& options);

}  // namespace litc::cli
