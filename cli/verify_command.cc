// `litc verify` (see verify_command.h).
#include "cli/verify_command.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <climits>
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

// The bytes each attestation signs, in order: the output itself (one signer), or for a quorum job
// (decrypt) each share of {"shares":[…]} as the broker wrote it. The output must be exactly those
// shares in that form — no member, byte or share besides them — and no share index twice.
std::optional<std::vector<std::string>> signed_parts(const std::string& output, bool quorum) {
  if (!quorum) return std::vector<std::string>{output};
  json::error_code ec;
  const json::value v = json::parse(output, ec);
  const json::object* o = ec ? nullptr : v.if_object();
  const json::value* shares = o && o->size() == 1 ? o->if_contains("shares") : nullptr;
  const json::array* list = shares ? shares->if_array() : nullptr;
  if (list == nullptr || list->empty()) return std::nullopt;
  std::vector<std::string> parts;
  std::vector<int64_t> indices;
  std::string rebuilt = "{\"shares\":[";
  for (const json::value& share : *list) {
    const json::object* s = share.if_object();
    const json::value* index = s ? s->if_contains("index") : nullptr;
    if (index == nullptr || !index->is_int64()) return std::nullopt;
    if (std::find(indices.begin(), indices.end(), index->as_int64()) != indices.end()) {
      return std::nullopt;
    }
    indices.push_back(index->as_int64());
    parts.push_back(json::serialize(share));
    rebuilt += (parts.size() > 1 ? "," : "") + parts.back();
  }
  rebuilt += "]}";
  if (rebuilt != output) return std::nullopt;
  return parts;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
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
  if (const json::value* inner = job->if_contains("job"); inner && job->size() == 1) {
    // {"job": {...}} as the bridge wraps one; only as the whole document, so that nothing
    // outside the checked record can pass for part of it.
    if (!inner->is_object()) return invalid("\"job\" is not an object");
    job = &inner->get_object();
  }
  const json::string* job_id = text(*job, "jobId");
  const json::string* status = text(*job, "status");
  const json::string* operation = text(*job, "operation");
  const json::string* input_cid = text(*job, "inputCID");
  const json::value* attempt = job->if_contains("attempt");
  const json::value* list = job->if_contains("attestations");
  if (!job_id || !status || !operation) return invalid("jobId, status or operation missing");
  if (*status != "completed") return invalid("the job is not completed: nothing was signed");
  const bool counted = attempt && attempt->is_int64() && attempt->as_int64() > 0 &&
                       attempt->as_int64() <= int64_t{UINT32_MAX};
  if (!input_cid || !counted || !list) {
    return invalid("not a verified job record (no inputCID, attempt or attestations)");
  }
  const auto attestations = attestations_from_json(*list);
  if (!attestations || attestations->empty()) return invalid("attestations malformed or empty");

  const json::value* text_output = job->if_contains("output");
  const json::value* b64_output = job->if_contains("outputBase64");
  if (text_output && b64_output) return invalid("both output and outputBase64: which was signed?");
  std::string output;
  if (text_output) {
    if (!text_output->is_string()) return invalid("output is not a string");
    output = std::string(text_output->get_string());
  } else if (b64_output) {
    auto decoded = b64_output->is_string() ? base64_decode(b64_output->get_string()) : std::nullopt;
    if (!decoded) return invalid("outputBase64 is not base64");
    output = std::move(*decoded);
  }
  const bool quorum = *operation == "decrypt";
  if (!quorum && attestations->size() != 1)
    return invalid("one signer expected for this operation");
  const auto parts = signed_parts(output, quorum);
  if (!parts || parts->size() != attestations->size()) {
    return invalid("the output is not exactly one signed part per attestation");
  }
  // What the record says beside the attestations must agree with them: a reader takes the job's
  // outputCID (to fetch the blob) and nodeId at face value.
  if (const json::value* cid = job->if_contains("outputCID");
      cid && (!cid->is_string() || cid->get_string() != cid_v1_raw(output))) {
    return invalid("outputCID is not the CID of the output in the record");
  }
  if (const json::value* node = job->if_contains("nodeId");
      !quorum && node && (!node->is_string() || node->get_string() != (*attestations)[0].node_id)) {
    return invalid("nodeId is not the node that signed the result");
  }
  std::vector<std::string> keys;
  for (const AttestationInfo& a : *attestations) {
    if (std::find(keys.begin(), keys.end(), lower(a.public_key)) != keys.end()) {
      return invalid("one key signs two parts: the parts must come from distinct nodes");
    }
    keys.push_back(lower(a.public_key));
    if (!options.trusted_keys.empty() &&
        std::none_of(options.trusted_keys.begin(), options.trusted_keys.end(),
                     [&](const std::string& k) { return lower(k) == keys.back(); })) {
      return invalid("node " + a.node_id + " signed with key " + a.public_key +
                     ", which is not one of --trusted-key");
    }
  }

  const auto n = static_cast<uint32_t>(attempt->as_int64());
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
                                         *input_cid, a.output_cid, a.node_id)) {
      return invalid("attestation " + std::to_string(i) + " (node " + a.node_id +
                     "): the signature does not check");
    }
    signers.push_back({{"nodeId", a.node_id}, {"publicKey", a.public_key}, {"outputCID", cid}});
  }
  return verdict({{"valid", true},
                  {"jobId", *job_id},
                  {"attempt", n},
                  {"operation", *operation},
                  {"inputCID", *input_cid},
                  {"outputCID", cid_v1_raw(output)},
                  {"parts", attestations->size()},
                  {"signers", std::move(signers)}});
}

}  // namespace litc::cli
