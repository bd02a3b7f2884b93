// Every JobRecord field reaches every mapping: the broker's records, JobInfo, the job JSON, the
// job hash and the mirror. The field list comes from the schema (common.bfbs, written by flatc at
// build time), so a field added to common.fbs fails here until each mapping carries it or names
// it below as deliberately left out, with its reason.
//
// Why the binary schema: the build runs flatc without --reflect-names, so common_generated.h has
// no JobRecordTypeTable(), and its VT_ enum cannot be walked at run time.
#include <flatbuffers/reflection.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <cstdint>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "bridge/job_hash.h"
#include "bridge/redis_keys.h"
#include "bridge/redis_mirror.h"
#include "broker/records.h"
#include "broker/scheduler.h"
#include "protocol/client.h"
#include "protocol/codec.h"
#include "protocol/job_json.h"

namespace litc {
namespace {

using Values = std::map<std::string, std::string>;  // field name -> canonical text of its value

// ---- the field list, from the binary schema ----

struct Field {
  std::string name;
  const reflection::Field* def;
  const reflection::Enum* enum_def;  // null unless the field is an enum
};

const std::string& schema_bytes() {
  static const std::string bytes = [] {
    std::ifstream in(LC_COMMON_BFBS, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }();
  return bytes;
}

const reflection::Schema& schema() {
  return *reflection::GetSchema(schema_bytes().data());
}

// JobRecord's fields in id (declaration) order.
std::vector<Field> job_record_fields() {
  const auto* object = schema().objects()->LookupByKey("litc.fb.JobRecord");
  if (object == nullptr) return {};
  std::vector<Field> fields;
  for (const auto* f : *object->fields()) {
    if (f->deprecated()) continue;
    const reflection::Enum* e = nullptr;
    if (f->type()->index() >= 0 && f->type()->base_type() != reflection::Obj) {
      e = schema().enums()->Get(f->type()->index());
    }
    fields.push_back(Field{f->name()->str(), f, e});
  }
  std::sort(fields.begin(), fields.end(),
            [](const Field& a, const Field& b) { return a.def->id() < b.def->id(); });
  return fields;
}

std::string enum_name(const reflection::Enum& e, int64_t value) {
  for (const auto* v : *e.values()) {
    if (v->value() == value) return v->name()->str();
  }
  return "?" + std::to_string(value);
}

// The canonical text of a field of a built record; nullopt when the field is absent.
std::optional<std::string> read_field(const flatbuffers::Table& t, const Field& f) {
  if (t.GetOptionalFieldOffset(f.def->offset()) == 0) return std::nullopt;
  switch (f.def->type()->base_type()) {
    case reflection::String:
      return flatbuffers::GetFieldS(t, *f.def)->str();
    case reflection::Vector: {
      if (f.def->type()->element() == reflection::Obj) {
        // A vector of tables reads as its JSON in the job object; only attestations exist.
        const auto* list =
            t.GetPointer<const flatbuffers::Vector<flatbuffers::Offset<fb::ResultAttestation>>*>(
                f.def->offset());
        std::vector<AttestationInfo> out;
        for (const fb::ResultAttestation* a : *list) out.push_back(AttestationInfo::from(*a));
        return attestations_json(out);
      }
      const auto* v = flatbuffers::GetFieldAnyV(t, *f.def);
      return std::string(reinterpret_cast<const char*>(v->Data()), v->size());
    }
    case reflection::Bool:
      return flatbuffers::GetFieldI<uint8_t>(t, *f.def) ? "true" : "false";
    default: {
      const int64_t n = flatbuffers::GetAnyFieldI(t, *f.def);
      if (f.enum_def) return enum_name(*f.enum_def, n);
      if (f.def->type()->base_type() == reflection::ULong) {
        return std::to_string(static_cast<uint64_t>(n));
      }
      return std::to_string(n);
    }
  }
}

// ---- one JobRecord with every field at a distinct non-default value ----

struct Sample {
  std::string buffer;
  Values values;
  const fb::JobRecord& record() const {
    return *flatbuffers::GetRoot<fb::JobRecord>(buffer.data());
  }
};

Sample sample_record() {
  Sample s;
  flatbuffers::FlatBufferBuilder b;
  std::vector<std::pair<const Field*, flatbuffers::uoffset_t>> offsets;
  const auto fields = job_record_fields();
  for (const auto& f : fields) {
    const auto type = f.def->type()->base_type();
    if (type == reflection::String) {
      s.values[f.name] = f.name + "-value";
      offsets.emplace_back(&f, b.CreateString(s.values[f.name]).o);
    } else if (type == reflection::Vector && f.def->type()->element() == reflection::UByte) {
      s.values[f.name] = f.name + "-bytes";
      offsets.emplace_back(&f, bytes(b, s.values[f.name]).o);
    } else if (type == reflection::Vector && f.def->type()->element() == reflection::Obj) {
      const auto* element = schema().objects()->Get(f.def->type()->index());
      if (element->name()->str() != "litc.fb.ResultAttestation") {
        ADD_FAILURE() << "field " << f.name << ": a vector of " << element->name()->str()
                      << ", for which the test has no sample; extend it";
        continue;
      }
      const AttestationInfo a{f.name + "-node", f.name + "-key", f.name + "-cid",
                              f.name + "-signature"};
      s.values[f.name] = attestations_json({a});
      auto one =
          fb::CreateResultAttestation(b, b.CreateString(a.node_id), b.CreateString(a.public_key),
                                      b.CreateString(a.output_cid), bytes(b, a.signature));
      offsets.emplace_back(&f, b.CreateVector(&one, 1).o);
    }
  }
  const auto start = b.StartTable();
  for (const auto& [f, offset] : offsets) {
    b.AddOffset(f->def->offset(), flatbuffers::Offset<void>(offset));
  }
  for (const auto& f : fields) {
    const auto id = static_cast<int64_t>(f.def->id());
    const auto at = f.def->offset();
    switch (f.def->type()->base_type()) {
      case reflection::String:
      case reflection::Vector:
        break;
      case reflection::Bool:
        b.AddElement<uint8_t>(at, 1, 0);
        s.values[f.name] = "true";
        break;
      case reflection::UByte:
      case reflection::UShort: {
        // Enums: state must be `completed`, the only state whose output every mapping carries;
        // any other enum takes its last value.
        int64_t n = 200 + id;
        if (f.enum_def) {
          n = f.enum_def->values()->Get(f.enum_def->values()->size() - 1)->value();
          if (f.name == "state") n = static_cast<int64_t>(fb::JobState::completed);
          s.values[f.name] = enum_name(*f.enum_def, n);
        } else {
          s.values[f.name] = std::to_string(n);
        }
        if (f.def->type()->base_type() == reflection::UByte) {
          b.AddElement<uint8_t>(at, static_cast<uint8_t>(n), 0);
        } else {
          b.AddElement<uint16_t>(at, static_cast<uint16_t>(n), 0);
        }
        break;
      }
      case reflection::Int:
        b.AddElement<int32_t>(at, static_cast<int32_t>(-100 - id), 0);  // negative: sign survives
        s.values[f.name] = std::to_string(-100 - id);
        break;
      case reflection::UInt:
        b.AddElement<uint32_t>(at, static_cast<uint32_t>(100'000 + id), 0);
        s.values[f.name] = std::to_string(100'000 + id);
        break;
      case reflection::ULong:
        b.AddElement<uint64_t>(at, 1'700'000'000'000ull + id, 0);  // above 2^32: no truncation
        s.values[f.name] = std::to_string(1'700'000'000'000ull + id);
        break;
      default:
        ADD_FAILURE() << "field " << f.name << ": no sample value for its type; extend the test";
    }
  }
  b.Finish(flatbuffers::Offset<fb::JobRecord>(b.EndTable(start)));
  s.buffer.assign(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
  return s;
}

// ---- what each mapping leaves out on purpose (field -> reason) ----

using Omissions = std::map<std::string, std::string>;

// Sent only by RecordDetail::full: the rest of a job's fields are in its `submitted` event.
const Omissions kBrokerFullOnly = {
    {"operation", "fixed at submit; in the submitted event and the snapshot"},
    {"priority", "fixed at submit"},
    {"max_attempts", "fixed at submit"},
    {"submitted_at_ms", "fixed at submit"},
    {"ttl_ms", "fixed at submit"},
    {"timeout_ms", "fixed at submit"},
    {"input_size", "fixed at submit"},
    {"verified", "fixed at submit"},
    {"input_cid", "fixed at submit"},
};
// The broker keeps one Job::result: the output when completed, else the error message.
const Omissions kBrokerStateDependent = {
    {"output", "only a completed job has one (Job::result)"},
    {"error_message", "only a failed or cancelled job has one (the same Job::result)"},
    {"attestations", "only a completed verified job has them"},
};
const Omissions kHashOmits = {
    {"job_id", "the key job:{id}:status names the job; the hash holds no id field"},
};

void check_omissions_name_fields(const Omissions& omissions, const char* what) {
  std::set<std::string> names;
  for (const auto& f : job_record_fields()) names.insert(f.name);
  for (const auto& [name, reason] : omissions) {
    EXPECT_TRUE(names.count(name)) << what << " omits \"" << name << "\", not a JobRecord field";
  }
}

// ---- JobInfo: C++ members cannot be listed, so each has a reader; a field without one fails ----

const std::map<std::string, std::function<std::string(const JobInfo&)>>& jobinfo_readers() {
  static const std::map<std::string, std::function<std::string(const JobInfo&)>> readers = {
      {"job_id", [](const JobInfo& j) { return j.job_id; }},
      {"operation", [](const JobInfo& j) { return j.operation; }},
      {"state", [](const JobInfo& j) { return std::string(state_name(j.state)); }},
      {"priority", [](const JobInfo& j) { return std::to_string(j.priority); }},
      {"attempt", [](const JobInfo& j) { return std::to_string(j.attempt); }},
      {"max_attempts", [](const JobInfo& j) { return std::to_string(j.max_attempts); }},
      {"node_id", [](const JobInfo& j) { return j.node_id; }},
      {"output", [](const JobInfo& j) { return j.output; }},
      {"error_code", [](const JobInfo& j) { return std::string(error_name(j.error_code)); }},
      {"error_message", [](const JobInfo& j) { return j.error_message; }},
      {"submitted_at_ms", [](const JobInfo& j) { return std::to_string(j.submitted_at_ms); }},
      {"started_at_ms", [](const JobInfo& j) { return std::to_string(j.started_at_ms); }},
      {"completed_at_ms", [](const JobInfo& j) { return std::to_string(j.completed_at_ms); }},
      {"ttl_ms", [](const JobInfo& j) { return std::to_string(j.ttl_ms); }},
      {"timeout_ms", [](const JobInfo& j) { return std::to_string(j.timeout_ms); }},
      {"dead_lettered",
       [](const JobInfo& j) { return std::string(j.dead_lettered ? "true" : "false"); }},
      {"input_size", [](const JobInfo& j) { return std::to_string(j.input_size); }},
      {"verified", [](const JobInfo& j) { return std::string(j.verified ? "true" : "false"); }},
      {"input_cid", [](const JobInfo& j) { return j.input_cid; }},
      {"attestations", [](const JobInfo& j) { return attestations_json(j.attestations); }},
  };
  return readers;
}

void expect_jobinfo_has(const JobInfo& j, const Values& expected, const char* what) {
  for (const auto& f : job_record_fields()) {
    auto reader = jobinfo_readers().find(f.name);
    if (reader == jobinfo_readers().end()) {
      ADD_FAILURE() << "JobInfo: no member for field \"" << f.name
                    << "\" (add it to JobInfo, JobInfo::from and jobinfo_readers)";
      continue;
    }
    EXPECT_EQ(reader->second(j), expected.at(f.name)) << what << ": field " << f.name;
  }
}

// snake_case -> camelCase, the default name of a field in the JSON and the hash.
std::string camel(const std::string& name) {
  std::string out;
  bool upper = false;
  for (char c : name) {
    if (c == '_') {
      upper = true;
    } else {
      out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
      upper = false;
    }
  }
  return out;
}

// Names that differ from camel(field): the seed's names (status, …At without Ms).
std::string renamed(const std::string& field, const std::map<std::string, std::string>& renames) {
  auto it = renames.find(field);
  return it != renames.end() ? it->second : camel(field);
}
const std::map<std::string, std::string> kSeedNames = {
    {"state", "status"},
    {"input_cid", "inputCID"},
    {"submitted_at_ms", "submittedAt"},
    {"started_at_ms", "startedAt"},
    {"completed_at_ms", "completedAt"},
};

// The job hash as name -> value, from an HSET (or field/value pairs).
Values pairs(const std::vector<std::string>& args, std::size_t from) {
  Values out;
  for (std::size_t i = from; i + 1 < args.size(); i += 2) out[args[i]] = args[i + 1];
  return out;
}

void expect_hash_has(const Values& hash, const Values& expected, const Omissions& omits,
                     const char* what) {
  for (const auto& f : job_record_fields()) {
    if (omits.count(f.name)) continue;
    const std::string key = renamed(f.name, kSeedNames);
    auto it = hash.find(key);
    if (it == hash.end()) {
      ADD_FAILURE() << what << ": no hash field \"" << key << "\" for JobRecord field " << f.name;
      continue;
    }
    std::string want = expected.at(f.name);
    if (f.def->type()->base_type() == reflection::Bool) want = want == "true" ? "1" : "0";
    EXPECT_EQ(it->second, want) << what << ": hash field " << key;
  }
}

// ---- the tests ----

TEST(JobRecordFields, SchemaListIsReadFromTheGeneratedSchema) {
  ASSERT_FALSE(schema_bytes().empty()) << "cannot read " << LC_COMMON_BFBS;
  ASSERT_TRUE(reflection::SchemaBufferHasIdentifier(schema_bytes().data()));
  const auto fields = job_record_fields();
  ASSERT_GE(fields.size(), 17u);
  EXPECT_EQ(fields.front().name, "job_id");
  const Sample s = sample_record();
  flatbuffers::Verifier v(reinterpret_cast<const uint8_t*>(s.buffer.data()), s.buffer.size());
  ASSERT_TRUE(s.record().Verify(v));
  // Every field of the sample is set and reads back as the value the test meant.
  for (const auto& f : fields) {
    EXPECT_EQ(read_field(*reinterpret_cast<const flatbuffers::Table*>(&s.record()), f),
              s.values.at(f.name))
        << f.name;
  }
  check_omissions_name_fields(kBrokerFullOnly, "kBrokerFullOnly");
  check_omissions_name_fields(kBrokerStateDependent, "kBrokerStateDependent");
  check_omissions_name_fields(kHashOmits, "kHashOmits");
}

// broker/records.cc, both detail levels: every field is sent by `full`, every field not in
// kBrokerFullOnly also by `changes` (a completed and a failed job: Job::result is one or the
// other).
TEST(JobRecordFields, BrokerRecordsCarryEveryField) {
  struct NoClock : broker::Clock {
    uint64_t now_ms() const override { return 0; }
  } clock;
  struct NoOutput : broker::SchedulerOutput {
    void assign(const broker::Worker&, const broker::Job&) override {}
    void cancel_on_worker(const broker::Worker&, const broker::Job&, uint32_t) override {}
    void disconnect_worker(const broker::Worker&, std::string_view) override {}
    void job_event(fb::JobEventKind, const broker::Job&) override {}
    void node_event(fb::NodeEventKind, const broker::Worker&) override {}
    void reply_final(const broker::Waiter&, const broker::Job&) override {}
  } output;
  // A verified job really run through the scheduler: its input CID and attestation live there.
  struct AnyResult : broker::ResultVerifier {
    std::string content_id(std::string_view bytes) const override {
      return "cid-of-" + std::string(bytes);
    }
    bool verify_key_proof(std::string_view, std::string_view, std::string_view) const override {
      return true;
    }
    bool verify(std::string_view, const broker::ResultClaim&, std::string_view) const override {
      return true;
    }
  } verifier;
  broker::SchedulerOptions options;
  options.result_verifier = &verifier;
  broker::Scheduler scheduler(options, clock, output);
  broker::RegisterArgs worker;
  worker.routing_id = "w";
  worker.node_id = "node-signer";
  worker.public_key = "key-signer";
  worker.signs_results = true;
  worker.operations = {"echo"};
  ASSERT_TRUE(scheduler.register_worker(worker).ok());
  broker::SubmitArgs submit;
  submit.job_id = "j-broker";
  submit.operation = "echo";
  submit.input = "input-of-seven";
  submit.verified = true;
  ASSERT_TRUE(scheduler.submit(submit).ok());
  ASSERT_EQ(scheduler.result("w", {"j-broker", 1, true, "out", fb::ErrorCode::unknown, {}, "sig"}),
            broker::ResultVerdict::accepted);

  broker::Job job = scheduler.job(scheduler.find("j-broker"));
  job.op = 1;
  job.node_id = "node-7";
  job.submitted_at_ms = 1'700'000'000'001;
  job.started_at_ms = 1'700'000'000'002;
  job.completed_at_ms = 1'700'000'000'003;
  job.priority = -4;
  job.attempt = 5;
  job.max_attempts = 6;
  job.ttl_ms = 7;
  job.timeout_ms = 8;
  job.error = fb::ErrorCode::timeout;
  job.dead_lettered = true;
  job.result = "the-result";
  // What each field should read as, from the Job; a new field needs its source here.
  const Values expected = {
      {"job_id", job.id},
      {"operation", std::string(scheduler.operation_name(job.op))},
      {"priority", "-4"},
      {"attempt", "5"},
      {"max_attempts", "6"},
      {"node_id", job.node_id},
      {"output", job.result},
      {"error_code", "timeout"},
      {"error_message", job.result},
      {"submitted_at_ms", "1700000000001"},
      {"started_at_ms", "1700000000002"},
      {"completed_at_ms", "1700000000003"},
      {"ttl_ms", "7"},
      {"timeout_ms", "8"},
      {"dead_lettered", "true"},
      {"input_size", std::to_string(job.input.size())},
      {"verified", "true"},
      {"input_cid", "cid-of-input-of-seven"},
      {"attestations", attestations_json({{"node-signer", "key-signer", "cid-of-out", "sig"}})},
  };

  for (auto detail : {broker::RecordDetail::full, broker::RecordDetail::changes}) {
    const bool full = detail == broker::RecordDetail::full;
    std::vector<std::string> buffers;
    for (auto state : {fb::JobState::completed, fb::JobState::failed}) {
      job.state = state;
      flatbuffers::FlatBufferBuilder b;
      b.Finish(broker::build_job_record(b, scheduler, job, detail));
      buffers.emplace_back(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
    }
    for (const auto& f : job_record_fields()) {
      const bool sent = full || !kBrokerFullOnly.count(f.name);
      // state differs between the two records by design; it is checked as the state asked for.
      std::optional<std::string> got;
      for (std::size_t i = 0; i < buffers.size() && !got; ++i) {
        const auto* t = flatbuffers::GetRoot<flatbuffers::Table>(buffers[i].data());
        got = read_field(*t, f);
        if (got && f.name == "state") {
          EXPECT_EQ(*got, i == 0 ? "completed" : "failed");
        }
      }
      if (!sent) {
        EXPECT_FALSE(got) << "changes level sends " << f.name << ": drop it from kBrokerFullOnly";
        continue;
      }
      if (!got) {
        ADD_FAILURE() << (full ? "full" : "changes") << " record lacks field " << f.name;
        continue;
      }
      if (f.name == "state") continue;
      auto want = expected.find(f.name);
      if (want == expected.end()) {
        ADD_FAILURE() << "field " << f.name << ": give its Job source in `expected`";
        continue;
      }
      EXPECT_EQ(*got, want->second) << (full ? "full" : "changes") << ": field " << f.name;
    }
  }
}

// protocol/client.cc JobInfo::from.
TEST(JobRecordFields, JobInfoFromCopiesEveryField) {
  const Sample s = sample_record();
  expect_jobinfo_has(JobInfo::from(s.record()), s.values, "JobInfo::from");
}

// protocol/job_json.cc: every field under its JSON key (kSeedNames, error.code/error.message,
// else camelCase), with its value.
TEST(JobRecordFields, JobJsonShowsEveryField) {
  const Sample s = sample_record();
  const std::string text = to_json(JobInfo::from(s.record()));
  boost::json::error_code ec;
  const boost::json::value doc = boost::json::parse(text, ec);
  ASSERT_FALSE(ec) << text;
  const std::map<std::string, std::string> json_names = {
      {"state", "status"},
      {"input_cid", "inputCID"},
      {"submitted_at_ms", "submittedAt"},
      {"started_at_ms", "startedAt"},
      {"completed_at_ms", "completedAt"},
      {"error_code", "error.code"},
      {"error_message", "error.message"},
  };
  for (const auto& f : job_record_fields()) {
    const std::string key = renamed(f.name, json_names);
    const boost::json::value* v = &doc;
    for (std::size_t from = 0; v != nullptr && from <= key.size();) {
      const auto dot = std::min(key.find('.', from), key.size());
      const auto* o = v->if_object();
      v = o ? o->if_contains(key.substr(from, dot - from)) : nullptr;
      from = dot + 1;
    }
    if (v == nullptr) {
      ADD_FAILURE() << "job JSON has no \"" << key << "\" for field " << f.name << ": " << text;
      continue;
    }
    std::string got;
    if (v->is_string()) got = std::string(v->get_string());
    if (v->is_int64()) got = std::to_string(v->get_int64());
    if (v->is_uint64()) got = std::to_string(v->get_uint64());
    if (v->is_bool()) got = v->get_bool() ? "true" : "false";
    if (v->is_array()) got = boost::json::serialize(*v);
    EXPECT_EQ(got, s.values.at(f.name)) << "job JSON key " << key;
  }
}

// bridge/job_hash.{h,cc}: for_each_job_field writes every field, job_from_hash reads it back.
TEST(JobRecordFields, JobHashWritesAndReadsEveryField) {
  const Sample s = sample_record();
  const JobInfo j = JobInfo::from(s.record());
  std::vector<std::string> args;
  bridge::append_job_fields(j, ~0u, args);
  const Values hash = pairs(args, 0);
  expect_hash_has(hash, s.values, kHashOmits, "append_job_fields");

  bridge::RedisReply reply;
  reply.type = bridge::RedisReply::Type::array;
  for (const auto& a : args) {
    bridge::RedisReply e;
    e.type = bridge::RedisReply::Type::string;
    e.str = a;
    reply.elements.push_back(e);
  }
  expect_jobinfo_has(bridge::job_from_hash(j.job_id, reply), s.values, "job_from_hash");
}

// bridge/redis_mirror.cc merge(): a full record (snapshot) writes every field to the hash; an
// event with the `changes` detail writes every field the broker sends at that level.
TEST(JobRecordFields, MirrorMergeWritesEveryField) {
  const Sample s = sample_record();
  const std::string key = bridge::keys::job_status(s.values.at("job_id"));
  auto hset_of = [&key](const bridge::RedisBatch& out) {
    for (const auto& c : out.commands()) {
      if (c.size() >= 2 && c[0] == "HSET" && c[1] == key) return pairs(c, 2);
    }
    return Values{};
  };

  bridge::RedisMirror snapshot;
  snapshot.snapshot_job(s.record());
  bridge::RedisBatch out;
  snapshot.flush(out, 1);
  expect_hash_has(hset_of(out), s.values, kHashOmits, "merge (full)");

  // The same record inside an `assigned` event (the mirror reads events only as a whole).
  flatbuffers::FlatBufferBuilder eb;
  auto copied =
      flatbuffers::CopyTable(eb, schema(), *schema().objects()->LookupByKey("litc.fb.JobRecord"),
                             *flatbuffers::GetRoot<flatbuffers::Table>(s.buffer.data()));
  auto ev = fb::CreateJobEvent(eb, fb::JobEventKind::assigned,
                               flatbuffers::Offset<fb::JobRecord>(copied.o));
  fb::FinishEventBuffer(
      eb, fb::CreateEvent(eb, kProtocolVersion, 1, 1, 0, fb::EventBody::JobEvent, ev.Union()));
  bridge::RedisMirror events;
  events.apply(*fb::GetEvent(eb.GetBufferPointer()));
  bridge::RedisBatch event_out;
  events.flush(event_out, 1);
  Omissions omits = kHashOmits;
  omits.insert(kBrokerFullOnly.begin(), kBrokerFullOnly.end());
  expect_hash_has(hset_of(event_out), s.values, omits, "merge (changes)");
}

}  // namespace
}  // namespace litc
