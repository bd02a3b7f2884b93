// BlobStore: the bridge's content-addressed output store on a local directory (see blob_store.h).
#include "bridge/blob_store.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <system_error>
#include <tuple>
#include <vector>

#include "protocol/cid.h"

namespace litc::bridge {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kCidChars = 59;  // "b" + 58 base32 characters for 36 bytes
constexpr std::string_view kTmpSuffix = ".tmp";

uint64_t system_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

uint64_t mtime_ms(const struct stat& st) {
  return uint64_t(st.st_mtim.tv_sec) * 1000 + uint64_t(st.st_mtim.tv_nsec) / 1'000'000;
}

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

bool is_blob_cid(std::string_view cid) {
  if (cid.size() != kCidChars || cid[0] != 'b') return false;
  std::array<uint8_t, 36> bytes{};
  std::size_t n = 0;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : cid.substr(1)) {
    uint32_t v;
    if (c >= 'a' && c <= 'z') {
      v = static_cast<uint32_t>(c - 'a');
    } else if (c >= '2' && c <= '7') {
      v = 26 + static_cast<uint32_t>(c - '2');
    } else {
      return false;  // upper case, padding, '/', '.', anything else
    }
    buffer = ((buffer << 5) | v) & 0xfff;  // at most 12 bits are ever pending
    bits += 5;
    if (bits >= 8) {
      bytes[n++] = static_cast<uint8_t>(buffer >> (bits - 8));
      bits -= 8;
    }
  }
  // 58 * 5 = 290 bits: 36 bytes and 2 bits of padding, which must be zero (one spelling per CID).
  if (n != bytes.size() || (buffer & ((1u << bits) - 1)) != 0) return false;
  return bytes[0] == 0x01 && bytes[1] == 0x55 && bytes[2] == 0x12 && bytes[3] == 0x20;
}

BlobStore::BlobStore(BlobStoreOptions options, Clock clock)
    : options_(std::move(options)), clock_(clock ? std::move(clock) : Clock(system_ms)) {
  if (options_.dir.empty()) throw std::runtime_error("blob store: no directory");
  std::error_code ec;
  fs::create_directories(options_.dir, ec);
  if (ec) {
    throw std::runtime_error("blob store: cannot create " + options_.dir + ": " + ec.message());
  }
  index_existing();
  writer_ = std::thread([this] { run(); });
}

BlobStore::~BlobStore() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  work_cv_.notify_all();
  writer_.join();
}

std::string BlobStore::path(std::string_view cid) const {
  std::string p = options_.dir;
  p += '/';
  p += cid;
  return p;
}

void BlobStore::index_existing() {
  std::error_code ec;
  fs::directory_iterator it(options_.dir, ec);
  if (ec) {
    throw std::runtime_error("blob store: cannot read " + options_.dir + ": " + ec.message());
  }
  // (mtime, name): blobs of equal mtime get their order from the name, the same after each start.
  std::vector<std::tuple<uint64_t, std::string, uint64_t>> found;
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) break;
    const std::string name = it->path().filename().string();
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    if (name.size() > kTmpSuffix.size() &&
        name.compare(name.size() - kTmpSuffix.size(), kTmpSuffix.size(), kTmpSuffix) == 0 &&
        is_blob_cid(std::string_view(name).substr(0, name.size() - kTmpSuffix.size()))) {
      ::unlink(it->path().c_str());  // a write cut short by a stop or a crash
      continue;
    }
    if (!is_blob_cid(name)) continue;  // not ours: left alone, never served
    found.emplace_back(mtime_ms(st), name, static_cast<uint64_t>(st.st_size));
  }
  std::sort(found.begin(), found.end());
  const uint64_t now = clock_();
  std::vector<std::string> victims;
  {
    std::lock_guard lock(mu_);
    for (auto& [ms, name, size] : found) {
      by_age_.emplace(std::make_pair(ms, next_order_), name);
      index_.emplace(std::move(name), Entry{size, ms, next_order_});
      ++next_order_;
      total_bytes_ += charged(size);
    }
    // The limits may have changed since the last run: applied before the first put.
    victims = trim(now);
  }
  remove_files(victims);
}

BlobStore::PutResult BlobStore::put(std::string_view cid, std::string_view bytes) {
  if (!is_blob_cid(cid)) return PutResult::malformed;
  if (bytes.size() > options_.max_blob_bytes || charged(bytes.size()) > options_.max_total_bytes) {
    ++counters_.too_large;
    return PutResult::too_large;
  }
  {
    std::lock_guard lock(mu_);
    const std::string key(cid);
    if (index_.count(key) != 0 || queued_cids_.count(key) != 0) {
      ++counters_.duplicates;
      return PutResult::present;
    }
    if (queue_.size() >= options_.max_queued_blobs ||
        queued_bytes_ + bytes.size() > options_.max_queued_bytes) {
      ++counters_.dropped;
      return PutResult::dropped;
    }
    queued_cids_.insert(key);
    queued_bytes_ += bytes.size();
    queue_.push_back(Item{key, std::string(bytes)});
  }
  work_cv_.notify_one();
  return PutResult::queued;
}

bool BlobStore::contains(std::string_view cid) const {
  std::lock_guard lock(mu_);
  const std::string key(cid);
  return index_.count(key) != 0 || queued_cids_.count(key) != 0;
}

BlobStore::GetResult BlobStore::get(std::string_view cid) const {
  GetResult r;
  if (!is_blob_cid(cid)) {
    r.status = GetStatus::malformed;
    return r;
  }
  {
    // Only what this store indexed: not a file whose removal failed, nor one another process
    // left in the directory.
    std::lock_guard lock(mu_);
    if (index_.find(std::string(cid)) == index_.end()) return r;
  }
  const std::string p = path(cid);
  int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return r;  // never stored, or trimmed
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
      static_cast<uint64_t>(st.st_size) > options_.max_blob_bytes) {
    ::close(fd);
    return r;
  }
  std::string bytes(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t got = 0;
  while (got < bytes.size()) {
    ssize_t n = ::read(fd, bytes.data() + got, bytes.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  if (got != bytes.size() || cid_v1_raw(bytes) != cid) {
    ++counters_.read_errors;  // cut short by a crash, or changed by hand: not what the name says
    return r;
  }
  r.status = GetStatus::ok;
  r.bytes = std::move(bytes);
  return r;
}

void BlobStore::flush() {
  std::unique_lock lock(mu_);
  const uint64_t generation = ++flush_requested_;
  work_cv_.notify_one();
  idle_cv_.wait(lock, [&] { return flush_done_ >= generation; });
}

void BlobStore::run() {
  // clock_() is never called with mu_ held: put() must not wait on anything but the queue.
  std::unique_lock lock(mu_);
  while (true) {
    if (!queue_.empty()) {
      Item item = std::move(queue_.front());
      queue_.pop_front();
      queued_bytes_ -= item.bytes.size();
      if (index_.count(item.cid) != 0) {
        queued_cids_.erase(item.cid);
        ++counters_.duplicates;
        continue;
      }
      lock.unlock();
      write(item);  // updates the index under mu_
      lock.lock();
      continue;
    }
    if (stop_) return;
    // Everything put before this flush generation is written (the queue is empty).
    const uint64_t generation = flush_requested_;
    if (generation == flush_done_) {
      const bool woken = work_cv_.wait_for(
          lock, std::chrono::milliseconds(options_.retention_check_ms),
          [&] { return stop_ || !queue_.empty() || flush_done_ != flush_requested_; });
      if (woken) continue;
    }
    // A flush, or a quiet retention_check_ms: blobs past the retention go.
    lock.unlock();
    const uint64_t now = clock_();
    lock.lock();
    auto victims = trim(now);
    lock.unlock();
    remove_files(victims);
    lock.lock();
    if (generation != flush_done_) {
      flush_done_ = generation;
      idle_cv_.notify_all();
    }
  }
}

void BlobStore::write(Item& item) {
  const std::string final_path = path(item.cid);
  const std::string tmp = final_path + std::string(kTmpSuffix);
  const uint64_t now = clock_();
  bool ok = false;
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd >= 0) {
    ok = write_all(fd, item.bytes);
    // The stored time is the mtime: what the index reads back after a restart.
    timespec times[2];
    times[0].tv_sec = times[1].tv_sec = static_cast<time_t>(now / 1000);
    times[0].tv_nsec = times[1].tv_nsec = static_cast<long>((now % 1000) * 1'000'000);
    ok = ok && ::futimens(fd, times) == 0;
    ok = ::close(fd) == 0 && ok;
    ok = ok && ::rename(tmp.c_str(), final_path.c_str()) == 0;
  }
  if (!ok) {
    const int err = errno;
    ::unlink(tmp.c_str());
    ++counters_.write_errors;
    spdlog::warn("blob store: cannot write {} ({} bytes): {}", final_path, item.bytes.size(),
                 std::strerror(err));
  }
  std::vector<std::string> victims;
  {
    std::lock_guard lock(mu_);
    queued_cids_.erase(item.cid);
    if (!ok) return;
    const uint64_t size = item.bytes.size();
    by_age_.emplace(std::make_pair(now, next_order_), item.cid);
    index_.emplace(std::move(item.cid), Entry{size, now, next_order_});
    ++next_order_;
    total_bytes_ += charged(size);
    ++counters_.stored;
    counters_.stored_bytes += size;
    victims = trim(now);
  }
  remove_files(victims);
}

std::vector<std::string> BlobStore::trim(uint64_t now_ms) {
  std::vector<std::string> victims;
  while (!by_age_.empty() && options_.retention_ms != 0 &&
         by_age_.begin()->first.first + options_.retention_ms <= now_ms) {
    victims.push_back(take_oldest());
  }
  while (!by_age_.empty() &&
         (total_bytes_ > options_.max_total_bytes || index_.size() > options_.max_blobs)) {
    victims.push_back(take_oldest());
  }
  counters_.evicted += victims.size();
  counters_.blobs = index_.size();
  counters_.bytes = total_bytes_;
  return victims;
}

std::string BlobStore::take_oldest() {
  auto oldest = by_age_.begin();
  std::string cid = std::move(oldest->second);
  by_age_.erase(oldest);
  auto it = index_.find(cid);
  if (it != index_.end()) {
    total_bytes_ -= charged(it->second.size);
    index_.erase(it);
  }
  return cid;
}

void BlobStore::remove_files(const std::vector<std::string>& cids) {
  // Only the writer (or the constructor, before it starts) removes or writes files, in order: a
  // cid trimmed here and put again meanwhile is written after its removal, never before.
  for (const auto& cid : cids) {
    if (::unlink(path(cid).c_str()) != 0 && errno != ENOENT) ++counters_.write_errors;
  }
}

}  // namespace litc::bridge
