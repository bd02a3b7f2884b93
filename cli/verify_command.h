// `litc verify JOB.json`: checks a verified job's record offline — every attestation's signature
// over the result statement (crypto/identity/result_statement.h) and that the output it signs is
// the output in the record. Needs no broker: anyone holding the record can check it.
#pragma once

#include <string>

namespace litc::cli {

struct VerifyOptions {
  std::string file;  // the job JSON (`litc status`, GET /lit-compute/jobs/:id); "-" = stdin
};

// Prints {"valid":true,"jobId",…,"signers":[{"nodeId","publicKey"}]} and returns kExitOk, or
// {"valid":false,"reason"} and kExitJobFailed; kExitError when the file cannot be read.
int run_verify(const VerifyOptions& options);

}  // namespace litc::cli
