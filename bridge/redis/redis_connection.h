// One blocking connection to Redis (hiredis) with pipelining, for the bridge's mirror and reads.
// Never throws after construction: a lost connection is a value (RedisStatus::down), and the next
// call tries to reconnect, at most once per reconnect_interval so a dead Redis costs no time on
// every event-loop turn.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct redisContext;
struct redisReply;

namespace litc::bridge {

struct RedisEndpoint {
  std::string host = "127.0.0.1";
  int port = 6379;
  int db = 0;
  std::string url() const;  // "redis://host:port[/db]"
};

// redis://host[:port][/db]; nullopt (with `error` set) for anything else.
std::optional<RedisEndpoint> parse_redis_url(std::string_view url, std::string* error = nullptr);

// An owned copy of a redisReply.
struct RedisReply {
  enum class Type { nil, integer, string, status, error, array };
  Type type = Type::nil;
  int64_t integer = 0;
  std::string str;  // string, status and error replies
  std::vector<RedisReply> elements;
  bool is_error() const { return type == Type::error; }
};

// Commands queued for one pipelined round trip, kept as the RESP bytes Redis reads (one buffer,
// no string per argument: the mirror queues hundreds of thousands of arguments a second).
// Arguments are binary-safe.
class RedisBatch {
 public:
  void add(std::initializer_list<std::string_view> args);
  void add(const std::vector<std::string>& args);
  // A command built argument by argument: begin(), arg() per argument, end().
  void begin();
  void arg(std::string_view a);
  void arg(uint64_t n);
  void end();

  std::size_t size() const { return starts_.size(); }
  bool empty() const { return starts_.empty(); }
  void clear() {
    buf_.clear();
    starts_.clear();
  }
  // The RESP encoding of command i ("*0\r\n" for a command without arguments).
  std::string_view command_bytes(std::size_t i) const;
  // Every command decoded back into arguments (tests and logs; not for the hot path).
  std::vector<std::vector<std::string>> commands() const;

 private:
  std::string buf_;
  std::vector<std::size_t> starts_;  // offset of each command in buf_
  std::size_t open_ = 0;             // begin(): where the header goes
  std::size_t argc_ = 0;
};

// ok; error: connected, but Redis refused a command of the batch (send() only); down: no answer.
enum class RedisStatus { ok, error, down };

struct RedisOptions {
  RedisEndpoint endpoint;
  std::chrono::milliseconds connect_timeout{500};
  std::chrono::milliseconds command_timeout{2000};
  std::chrono::milliseconds reconnect_interval{500};
};

class RedisConnection {
 public:
  // A batch's outcome and, for read(), every reply in command order (empty for send(), and when
  // down).
  using ReadFn = std::function<void(RedisStatus, std::vector<RedisReply>&)>;

  // Tries to connect once; a failure leaves it down (see error()), it does not throw.
  explicit RedisConnection(RedisOptions options);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  bool up() const { return ctx_ != nullptr; }
  // Connects if down and the last attempt is older than reconnect_interval. True when up.
  bool ensure_up();
  // Sends every command of the batch, then reads every reply (one round trip). On an I/O error the
  // connection is dropped and down is returned; replies that are Redis errors (e.g. WRONGTYPE) are
  // returned as RedisReply::Type::error in place, not as down. When down, *replies is empty (which
  // commands took effect is unknown). An empty command is not sent; its reply is an error in place.
  RedisStatus pipeline(const RedisBatch& batch, std::vector<RedisReply>* replies = nullptr);
  // One command; nullopt when down.
  std::optional<RedisReply> command(std::initializer_list<std::string_view> args);

  // Writes without waiting: sends every command of the batch and returns. Once all their replies
  // have arrived the batch is finished: ok, or error when Redis refused one of its commands (an
  // error reply, e.g. OOM; last_error_reply() says which); down when the connection is lost first
  // or Redis stays silent for command_timeout. `done` runs only from collect() and await_sent(),
  // which the owner calls at points of its choosing — never from pipeline()/command(), which read
  // earlier batches' replies first but leave their `done` for later, so a callback never runs
  // inside an unrelated caller. Replies are discarded. Returns down, leaving `done` with the
  // caller, when the connection is down (send never reconnects: see ensure_up) or the write fails.
  RedisStatus send(const RedisBatch& batch, std::function<void(RedisStatus)>&& done);
  // send() for reads: the same ordering and timeouts, but every reply is kept for `done` (error
  // replies in place, status error). On the connection the mirror writes on, a read sent after a
  // write sees it (Redis answers in order), with no wait in the caller. A batch with an empty
  // command is refused (error, nothing sent): its reply could not be placed.
  RedisStatus read(const RedisBatch& batch, ReadFn&& done);
  // Reads the replies that have arrived, without blocking; runs `done` of every finished batch.
  void collect();
  // Blocks until at most `keep` sent batches are unanswered (or the connection is lost), then
  // runs `done` of every finished batch.
  void await_sent(std::size_t keep = 0);
  // Error replies to sent batches, in all, and the last one's text.
  uint64_t error_replies() const { return error_replies_; }
  const std::string& last_error_reply() const { return last_error_reply_; }
  std::size_t batches_in_flight() const { return sent_.size(); }
  // The socket to poll for replies; -1 when down.
  int fd() const;
  // Why the connection is down (empty while up).
  const std::string& error() const { return error_; }
  // Times the connection was (re)established, and lost.
  uint64_t connects() const { return connects_; }
  uint64_t losses() const { return losses_; }
  const RedisOptions& options() const { return options_; }

 private:
  void connect();
  void drop(std::string why);
  // The next reply, blocking; nullptr after dropping the connection (I/O error or timeout).
  redisReply* next_reply();
  // A reply arrived: counts it against the oldest sent batch; a complete batch joins finished_.
  void answered(const redisReply& reply);
  // Blocks until at most `keep` sent batches are unanswered; runs no `done`.
  void read_sent(std::size_t keep);
  void run_finished();
  // Queues commands [begin, end) of the batch in hiredis (empty ones skipped); false after drop.
  bool append(const RedisBatch& batch, std::size_t begin, std::size_t end);
  bool write_out();

  // Queues and writes every command of the batch (empty ones skipped); down after a drop.
  RedisStatus write_batch(const RedisBatch& batch);
  // The batch is on the wire: its `commands` replies are awaited (none: finished at once).
  void track(std::size_t commands, ReadFn&& done, bool keep);

  struct SentBatch {
    std::size_t replies_left;
    ReadFn done;
    bool error;  // a reply was an error
    bool keep;   // read(): replies are copied for `done`
    std::vector<RedisReply> replies;
  };
  struct FinishedBatch {
    ReadFn done;
    RedisStatus status;
    std::vector<RedisReply> replies;
  };
  std::deque<SentBatch> sent_;
  std::vector<FinishedBatch> finished_;
  std::chrono::steady_clock::time_point last_reply_at_{};
  uint64_t error_replies_ = 0;
  std::string last_error_reply_;

  RedisOptions options_;
  redisContext* ctx_ = nullptr;
  std::string error_;
  std::chrono::steady_clock::time_point last_attempt_{};
  uint64_t connects_ = 0;
  uint64_t losses_ = 0;
};

}  // namespace litc::bridge
