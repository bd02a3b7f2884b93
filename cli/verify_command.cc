// `litc verify` (see verify_command.h).
#include "cli/verify_command.h"

#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>
#include <vector>

#include "cli/commands.h"
#include "crypto/identity/result_statement.h"
#include "protocol/base64.h"
#include "protocol/cid.h"
#include "protocol/job_json.h"

namespace litc::cli {
namespace {

namespace json = boost::json;

std::optional<std::string> read_all(const std::string& file) {
  if (file == "-") {
    return std::string(std::istreambuf_iterator<char>(std::cin), {});
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), {});
}

const json::string* text(const json::object& o, const char* name) {
  const json::value* v = o.if_contains(name);
  return v ? v->if_string() : nullptr;
}

// The bytes each attestation signs, in order: the output itself (one signer), or for a quorum
// job each share of {"shares":[…]} as the broker wrote it (the canonical serialization).
std::optional<std::vector<std::string>> signed_parts(const std::string& output, std::size_t n) {
  if (n == 1) return std::vector<std::string>{output};
  json::error_code ec;
  const json::value v = json::parse(output, ec);
  const json::object* o = ec ? nullptr : v.if_object();
  const json::value* shares = o ? o->if_contains("shares") : nullptr;
  const json::array* list = shares ? shares->if_array() : nullptr;
  if (list == nullptr || list->size() != n) return std::nullopt;
  std::vector<std::string> parts;
  for (const json::value& share : *list) parts.push_back(json::serialize(share));
  return parts;
}

int verdict(const json::object& out) {
  std::cout << json::serialize(out) << '\n';
  return out.at("valid").as_bool() ? kExitOk : kExitJobFailed;
}

int invalid(std::string_view reason) {
  return verdict({{"valid", false}, {"reason", reason}});
}

}  // namespace

int run_verify(const VerifyOptions& options) {
  const auto bytes = read_all(options.file);
  if (!bytes) {
    std::fprintf(stderr, "litc verify: cannot read %s\n", options.file.c_str());
    return kExitError;
  }
  json::error_code ec;
  const json::value doc = json::parse(*bytes, ec);
  if (ec || !doc.is_object()) return invalid("not a JSON object");
  const json::object* job = &doc.get_object();
  if (const json::value* inner = job->if_contains("job"); inner && inner->is_object()) {
    job = &inner->get_object();  // {"job": {...}} as a reply or an event carries it
  }
  const json::string* job_id = text(*job, "jobId");
  const json::string* status = text(*job, "status");
  const json::string* operation = text(*job, "operation");
  const json::string* input_cid = text(*job, "inputCID");
  const json::value* attempt = job->if_contains("attempt");
  const json::value* list = job->if_contains("attestations");
  if (!job_id || !status || !operation) return invalid("jobId, status or operation missing");
  if (*status != "completed") return invalid("the job is not completed: nothing was signed");
  const bool counted =
      attempt && ((attempt->is_int64() && attempt->as_int64() > 0) || attempt->is_uint64());
  if (!input_cid || !counted || !list) {
    return invalid("not a verified job record (no inputCID, attempt or attestations)");
  }
  const auto attestations = attestations_from_json(*list);
  if (!attestations || attestations->empty()) return invalid("attestations malformed or empty");

  std::string output;
  if (const json::string* s = text(*job, "output")) {
    output = std::string(*s);
  } else if (const json::string* b64 = text(*job, "outputBase64")) {
    auto decoded = base64_decode(*b64);
    if (!decoded) return invalid("outputBase64 is not base64");
    output = std::move(*decoded);
  }
  const auto parts = signed_parts(output, attestations->size());
  if (!parts) return invalid("the output does not hold one signed part per attestation");

  const auto n = static_cast<uint32_t>(attempt->to_number<uint64_t>());
  json::array signers;
  for (std::size_t i = 0; i < attestations->size(); ++i) {
    const AttestationInfo& a = (*attestations)[i];
    const std::string cid = cid_v1_raw((*parts)[i]);
    if (cid != a.output_cid) {
      return invalid("attestation " + std::to_string(i) +
                     ": the output in the record is not the "
                     "output its node signed (CID " +
                     cid + " vs " + a.output_cid + ")");
    }
    if (!crypto::verify_result_signature(a.public_key, a.signature, *job_id, n, *operation,
                                         *input_cid, a.output_cid)) {
      return invalid("attestation " + std::to_string(i) + " (node " + a.node_id +
                     "): the signature does not check");
    }
    signers.push_back({{"nodeId", a.node_id}, {"publicKey", a.public_key}});
  }
  return verdict({{"valid", true},
                  {"jobId", *job_id},
                  {"attempt", n},
                  {"operation", *operation},
                  {"inputCID", *input_cid},
                  {"signers", std::move(signers)}});
}

}  // namespace litc::cli
