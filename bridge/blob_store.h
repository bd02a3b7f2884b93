// BlobStore: completed jobs' output bytes in a local directory, one file per CID (protocol/cid.h),
// so GET /lit-compute/blobs/:cid can serve them and a submit can name its input by CID.
//
// DESIGN.
//  - Content-addressed: a blob is the file <dir>/<cid>, where cid is the CIDv1 (raw, sha2-256,
//    base32) cid_v1_raw prints for its bytes. A name is checked strictly (is_blob_cid: exactly
//    what cid_v1_raw can produce) before the filesystem is touched: no other name, so no path,
//    ever reaches open().
//  - put() never blocks its caller (the BridgeLoop thread): it copies the bytes into a bounded
//    queue (blobs and bytes) for ONE writer thread, or drops them and counts the drop. The writer
//    writes <cid>.tmp, sets its mtime to the clock, renames it to <cid> (atomic: a reader sees the
//    whole blob or none), skips a cid already stored, then trims.
//  - Trim: oldest stored first (by mtime) while the total is over max_total_bytes; and every blob
//    older than retention_ms (0: kept until the size limit). An idle writer checks the age every
//    retention_check_ms (a second), and at every flush().
//  - get() reads the file on the caller's thread (an HTTP thread), concurrently with the writer:
//    a blob renamed in is whole, a blob trimmed away reads as not_found. The bytes are hashed
//    again and must match the name (a file cut short by a crash reads as not_found).
//  - Start-up indexes the directory: stale .tmp files are removed, files whose names are no CID
//    are left alone and ignored, the limits are applied at once. A restart keeps the blobs.
//  - What is stored is the caller's choice: the bridge stores completed outputs except decrypt's
//    (BridgeLoop), never a job input.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace litc::bridge {

// True when `cid` is exactly a string cid_v1_raw can produce: 59 characters, "b" + lower-case
// base32 (no padding) of 0x01 0x55 0x12 0x20 and a 32-byte digest, with the unused bits zero.
bool is_blob_cid(std::string_view cid);

struct BlobStoreOptions {
  std::string dir;  // created if missing
  // Over either: the oldest blobs are removed. Bytes count whole 4 KiB blocks per blob (what the
  // disk spends), so many tiny outputs cannot hold far more than the limit says.
  uint64_t max_total_bytes = uint64_t{1} << 30;
  std::size_t max_blobs = 1'000'000;
  uint64_t retention_ms = 7ull * 24 * 3600 * 1000;  // older blobs are removed; 0: size limit only
  std::size_t max_blob_bytes = 16u << 20;           // bigger blobs are not stored
  std::size_t max_queued_blobs = 1024;              // waiting for the writer; more are dropped
  std::size_t max_queued_bytes = 64u << 20;         // the same, in bytes
  uint64_t retention_check_ms = 1000;               // an idle writer checks the age this often
};

// Read by /metrics on the HTTP threads while the writer updates them.
struct BlobStoreCounters {
  std::atomic<uint64_t> stored{0};        // blobs written
  std::atomic<uint64_t> stored_bytes{0};  // bytes written
  std::atomic<uint64_t> duplicates{0};    // put() or write of a cid already stored
  std::atomic<uint64_t> evicted{0};       // removed by the size limit or the retention
  std::atomic<uint64_t> dropped{0};       // put() found the queue full
  std::atomic<uint64_t> too_large{0};     // over max_blob_bytes (or max_total_bytes)
  std::atomic<uint64_t> write_errors{0};  // a write, rename or removal failed
  std::atomic<uint64_t> read_errors{0};   // get() found a file that does not hash to its name
  std::atomic<uint64_t> blobs{0};         // stored now
  std::atomic<uint64_t> bytes{0};         // stored now, in whole 4 KiB blocks per blob
};

class BlobStore {
 public:
  // Milliseconds since the Unix epoch (file mtimes use the same scale); tests inject their own.
  using Clock = std::function<uint64_t()>;

  enum class PutResult { queued, present, too_large, dropped, malformed };
  enum class GetStatus { ok, malformed, not_found };
  struct GetResult {
    GetStatus status = GetStatus::not_found;
    std::string bytes;
  };

  // Creates the directory, indexes it and starts the writer. Throws std::runtime_error when the
  // directory cannot be created or read (start-up only).
  explicit BlobStore(BlobStoreOptions options, Clock clock = {});
  // Writes what is queued, then stops the writer.
  ~BlobStore();
  BlobStore(const BlobStore&) = delete;
  BlobStore& operator=(const BlobStore&) = delete;

  // Never blocks: queues a copy of `bytes` under `cid` (the caller computed it with cid_v1_raw).
  PutResult put(std::string_view cid, std::string_view bytes);
  // Thread-safe; reads the file.
  GetResult get(std::string_view cid) const;
  // Stored (written and not trimmed) or queued.
  bool contains(std::string_view cid) const;

  // Tests: waits until everything queued so far is written and one trim has run at clock() now.
  void flush();

  const BlobStoreCounters& counters() const { return counters_; }
  const BlobStoreOptions& options() const { return options_; }

 private:
  struct Entry {
    uint64_t size = 0;
    uint64_t stored_ms = 0;
    uint64_t order = 0;  // ties of stored_ms: the earlier written is older
  };
  struct Item {
    std::string cid;
    std::string bytes;
  };

  static uint64_t charged(uint64_t size) {
    return (size + 4095) / 4096 * 4096 + (size == 0) * 4096;
  }
  void index_existing();
  void run();
  void write(Item& item);
  // Takes blobs past the retention, then the oldest while over max_total_bytes, out of the index
  // (mu_ held); their files are removed by remove_files, outside the lock, so put() never waits
  // on an unlink.
  std::vector<std::string> trim(uint64_t now_ms);
  std::string take_oldest();  // mu_ held
  void remove_files(const std::vector<std::string>& cids);
  std::string path(std::string_view cid) const;

  BlobStoreOptions options_;
  Clock clock_;
  mutable BlobStoreCounters counters_;  // get() counts read errors

  mutable std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable idle_cv_;
  std::deque<Item> queue_;
  std::size_t queued_bytes_ = 0;
  std::unordered_set<std::string> queued_cids_;
  std::unordered_map<std::string, Entry> index_;
  std::map<std::pair<uint64_t, uint64_t>, std::string> by_age_;  // (stored_ms, order) -> cid
  uint64_t next_order_ = 0;
  uint64_t total_bytes_ = 0;
  uint64_t flush_requested_ = 0;  // flush() generations asked for / done
  uint64_t flush_done_ = 0;
  bool stop_ = false;
  std::thread writer_;
};

}  // namespace litc::bridge
