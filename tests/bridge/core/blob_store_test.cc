// BlobStore on a temporary directory with an injected clock: round trip, duplicates, the size
// limit (oldest first), the retention, restart re-indexing, stale .tmp files, strict CID names,
// the bounded queue and the per-blob limit.
#include "bridge/blob_store.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "protocol/cid.h"

namespace litc::bridge {
namespace {

namespace fs = std::filesystem;
using Status = BlobStore::GetStatus;
using Put = BlobStore::PutResult;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "litc-blob-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// A clock the test moves by hand (ms since the epoch; any value works).
struct ManualClock {
  std::atomic<uint64_t> now{1'700'000'000'000};
  BlobStore::Clock fn() {
    return [this] { return now.load(); };
  }
};

std::string bytes_of(char c, std::size_t n) {
  return std::string(n, c);
}

void write_file(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << bytes;
}

class BlobStoreTest : public ::testing::Test {
 protected:
  BlobStoreOptions options() {
    BlobStoreOptions o;
    o.dir = (dir_.path() / "blobs").string();
    // No idle trims during a test: only flush() checks the age, at the clock's time.
    o.retention_check_ms = 3'600'000;
    return o;
  }
  std::unique_ptr<BlobStore> open(BlobStoreOptions o) {
    return std::make_unique<BlobStore>(std::move(o), clock_.fn());
  }
  fs::path file(const std::string& cid) { return dir_.path() / "blobs" / cid; }
  // Puts bytes under their CID and waits until written; returns the CID.
  std::string store(BlobStore& s, const std::string& bytes) {
    std::string cid = cid_v1_raw(bytes);
    EXPECT_EQ(s.put(cid, bytes), Put::queued) << cid;
    s.flush();
    return cid;
  }

  TempDir dir_;
  ManualClock clock_;
};

TEST(BlobCid, AcceptsExactlyWhatCidV1RawPrints) {
  for (const std::string& bytes : {std::string(), std::string("hello world"),
                                   std::string("\0\xff\x01", 3), bytes_of('x', 100'000)}) {
    EXPECT_TRUE(is_blob_cid(cid_v1_raw(bytes))) << cid_v1_raw(bytes);
  }
  // The published CID of "hello world" (`ipfs add --cid-version=1 --raw-leaves`).
  EXPECT_EQ(cid_v1_raw("hello world"),
            "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e");
  EXPECT_TRUE(is_blob_cid("bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e"));
}

TEST(BlobCid, RefusesEveryOtherSpelling) {
  const std::string good = cid_v1_raw("hello world");
  std::string upper = good;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::string pad_bits = good;  // the last character carries 3 bits and 2 bits that must be 0
  pad_bits.back() = static_cast<char>(pad_bits.back() + 1);
  std::string dag_pb = good;  // the same digest under the dag-pb codec (0x70): not a raw blob
  dag_pb.replace(0, 7, "bafybei");
  const std::string cases[] = {"",
                               "b",
                               good.substr(0, 58),
                               good + "a",
                               upper,
                               "B" + good.substr(1),
                               "z" + good.substr(1),
                               pad_bits,
                               dag_pb,
                               good.substr(0, 20) + "1" + good.substr(21),  // '1' is no base32
                               good.substr(0, 20) + "=" + good.substr(21),
                               good.substr(0, 20) + "/" + good.substr(21),
                               "../x",
                               "../" + good.substr(3),
                               good.substr(0, 58) + "\n"};
  for (const auto& c : cases) EXPECT_FALSE(is_blob_cid(c)) << "accepted: " << c;
}

TEST_F(BlobStoreTest, PutThenGetGivesTheSameBytesFromAFileNamedByTheCid) {
  auto s = open(options());
  const std::string bytes("binary\0\xff\x80 output", 17);
  const std::string cid = store(*s, bytes);
  auto got = s->get(cid);
  ASSERT_EQ(got.status, Status::ok);
  EXPECT_EQ(got.bytes, bytes);
  EXPECT_TRUE(fs::is_regular_file(file(cid)));
  EXPECT_FALSE(fs::exists(file(cid + ".tmp")));
  EXPECT_TRUE(s->contains(cid));
  EXPECT_EQ(s->counters().stored.load(), 1u);
  EXPECT_EQ(s->counters().stored_bytes.load(), bytes.size());
  EXPECT_EQ(s->counters().blobs.load(), 1u);
  EXPECT_EQ(s->counters().bytes.load(), 4096u) << "a blob costs its whole 4 KiB blocks";
  // Empty output is a blob too (its CID is what GET jobs/:id shows).
  const std::string empty = store(*s, "");
  auto e = s->get(empty);
  ASSERT_EQ(e.status, Status::ok);
  EXPECT_EQ(e.bytes, "");
}

TEST_F(BlobStoreTest, UnknownIsNotFoundAndAMalformedNameIsRefusedBeforeTheFilesystem) {
  auto s = open(options());
  EXPECT_EQ(s->get(cid_v1_raw("never stored")).status, Status::not_found);
  EXPECT_EQ(s->get("../x").status, Status::malformed);
  EXPECT_EQ(s->get("").status, Status::malformed);
  // A readable file outside the store, one directory up: still malformed, never read.
  write_file(dir_.path() / "secret", "not a blob");
  EXPECT_EQ(s->get("../secret").status, Status::malformed);
  EXPECT_EQ(s->put("../escaped", "bytes"), Put::malformed);
  s->flush();
  EXPECT_FALSE(fs::exists(dir_.path() / "escaped"));
  EXPECT_FALSE(fs::exists(dir_.path() / "escaped.tmp"));
  EXPECT_EQ(s->counters().stored.load(), 0u);
}

TEST_F(BlobStoreTest, ACidAlreadyStoredOrQueuedIsSkipped) {
  auto s = open(options());
  const std::string bytes = "same output";
  const std::string cid = cid_v1_raw(bytes);
  EXPECT_EQ(s->put(cid, bytes), Put::queued);
  EXPECT_EQ(s->put(cid, bytes), Put::present);  // queued, or already written
  s->flush();
  EXPECT_EQ(s->put(cid, bytes), Put::present);  // written
  s->flush();
  EXPECT_EQ(s->counters().stored.load(), 1u);
  EXPECT_EQ(s->counters().duplicates.load(), 2u);
  EXPECT_EQ(s->counters().blobs.load(), 1u);
}

TEST_F(BlobStoreTest, OverTheSizeLimitTheOldestBlobsGoFirst) {
  auto o = options();
  o.max_total_bytes = 10'000;  // two and a half 4 KiB blocks: room for two 100-byte blobs
  auto s = open(o);
  const std::string a = store(*s, bytes_of('a', 100));
  clock_.now += 1;
  const std::string b = store(*s, bytes_of('b', 100));
  clock_.now += 1;
  EXPECT_EQ(s->counters().evicted.load(), 0u);
  const std::string c = store(*s, bytes_of('c', 100));
  EXPECT_EQ(s->get(a).status, Status::not_found);
  EXPECT_FALSE(fs::exists(file(a)));
  EXPECT_EQ(s->get(b).status, Status::ok);
  EXPECT_EQ(s->get(c).status, Status::ok);
  EXPECT_EQ(s->counters().evicted.load(), 1u);
  EXPECT_EQ(s->counters().bytes.load(), 8192u);
  EXPECT_EQ(s->counters().blobs.load(), 2u);
  // Two more at the same millisecond: the earlier written is the older.
  const std::string d = store(*s, bytes_of('d', 100));
  const std::string e = store(*s, bytes_of('e', 100));
  EXPECT_EQ(s->get(b).status, Status::not_found);
  EXPECT_EQ(s->get(c).status, Status::not_found);
  EXPECT_EQ(s->get(d).status, Status::ok);
  EXPECT_EQ(s->get(e).status, Status::ok);
  EXPECT_EQ(s->counters().evicted.load(), 3u);
}

TEST_F(BlobStoreTest, BlobsOlderThanTheRetentionAreRemoved) {
  auto o = options();
  o.retention_ms = 1000;
  auto s = open(o);
  const std::string a = store(*s, "first");
  clock_.now += 500;
  const std::string b = store(*s, "second");
  clock_.now += 499;
  s->flush();
  EXPECT_EQ(s->get(a).status, Status::ok) << "999 ms old: kept";
  clock_.now += 1;
  s->flush();
  EXPECT_EQ(s->get(a).status, Status::not_found) << "1000 ms old: removed";
  EXPECT_FALSE(fs::exists(file(a)));
  EXPECT_EQ(s->get(b).status, Status::ok);
  clock_.now += 500;
  s->flush();
  EXPECT_EQ(s->get(b).status, Status::not_found);
  EXPECT_EQ(s->counters().evicted.load(), 2u);
  EXPECT_EQ(s->counters().blobs.load(), 0u);
  EXPECT_EQ(s->counters().bytes.load(), 0u);
}

TEST_F(BlobStoreTest, RetentionZeroKeepsBlobsUntilTheSizeLimitNeedsTheRoom) {
  auto o = options();
  o.retention_ms = 0;
  auto s = open(o);
  const std::string a = store(*s, "kept");
  clock_.now += uint64_t{10} * 366 * 24 * 3600 * 1000;
  s->flush();
  EXPECT_EQ(s->get(a).status, Status::ok);
  EXPECT_EQ(s->counters().evicted.load(), 0u);
}

TEST_F(BlobStoreTest, ARestartIndexesTheDirectoryAndKeepsItsLimits) {
  std::string a, b, c;
  {
    auto s = open(options());
    a = store(*s, bytes_of('a', 100));
    clock_.now += 10;
    b = store(*s, bytes_of('b', 100));
    clock_.now += 10;
    c = store(*s, bytes_of('c', 100));
  }
  {
    auto s = open(options());
    EXPECT_EQ(s->counters().blobs.load(), 3u);
    EXPECT_EQ(s->counters().bytes.load(), 3u * 4096);
    EXPECT_TRUE(s->contains(a));
    auto got = s->get(b);
    ASSERT_EQ(got.status, Status::ok);
    EXPECT_EQ(got.bytes, bytes_of('b', 100));
    EXPECT_EQ(s->put(c, bytes_of('c', 100)), Put::present);
  }
  // A smaller limit at the next start: the oldest (by stored time, the file's mtime) go at once.
  auto o = options();
  o.max_total_bytes = 6000;  // one block and a half
  auto s = open(o);
  EXPECT_EQ(s->get(a).status, Status::not_found);
  EXPECT_EQ(s->get(b).status, Status::not_found);
  EXPECT_EQ(s->get(c).status, Status::ok);
  EXPECT_EQ(s->counters().evicted.load(), 2u);
  EXPECT_EQ(s->counters().bytes.load(), 4096u);
}

TEST_F(BlobStoreTest, TinyBlobsAreLimitedByTheirBlocksAndByCount) {
  // 1,000 one-byte outputs would be 1 KB by length but ~4 MB on disk: the limit counts blocks.
  auto o = options();
  o.max_total_bytes = 3 * 4096;
  auto s = open(o);
  std::vector<std::string> cids;
  for (char c : std::string("abcde")) {
    cids.push_back(store(*s, std::string(1, c)));
    clock_.now += 1;
  }
  EXPECT_EQ(s->counters().blobs.load(), 3u);
  EXPECT_EQ(s->get(cids[1]).status, Status::not_found);
  EXPECT_EQ(s->get(cids[4]).status, Status::ok);
  s.reset();
  auto by_count = options();
  by_count.max_blobs = 2;
  auto t = open(by_count);  // the same directory at the next start: the count applies at once
  EXPECT_EQ(t->counters().blobs.load(), 2u);
  EXPECT_EQ(t->get(cids[2]).status, Status::not_found);
  EXPECT_EQ(t->get(cids[3]).status, Status::ok);
  EXPECT_EQ(t->get(cids[4]).status, Status::ok);
}

TEST_F(BlobStoreTest, OnlyIndexedBlobsAreServed) {
  auto s = open(options());
  // A valid blob file written by someone else after start-up (another process sharing the dir).
  const std::string bytes = "dropped in by hand";
  const std::string cid = cid_v1_raw(bytes);
  std::ofstream(file(cid), std::ios::binary) << bytes;
  EXPECT_EQ(s->get(cid).status, Status::not_found);
}

TEST_F(BlobStoreTest, ARestartAppliesTheRetentionToTheStoredTime) {
  auto o = options();
  o.retention_ms = 60'000;
  std::string old_cid, new_cid;
  {
    auto s = open(o);
    old_cid = store(*s, "old");
    clock_.now += 30'000;
    new_cid = store(*s, "new");
  }
  clock_.now += 30'000;  // "old" is 60 s old now, "new" 30 s
  auto s = open(o);
  EXPECT_EQ(s->get(old_cid).status, Status::not_found);
  EXPECT_EQ(s->get(new_cid).status, Status::ok);
}

TEST_F(BlobStoreTest, StartUpRemovesStaleTmpFilesAndIgnoresForeignNames) {
  const fs::path blobs = dir_.path() / "blobs";
  fs::create_directories(blobs);
  const std::string cid = cid_v1_raw("cut short");
  write_file(blobs / (cid + ".tmp"), "cut sh");
  write_file(blobs / "README", "someone's notes");
  write_file(blobs / "BAFKREI-NOT-A-CID", "x");
  fs::create_directories(blobs / cid_v1_raw("a directory"));
  auto s = open(options());
  EXPECT_FALSE(fs::exists(blobs / (cid + ".tmp")));
  EXPECT_TRUE(fs::exists(blobs / "README")) << "not ours: left alone";
  EXPECT_EQ(s->counters().blobs.load(), 0u);
  EXPECT_EQ(s->counters().bytes.load(), 0u);
  EXPECT_EQ(s->get(cid).status, Status::not_found);
  EXPECT_EQ(s->get(cid_v1_raw("a directory")).status, Status::not_found);
}

TEST_F(BlobStoreTest, AFileThatDoesNotHashToItsNameIsNotServed) {
  const fs::path blobs = dir_.path() / "blobs";
  fs::create_directories(blobs);
  const std::string cid = cid_v1_raw("the real bytes");
  write_file(blobs / cid, "other bytes");
  auto s = open(options());
  EXPECT_EQ(s->get(cid).status, Status::not_found);
  EXPECT_EQ(s->counters().read_errors.load(), 1u);
}

TEST_F(BlobStoreTest, ABlobOverTheLimitIsNotStored) {
  auto o = options();
  o.max_blob_bytes = 10;
  auto s = open(o);
  const std::string big = bytes_of('x', 11);
  EXPECT_EQ(s->put(cid_v1_raw(big), big), Put::too_large);
  const std::string fits = bytes_of('y', 10);
  EXPECT_EQ(s->put(cid_v1_raw(fits), fits), Put::queued);
  s->flush();
  EXPECT_EQ(s->get(cid_v1_raw(big)).status, Status::not_found);
  EXPECT_FALSE(fs::exists(file(cid_v1_raw(big))));
  EXPECT_EQ(s->get(cid_v1_raw(fits)).status, Status::ok);
  EXPECT_EQ(s->counters().too_large.load(), 1u);
  EXPECT_EQ(s->counters().stored.load(), 1u);
}

TEST_F(BlobStoreTest, AFullQueueDropsAndCountsWithoutWaiting) {
  // The writer is held inside its first write (the clock it reads there blocks), so the queue
  // fills: one waiting blob is the limit, the next put is dropped at once.
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<bool> armed{false};
  std::atomic<bool> held{false};
  auto o = options();
  o.max_queued_blobs = 1;
  BlobStore s(o, [&] {
    if (armed.exchange(false)) {
      held = true;
      released.wait();
    }
    return clock_.now.load();
  });
  armed = true;
  EXPECT_EQ(s.put(cid_v1_raw("one"), "one"), Put::queued);
  for (int i = 0; i < 5000 && !held; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  ASSERT_TRUE(held) << "the writer never took the first blob";
  EXPECT_EQ(s.put(cid_v1_raw("two"), "two"), Put::queued);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(s.put(cid_v1_raw("three"), "three"), Put::dropped);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(100));
  EXPECT_EQ(s.counters().dropped.load(), 1u);
  release.set_value();
  s.flush();
  EXPECT_EQ(s.get(cid_v1_raw("one")).status, Status::ok);
  EXPECT_EQ(s.get(cid_v1_raw("two")).status, Status::ok);
  EXPECT_EQ(s.get(cid_v1_raw("three")).status, Status::not_found);
  EXPECT_EQ(s.counters().stored.load(), 2u);
}

TEST_F(BlobStoreTest, TheQueueIsBoundedInBytesToo) {
  auto o = options();
  o.max_queued_bytes = 50;
  auto s = open(o);
  const std::string big = bytes_of('z', 51);
  EXPECT_EQ(s->put(cid_v1_raw(big), big), Put::dropped);
  EXPECT_EQ(s->counters().dropped.load(), 1u);
  s->flush();
  EXPECT_EQ(s->get(cid_v1_raw(big)).status, Status::not_found);
}

TEST_F(BlobStoreTest, QueuedBlobsAreWrittenBeforeTheStoreStops) {
  std::string cid;
  {
    auto s = open(options());
    cid = cid_v1_raw("last words");
    EXPECT_EQ(s->put(cid, "last words"), Put::queued);
  }  // no flush: the destructor writes what is queued
  auto s = open(options());
  EXPECT_EQ(s->get(cid).status, Status::ok);
}

}  // namespace
}  // namespace litc::bridge
