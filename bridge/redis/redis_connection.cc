// hiredis behind RedisConnection: URL parsing, connect + SELECT, pipelined round trips, reply
// copies.
#include "bridge/redis/redis_connection.h"

#include <hiredis/hiredis.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/time.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <utility>

namespace litc::bridge {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::string_view kScheme = "redis://";
// Commands go to hiredis in rounds of kRound, each written out (send) or read back (pipeline)
// before long: hiredis moves the unwritten tail of its output buffer to the front after every
// partial write, so one 150k-command append cost O(n^2) memmove (seconds).
constexpr std::size_t kRound = 512;
constexpr std::string_view kEmptyCommand = "*0\r\n";  // RedisBatch's command without arguments
constexpr std::string_view kUrlShape = "expected redis://host[:port][/db]";

bool fail(std::string* error, std::string why) {
  if (error) *error = std::move(why);
  return false;
}

// A decimal number with nothing else around it (no sign, no spaces), in [lo, hi].
std::optional<long> parse_number(std::string_view s, long lo, long hi) {
  if (s.empty()) return std::nullopt;
  long value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || value < lo || value > hi) {
    return std::nullopt;
  }
  return value;
}

bool valid_host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == '_';
}

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

RedisReply copy_reply(const redisReply& r) {
  RedisReply out;
  switch (r.type) {
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::string;
      out.str.assign(r.str, r.len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::status;
      out.str.assign(r.str, r.len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisReply::Type::error;
      out.str.assign(r.str, r.len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::integer;
      out.integer = r.integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::array;
      out.elements.reserve(r.elements);
      for (std::size_t i = 0; i < r.elements; ++i)
        out.elements.push_back(copy_reply(*r.element[i]));
      break;
    default:  // REDIS_REPLY_NIL, and nothing else exists in hiredis 0.14
      break;
  }
  return out;
}

RedisReply error_reply(std::string text) {
  RedisReply r;
  r.type = RedisReply::Type::error;
  r.str = std::move(text);
  return r;
}

// hiredis writes with write(2), so a peer that has gone away raises SIGPIPE, whose default action
// ends the process. Rather than change the process-wide disposition behind the caller's back, this
// blocks SIGPIPE in the calling thread for the duration of our I/O and swallows the one our own
// writes raised; the EPIPE still reaches hiredis as an I/O error. Nothing to do when the caller
// already blocks SIGPIPE.
class SigpipeGuard {
 public:
  SigpipeGuard() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
    restore_ = !sigismember(&old_, SIGPIPE);
  }
  ~SigpipeGuard() {
    if (!restore_) return;
    sigset_t pending;
    sigemptyset(&pending);
    if (sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE)) {
      const timespec zero{0, 0};
      while (sigtimedwait(&pipe_, nullptr, &zero) < 0 && errno == EINTR) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeGuard(const SigpipeGuard&) = delete;
  SigpipeGuard& operator=(const SigpipeGuard&) = delete;

 private:
  sigset_t pipe_;
  sigset_t old_;
  bool restore_ = false;
};

}  // namespace

std::string RedisEndpoint::url() const {
  // An IPv6 literal needs its brackets back to stay parseable.
  std::string h = host.find(':') == std::string::npos ? host : "[" + host + "]";
  std::string s = std::string(kScheme) + h + ":" + std::to_string(port);
  if (db != 0) s += "/" + std::to_string(db);
  return s;
}

std::optional<RedisEndpoint> parse_redis_url(std::string_view url, std::string* error) {
  const std::string quoted = "'" + std::string(url) + "'";
  if (url.substr(0, kScheme.size()) != kScheme) {
    auto sep = url.find("://");
    if (sep == std::string_view::npos) {
      fail(error, "bad Redis URL " + quoted + ": no scheme, " + std::string(kUrlShape));
    } else if (url.substr(0, sep) == "rediss") {
      fail(error, "bad Redis URL " + quoted + ": TLS (rediss://) is not supported, " +
                      std::string(kUrlShape));
    } else {
      fail(error, "bad Redis URL " + quoted + ": unknown scheme '" +
                      std::string(url.substr(0, sep)) + "', " + std::string(kUrlShape));
    }
    return std::nullopt;
  }
  std::string_view rest = url.substr(kScheme.size());
  if (rest.find_first_of("?#") != std::string_view::npos) {
    fail(error, "bad Redis URL " + quoted + ": query and fragment are not supported, " +
                    std::string(kUrlShape));
    return std::nullopt;
  }
  auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash + 1);
  if (authority.find('@') != std::string_view::npos) {
    fail(error,
         "bad Redis URL " + quoted + ": credentials are not supported, " + std::string(kUrlShape));
    return std::nullopt;
  }

  RedisEndpoint ep;
  std::string_view host;
  std::string_view port;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {  // [IPv6 literal]
    auto close = authority.find(']');
    if (close == std::string_view::npos) {
      fail(error, "bad Redis URL " + quoted + ": unterminated '[' in host");
      return std::nullopt;
    }
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') {
      fail(error, "bad Redis URL " + quoted + ": unexpected text after ']'");
      return std::nullopt;
    }
    has_port = !after.empty();
    if (has_port) port = after.substr(1);
    for (char c : host) {
      if (!(std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.')) {
        fail(error, "bad Redis URL " + quoted + ": bad IPv6 address '" + std::string(host) + "'");
        return std::nullopt;
      }
    }
  } else {
    auto colon = authority.find(':');
    host = authority.substr(0, colon);
    has_port = colon != std::string_view::npos;
    if (has_port) port = authority.substr(colon + 1);
    for (char c : host) {
      if (!valid_host_char(c)) {
        fail(error, "bad Redis URL " + quoted + ": bad character in host '" + std::string(host) +
                        "', " + std::string(kUrlShape));
        return std::nullopt;
      }
    }
  }
  if (host.empty()) {
    fail(error, "bad Redis URL " + quoted + ": no host, " + std::string(kUrlShape));
    return std::nullopt;
  }
  ep.host = std::string(host);
  if (has_port) {
    auto p = parse_number(port, 1, 65535);
    if (!p) {
      fail(error, "bad Redis URL " + quoted + ": bad port '" + std::string(port) +
                      "', expected a number from 1 to 65535");
      return std::nullopt;
    }
    ep.port = static_cast<int>(*p);
  }
  if (!path.empty()) {  // "redis://host/" is db 0, as redis-cli reads it
    auto db = parse_number(path, 0, 2147483647);
    if (!db) {
      fail(error, "bad Redis URL " + quoted + ": bad db '" + std::string(path) +
                      "', expected a database number such as /0");
      return std::nullopt;
    }
    ep.db = static_cast<int>(*db);
  }
  if (error) error->clear();
  return ep;
}

void RedisBatch::begin() {
  starts_.push_back(buf_.size());
  open_ = buf_.size();
  argc_ = 0;
}

void RedisBatch::arg(std::string_view a) {
  char head[24];
  head[0] = '$';
  auto [end, ec] = std::to_chars(head + 1, head + sizeof head - 2, a.size());
  *end++ = '\r';
  *end++ = '\n';
  buf_.append(head, static_cast<std::size_t>(end - head));
  buf_.append(a);
  buf_.append("\r\n", 2);
  ++argc_;
}

void RedisBatch::arg(uint64_t n) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, n);
  arg(std::string_view(digits, static_cast<std::size_t>(end - digits)));
}

void RedisBatch::end() {
  // The argument count is known only now: the header goes in front of the arguments (a small
  // move of one command's bytes).
  char head[24];
  head[0] = '*';
  auto [e, ec] = std::to_chars(head + 1, head + sizeof head - 2, argc_);
  *e++ = '\r';
  *e++ = '\n';
  buf_.insert(open_, head, static_cast<std::size_t>(e - head));
}

void RedisBatch::add(std::initializer_list<std::string_view> args) {
  begin();
  for (auto a : args) arg(a);
  end();
}

void RedisBatch::add(const std::vector<std::string>& args) {
  begin();
  for (const auto& a : args) arg(a);
  end();
}

std::string_view RedisBatch::command_bytes(std::size_t i) const {
  std::size_t from = starts_[i];
  std::size_t to = i + 1 < starts_.size() ? starts_[i + 1] : buf_.size();
  return std::string_view(buf_).substr(from, to - from);
}

std::vector<std::vector<std::string>> RedisBatch::commands() const {
  std::vector<std::vector<std::string>> out;
  for (std::size_t i = 0; i < size(); ++i) {
    std::string_view c = command_bytes(i);
    auto number = [&c](std::size_t& pos) {
      std::size_t n = 0;
      auto eol = c.find('\r', pos);
      std::from_chars(c.data() + pos + 1, c.data() + eol, n);
      pos = eol + 2;
      return n;
    };
    std::size_t pos = 0;
    std::size_t argc = number(pos);
    auto& cmd = out.emplace_back();
    for (std::size_t k = 0; k < argc; ++k) {
      std::size_t len = number(pos);
      cmd.emplace_back(c.substr(pos, len));
      pos += len + 2;
    }
  }
  return out;
}

RedisConnection::RedisConnection(RedisOptions options) : options_(std::move(options)) {
  connect();
}

RedisConnection::~RedisConnection() {
  if (ctx_) redisFree(ctx_);
}

void RedisConnection::connect() {
  last_attempt_ = Clock::now();
  const std::string where = options_.endpoint.url();
  redisContext* c = redisConnectWithTimeout(options_.endpoint.host.c_str(), options_.endpoint.port,
                                            to_timeval(options_.connect_timeout));
  if (c == nullptr) {
    error_ = where + ": cannot allocate a hiredis context";
    return;
  }
  if (c->err) {
    error_ = where + ": connect: " + c->errstr;
    redisFree(c);
    return;
  }
  // The connect timeout only bounds the handshake; every later read and write is bounded by the
  // command timeout (0: wait forever, as hiredis does by default). It bounds each socket call, not
  // a whole pipeline: a long batch may take longer in total, but a silent server is noticed within
  // it.
  if (options_.command_timeout.count() > 0 &&
      redisSetTimeout(c, to_timeval(options_.command_timeout)) != REDIS_OK) {
    error_ = where + ": setting the command timeout: " + c->errstr;
    redisFree(c);
    return;
  }
  // Keep-alive probes notice a peer that vanished without a FIN while the connection sits idle.
  redisEnableKeepAlive(c);
  if (options_.endpoint.db != 0) {
    SigpipeGuard guard;
    const std::string db = std::to_string(options_.endpoint.db);
    const char* argv[] = {"SELECT", db.c_str()};
    const size_t lens[] = {6, db.size()};
    auto* reply = static_cast<redisReply*>(redisCommandArgv(c, 2, argv, lens));
    if (reply == nullptr) {
      error_ = where + ": SELECT " + db + ": " + c->errstr;
      redisFree(c);
      return;
    }
    if (reply->type == REDIS_REPLY_ERROR) {
      error_ = where + ": SELECT " + db + ": " + std::string(reply->str, reply->len);
      freeReplyObject(reply);
      redisFree(c);
      return;
    }
    freeReplyObject(reply);
  }
  ctx_ = c;
  error_.clear();
  ++connects_;
}

void RedisConnection::drop(std::string why) {
  if (ctx_) {
    redisFree(ctx_);
    ctx_ = nullptr;
    ++losses_;
  }
  error_ = options_.endpoint.url() + ": " + std::move(why);
  // Whatever was sent and not answered has an unknown outcome.
  for (auto& b : sent_) finished_.push_back({std::move(b.done), RedisStatus::down, {}});
  sent_.clear();
}

void RedisConnection::run_finished() {
  while (!finished_.empty()) {
    auto batch = std::exchange(finished_, {});
    for (auto& f : batch) {
      if (f.done) f.done(f.status, f.replies);
    }
  }
}

int RedisConnection::fd() const {
  return ctx_ ? ctx_->fd : -1;
}

void RedisConnection::answered(const redisReply& reply) {
  last_reply_at_ = Clock::now();
  if (sent_.empty()) return;
  SentBatch& b = sent_.front();
  if (reply.type == REDIS_REPLY_ERROR) {
    ++error_replies_;
    last_error_reply_.assign(reply.str, reply.len);
    b.error = true;
  }
  if (b.keep) b.replies.push_back(copy_reply(reply));
  if (--b.replies_left != 0) return;
  finished_.push_back(
      {std::move(b.done), b.error ? RedisStatus::error : RedisStatus::ok, std::move(b.replies)});
  sent_.pop_front();
}

bool RedisConnection::append(const RedisBatch& batch, std::size_t begin, std::size_t end) {
  for (std::size_t i = begin; i < end; ++i) {
    std::string_view cmd = batch.command_bytes(i);
    // An empty command would go out as "*0\r\n", which Redis silently ignores: no reply would
    // come and every later reply would be read against the wrong command. It is not sent.
    if (cmd == kEmptyCommand) continue;
    if (redisAppendFormattedCommand(ctx_, cmd.data(), cmd.size()) != REDIS_OK) {
      // Only out of memory gets here; the output buffer holds part of the batch, so the context
      // cannot be reused.
      drop(std::string("queueing a command: ") + ctx_->errstr);
      return false;
    }
  }
  return true;
}

bool RedisConnection::write_out() {
  int done = 0;
  while (!done) {
    if (redisBufferWrite(ctx_, &done) != REDIS_OK) {
      drop(std::string("connection lost while writing: ") + ctx_->errstr);
      return false;
    }
  }
  return true;
}

RedisStatus RedisConnection::send(const RedisBatch& batch,
                                  std::function<void(RedisStatus)>&& done) {
  if (!ctx_) return RedisStatus::down;
  std::size_t commands = 0;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    commands += batch.command_bytes(i) != kEmptyCommand;
  }
  // Written first: on failure `done` stays with the caller.
  if (write_batch(batch) != RedisStatus::ok) return RedisStatus::down;
  ReadFn on_done;
  if (done) {
    on_done = [done = std::move(done)](RedisStatus status, std::vector<RedisReply>&) {
      done(status);
    };
  }
  track(commands, std::move(on_done), false);
  return RedisStatus::ok;
}

RedisStatus RedisConnection::read(const RedisBatch& batch, ReadFn&& done) {
  if (!ctx_) return RedisStatus::down;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (batch.command_bytes(i) == kEmptyCommand) return RedisStatus::error;
  }
  if (write_batch(batch) != RedisStatus::ok) return RedisStatus::down;
  track(batch.size(), std::move(done), true);
  return RedisStatus::ok;
}

RedisStatus RedisConnection::write_batch(const RedisBatch& batch) {
  SigpipeGuard guard;
  for (std::size_t begin = 0; begin < batch.size(); begin += kRound) {
    if (!append(batch, begin, std::min(batch.size(), begin + kRound)) || !write_out()) {
      return RedisStatus::down;
    }
  }
  return RedisStatus::ok;
}

void RedisConnection::track(std::size_t commands, ReadFn&& done, bool keep) {
  if (commands == 0) {
    finished_.push_back({std::move(done), RedisStatus::ok, {}});
    return;
  }
  if (sent_.empty()) last_reply_at_ = Clock::now();  // silence is counted from here
  SentBatch sent{commands, std::move(done), false, keep, {}};
  if (keep) sent.replies.reserve(commands);
  sent_.push_back(std::move(sent));
}

void RedisConnection::collect() {
  while (ctx_ && !sent_.empty()) {
    void* raw = nullptr;
    if (redisGetReplyFromReader(ctx_, &raw) != REDIS_OK) {
      drop(std::string("bad reply: ") + ctx_->errstr);
      return;
    }
    if (raw != nullptr) {
      answered(*static_cast<redisReply*>(raw));
      freeReplyObject(raw);
      continue;
    }
    pollfd p{ctx_->fd, POLLIN, 0};
    if (::poll(&p, 1, 0) <= 0) break;  // nothing more has arrived
    if (redisBufferRead(ctx_) != REDIS_OK) {
      drop(std::string("connection lost: ") + ctx_->errstr);
      return;
    }
  }
  // Silence, not the batch's age: a slow Redis that still answers is not dropped.
  if (ctx_ && !sent_.empty() && options_.command_timeout.count() > 0 &&
      Clock::now() - last_reply_at_ > options_.command_timeout) {
    drop("no reply within the command timeout (" +
         std::to_string(options_.command_timeout.count()) + " ms)");
  }
  run_finished();
}

redisReply* RedisConnection::next_reply() {
  void* raw = nullptr;
  // Writes whatever is queued, then blocks up to command_timeout (the socket's timeout).
  if (redisGetReply(ctx_, &raw) != REDIS_OK || raw == nullptr) {
    std::string why = ctx_->errstr;
    if (ctx_->err == REDIS_ERR_IO && why == std::strerror(EAGAIN)) {
      why = "no reply within the command timeout (" +
            std::to_string(options_.command_timeout.count()) + " ms)";
    }
    drop("connection lost: " + why);
    return nullptr;
  }
  return static_cast<redisReply*>(raw);
}

void RedisConnection::read_sent(std::size_t keep) {
  SigpipeGuard guard;
  while (ctx_ && sent_.size() > keep) {
    redisReply* reply = next_reply();
    if (reply == nullptr) return;
    answered(*reply);
    freeReplyObject(reply);
  }
}

void RedisConnection::await_sent(std::size_t keep) {
  read_sent(keep);
  run_finished();
}

bool RedisConnection::ensure_up() {
  if (ctx_) return true;
  if (Clock::now() - last_attempt_ < options_.reconnect_interval) return false;
  connect();
  return up();
}

RedisStatus RedisConnection::pipeline(const RedisBatch& batch, std::vector<RedisReply>* replies) {
  if (replies) {
    replies->clear();
    replies->reserve(batch.size());
  }
  if (!ensure_up()) return RedisStatus::down;
  read_sent(0);  // replies come in order: those of earlier sends first (their `done` waits)
  if (!ctx_) return RedisStatus::down;
  if (batch.empty()) return RedisStatus::ok;

  // In rounds of kRound commands, with the next round queued before the previous round's replies
  // are read, so Redis always has work while we decode (two cores: both stay busy).
  const std::size_t n = batch.size();
  auto append_round = [&](std::size_t begin) {
    return append(batch, begin, std::min(n, begin + kRound));
  };
  auto read_round = [&](std::size_t begin) {
    for (std::size_t i = begin; i < std::min(n, begin + kRound); ++i) {
      if (batch.command_bytes(i) == kEmptyCommand) {
        if (replies) replies->push_back(error_reply("ERR empty command (not sent)"));
        continue;
      }
      redisReply* reply = next_reply();
      if (reply == nullptr) return false;
      if (replies) replies->push_back(copy_reply(*reply));
      freeReplyObject(reply);
    }
    return true;
  };
  SigpipeGuard guard;
  bool ok = append_round(0);
  for (std::size_t begin = 0; ok && begin < n; begin += kRound) {
    ok = (begin + kRound >= n || append_round(begin + kRound)) && read_round(begin);
  }
  if (!ok) {
    if (replies) replies->clear();  // the batch's outcome is unknown as a whole
    return RedisStatus::down;
  }
  return RedisStatus::ok;
}

std::optional<RedisReply> RedisConnection::command(std::initializer_list<std::string_view> args) {
  RedisBatch batch;
  batch.add(args);
  std::vector<RedisReply> replies;
  if (pipeline(batch, &replies) != RedisStatus::ok) return std::nullopt;
  return std::move(replies.front());
}

}  // namespace litc::bridge
