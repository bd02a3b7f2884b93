// RedisConnection against a real redis-server: URL table, round trips, pipelining, errors in
// place, and what a dead, restarted, silent or absent server does to the connection.
#include "bridge/redis/redis_connection.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "localnet/redis_server.h"
#include "localnet/temp_dir.h"

namespace litc::bridge {
namespace {

using Clock = std::chrono::steady_clock;
using localnet::RedisServer;
using localnet::TempDir;
using std::chrono::milliseconds;
using namespace std::string_literals;

milliseconds since(Clock::time_point start) {
  return std::chrono::duration_cast<milliseconds>(Clock::now() - start);
}

// ---------------------------------------------------------------------------------------------
// URL parsing

TEST(RedisUrl, ParsesHostPortAndDb) {
  struct Case {
    const char* url;
    std::string host;
    int port;
    int db;
  };
  const Case cases[] = {
      {"redis://127.0.0.1", "127.0.0.1", 6379, 0},
      {"redis://localhost:6380", "localhost", 6380, 0},
      {"redis://10.1.2.3:7000/3", "10.1.2.3", 7000, 3},
      {"redis://cache-1.internal_zone:1/15", "cache-1.internal_zone", 1, 15},
      {"redis://h:65535/0", "h", 65535, 0},
      {"redis://h/", "h", 6379, 0},
      {"redis://[::1]:6390/2", "::1", 6390, 2},
      {"redis://[::1]", "::1", 6379, 0},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.url);
    std::string error = "stale";
    auto ep = parse_redis_url(c.url, &error);
    ASSERT_TRUE(ep.has_value()) << error;
    EXPECT_TRUE(error.empty());
    EXPECT_EQ(ep->host, c.host);
    EXPECT_EQ(ep->port, c.port);
    EXPECT_EQ(ep->db, c.db);
    // url() is parseable and names the same endpoint.
    auto again = parse_redis_url(ep->url());
    ASSERT_TRUE(again.has_value()) << ep->url();
    EXPECT_EQ(again->host, c.host);
    EXPECT_EQ(again->port, c.port);
    EXPECT_EQ(again->db, c.db);
  }
}

TEST(RedisUrl, UrlOmitsDbZeroAndKeepsOthers) {
  RedisEndpoint ep;
  ep.host = "h";
  ep.port = 7;
  EXPECT_EQ(ep.url(), "redis://h:7");
  ep.db = 4;
  EXPECT_EQ(ep.url(), "redis://h:7/4");
}

TEST(RedisUrl, RejectsAnythingElseWithAClearReason) {
  struct Case {
    const char* url;
    const char* reason;  // a part of the error text
  };
  const Case cases[] = {
      {"", "no scheme"},
      {"127.0.0.1:6379", "no scheme"},
      {"http://127.0.0.1:6379", "unknown scheme 'http'"},
      {"REDIS://h", "unknown scheme 'REDIS'"},
      {"rediss://h:6380", "TLS"},
      {"unix:///tmp/redis.sock", "unknown scheme 'unix'"},
      {"redis://", "no host"},
      {"redis://:6379", "no host"},
      {"redis:///3", "no host"},
      {"redis://h:", "bad port ''"},
      {"redis://h:0", "bad port '0'"},
      {"redis://h:65536", "bad port '65536'"},
      {"redis://h:-1", "bad port '-1'"},
      {"redis://h:+5", "bad port '+5'"},
      {"redis://h:63a9", "bad port '63a9'"},
      {"redis://h:99999999999999999999", "bad port"},
      {"redis://h:1:2", "bad port '1:2'"},
      {"redis://h/x", "bad db 'x'"},
      {"redis://h/-1", "bad db '-1'"},
      {"redis://h/1/2", "bad db '1/2'"},
      {"redis://h/99999999999", "bad db"},
      {"redis://user:secret@h", "credentials"},
      {"redis://h?db=1", "query"},
      {"redis://h o:1", "bad character in host"},
      {"redis://[::1:6379", "unterminated '['"},
      {"redis://[::1]x", "after ']'"},
      {"redis://[zz]:1", "bad IPv6 address"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.url);
    std::string error;
    EXPECT_FALSE(parse_redis_url(c.url, &error).has_value());
    EXPECT_NE(error.find(c.reason), std::string::npos) << error;
    EXPECT_NE(error.find("bad Redis URL '"s + c.url + "'"), std::string::npos) << error;
    EXPECT_FALSE(parse_redis_url(c.url).has_value());  // no error pointer: still no crash
  }
}

// ---------------------------------------------------------------------------------------------
// Against a real redis-server

class RedisConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<RedisServer>(dir_.path());
    ASSERT_TRUE(server_->running()) << server_->error();
  }
  void TearDown() override {
    if (HasFailure()) {
      dir_.keep();  // the server's log, for the failure
      std::cerr << "kept " << dir_.path() << "\n" << server_->tail();
    }
  }

  RedisOptions options(std::string_view url_suffix = "") const {
    RedisOptions o;
    o.endpoint = *parse_redis_url(server_->url() + std::string(url_suffix));
    o.connect_timeout = milliseconds(500);
    o.command_timeout = milliseconds(5000);
    o.reconnect_interval = milliseconds(500);
    return o;
  }

  TempDir dir_{"litc-redis-test"};
  std::unique_ptr<RedisServer> server_;
};

TEST_F(RedisConnectionTest, ConnectsAndRoundTripsCommands) {
  RedisConnection conn(options());
  ASSERT_TRUE(conn.up()) << conn.error();
  EXPECT_TRUE(conn.error().empty());
  EXPECT_EQ(conn.connects(), 1u);
  EXPECT_EQ(conn.losses(), 0u);

  auto pong = conn.command({"PING"});
  ASSERT_TRUE(pong.has_value());
  EXPECT_EQ(pong->type, RedisReply::Type::status);
  EXPECT_EQ(pong->str, "PONG");

  auto set = conn.command({"SET", "greeting", "hello"});
  ASSERT_TRUE(set.has_value());
  EXPECT_EQ(set->type, RedisReply::Type::status);
  EXPECT_EQ(set->str, "OK");

  auto get = conn.command({"GET", "greeting"});
  ASSERT_TRUE(get.has_value());
  EXPECT_EQ(get->type, RedisReply::Type::string);
  EXPECT_EQ(get->str, "hello");

  auto missing = conn.command({"GET", "no-such-key"});
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(missing->type, RedisReply::Type::nil);

  auto incr = conn.command({"INCRBY", "counter", "41"});
  ASSERT_TRUE(incr.has_value());
  EXPECT_EQ(incr->type, RedisReply::Type::integer);
  EXPECT_EQ(incr->integer, 41);

  ASSERT_TRUE(conn.command({"ZADD", "z", "1", "a", "2", "b"}).has_value());
  auto range = conn.command({"ZRANGE", "z", "0", "-1", "WITHSCORES"});
  ASSERT_TRUE(range.has_value());
  ASSERT_EQ(range->type, RedisReply::Type::array);
  ASSERT_EQ(range->elements.size(), 4u);
  EXPECT_EQ(range->elements[0].str, "a");
  EXPECT_EQ(range->elements[1].str, "1");
  EXPECT_EQ(range->elements[2].str, "b");
  EXPECT_EQ(range->elements[3].str, "2");
}

TEST_F(RedisConnectionTest, PipelinesTenThousandCommandsWithRepliesInOrder) {
  RedisConnection conn(options());
  ASSERT_TRUE(conn.up()) << conn.error();
  constexpr int kCommands = 10000;
  RedisBatch batch;
  for (int i = 0; i < kCommands; ++i) {
    // Alternate two kinds of reply so a reply read against the wrong command shows.
    if (i % 2 == 0) {
      batch.add({"ECHO", std::to_string(i)});
    } else {
      batch.add({"RPUSH", "list", std::to_string(i)});
    }
  }
  ASSERT_EQ(batch.size(), static_cast<std::size_t>(kCommands));
  std::vector<RedisReply> replies;
  ASSERT_EQ(conn.pipeline(batch, &replies), RedisStatus::ok) << conn.error();
  ASSERT_EQ(replies.size(), static_cast<std::size_t>(kCommands));
  for (int i = 0; i < kCommands; ++i) {
    if (i % 2 == 0) {
      ASSERT_EQ(replies[i].type, RedisReply::Type::string) << i;
      ASSERT_EQ(replies[i].str, std::to_string(i));
    } else {
      ASSERT_EQ(replies[i].type, RedisReply::Type::integer) << i;
      ASSERT_EQ(replies[i].integer, (i + 1) / 2);  // the list's length after this push
    }
  }
  // Every write landed, in order.
  auto last = conn.command({"LINDEX", "list", "-1"});
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->str, std::to_string(kCommands - 1));
  EXPECT_EQ(conn.losses(), 0u);
}

TEST_F(RedisConnectionTest, PipelineWithoutReplyVectorAndEmptyBatchAreOk) {
  RedisConnection conn(options());
  ASSERT_TRUE(conn.up()) << conn.error();
  RedisBatch batch;
  EXPECT_EQ(conn.pipeline(batch), RedisStatus::ok);
  for (int i = 0; i < 100; ++i) batch.add({"INCR", "n"});
  EXPECT_EQ(conn.pipeline(batch), RedisStatus::ok);
  auto n = conn.command({"GET", "n"});
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(n->str, "100");
  // A reply vector from an earlier call is replaced, not appended to.
  std::vector<RedisReply> replies(3);
  batch.clear();
  batch.add({"PING"});
  ASSERT_EQ(conn.pipeline(batch, &replies), RedisStatus::ok);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].str, "PONG");
}

TEST_F(RedisConnectionTest, ArgumentsAndRepliesAreBinarySafe) {
  RedisConnection conn(options());
  ASSERT_TRUE(conn.up()) << conn.error();
  const std::string key = "job\0id"s;
  const std::string value = "a\0b\r\n*3\r\n\xff\x00"s;
  RedisBatch batch;
  batch.add(std::vector<std::string>{"SET", key, value});
  batch.add({"GET", key});
  batch.add({"STRLEN", key});
  batch.add({"EXISTS", "job"});  // the key cut at its NUL must not exist
  std::vector<RedisReply> replies;
  ASSERT_EQ(conn.pipeline(batch, &replies), RedisStatus::ok) << conn.error();
  ASSERT_EQ(replies.size(), 4u);
  EXPECT_EQ(replies[0].str, "OK");
  EXPECT_EQ(replies[1].type, RedisReply::Type::string);
  EXPECT_EQ(replies[1].str, value);
  EXPECT_EQ(replies[2].integer, static_cast<int64_t>(value.size()));
  EXPECT_EQ(replies[3].integer, 0);

  auto get = conn.command({std::string_view("GET"), std::string_view(key)});
  ASSERT_TRUE(get.has_value());
  EXPECT_EQ(get->str, value);
}

TEST_F(RedisConnectionTest, ReturnsRedisErrorsInPlaceWithinAPipeline) {
  RedisConnection conn(options());
  ASSERT_TRUE(conn.up()) << conn.error();
  RedisBatch batch;
  batch.add({"SET", "k", "v"});
  batch.add({"LPUSH", "k", "x"});  // WRONGTYPE: k holds a string
  batch.add({"NO-SUCH-COMMAND", "a"});
  batch.add(std::vector<std::string>{});  // empty: never sent, answered in place
  batch.add({"GET", "k"});
  std::vector<RedisReply> replies;
  ASSERT_EQ(conn.pipeline(batch, &replies), RedisStatus::ok) << conn.error();
  ASSERT_EQ(replies.size(), 5u);
  EXPECT_EQ(replies[0].type, RedisReply::Type::status);
  EXPECT_TRUE(replies[1].is_error());
  EXPECT_EQ(replies[1].str.rfind("WRONGTYPE", 0), 0u) << replies[1].str;
  EXPECT_TRUE(replies[2].is_error());
  EXPECT_NE(replies[2].str.find("unknown command"), std::string::npos) << replies[2].str;
  EXPECT_TRUE(replies[3].is_error());
  EXPECT_NE(replies[3].str.find("empty command"), std::string::npos) << replies[3].str;
  EXPECT_EQ(replies[4].type, RedisReply::Type::string);
  EXPECT_EQ(replies[4].str, "v");
  // Error replies are data, not a lost connection.
  EXPECT_TRUE(conn.up());
  EXPECT_EQ(conn.losses(), 0u);
  auto single = conn.command({"HGET", "k", "f"});
  ASSERT_TRUE(single.has_value());
  EXPECT_TRUE(single->is_error());
}

TEST_F(RedisConnectionTest, SelectsTheDatabaseNamedInTheUrl) {
  RedisConnection db5(options("/5"));
  ASSERT_TRUE(db5.up()) << db5.error();
  ASSERT_TRUE(db5.command({"SET", "where", "five"}).has_value());

  RedisConnection db0(options());
  ASSERT_TRUE(db0.up()) << db0.error();
  auto in0 = db0.command({"GET", "where"});
  ASSERT_TRUE(in0.has_value());
  EXPECT_EQ(in0->type, RedisReply::Type::nil);
  auto in5 = db5.command({"GET", "where"});
  ASSERT_TRUE(in5.has_value());
  EXPECT_EQ(in5->str, "five");
}

TEST_F(RedisConnectionTest, StaysDownWithTheReasonWhenTheDatabaseDoesNotExist) {
  RedisConnection conn(options("/99"));  // redis-server has 16 databases by default
  EXPECT_FALSE(conn.up());
  EXPECT_NE(conn.error().find("SELECT 99"), std::string::npos) << conn.error();
  EXPECT_NE(conn.error().find("out of range"), std::string::npos) << conn.error();
  EXPECT_EQ(conn.connects(), 0u);
  EXPECT_FALSE(conn.command({"PING"}).has_value());
}

TEST_F(RedisConnectionTest, ReturnsDownWhenTheServerIsKilled) {
  RedisConnection conn(options());
  ASSERT_TRUE(conn.up()) << conn.error();
  ASSERT_TRUE(conn.command({"PING"}).has_value());
  server_->kill();

  // Big enough that hiredis keeps writing after the peer reset the connection: EPIPE, which
  // would end this process with SIGPIPE if the connection let the signal through.
  RedisBatch batch;
  for (int i = 0; i < 10000; ++i)
    batch.add({"SET", "key:" + std::to_string(i), std::string(64, 'x')});
  std::vector<RedisReply> replies;
  EXPECT_EQ(conn.pipeline(batch, &replies), RedisStatus::down);
  EXPECT_TRUE(replies.empty());
  EXPECT_FALSE(conn.up());
  EXPECT_NE(conn.error().find("connection lost"), std::string::npos) << conn.error();
  EXPECT_EQ(conn.losses(), 1u);
  EXPECT_FALSE(conn.command({"PING"}).has_value());
  EXPECT_EQ(conn.losses(), 1u);  // a connection already down is not lost again
}

TEST_F(RedisConnectionTest, ReturnsDownWhenServerDiesMidPipeline) {
  RedisConnection conn(options());
  ASSERT_TRUE(conn.up()) << conn.error();
  RedisBatch batch;
  batch.add({"SET", "a", "1"});
  batch.add({"BLPOP", "never-pushed", "30"});  // holds the pipeline open on the server
  batch.add({"GET", "a"});
  std::thread killer([&] {
    std::this_thread::sleep_for(milliseconds(300));
    server_->kill();
  });
  auto start = Clock::now();
  std::vector<RedisReply> replies;
  RedisStatus status = conn.pipeline(batch, &replies);
  killer.join();
  EXPECT_EQ(status, RedisStatus::down);
  EXPECT_LT(since(start), milliseconds(4000));  // ended by the death, not the command timeout
  EXPECT_TRUE(replies.empty());
  EXPECT_FALSE(conn.up());
  EXPECT_EQ(conn.losses(), 1u);
  EXPECT_FALSE(conn.error().empty());
}

TEST_F(RedisConnectionTest, ReconnectsToARestartedServerAtMostOncePerInterval) {
  RedisOptions o = options();
  o.reconnect_interval = milliseconds(1000);
  RedisConnection conn(o);
  ASSERT_TRUE(conn.up()) << conn.error();
  ASSERT_TRUE(conn.command({"SET", "before", "1"}).has_value());
  const int port = server_->port();

  server_->kill();
  EXPECT_FALSE(conn.command({"PING"}).has_value());
  EXPECT_EQ(conn.losses(), 1u);

  // The loss was the first failure since the connect long ago; now Redis is refused and that
  // attempt starts the interval.
  std::this_thread::sleep_for(o.reconnect_interval);
  auto refused_at = Clock::now();
  EXPECT_FALSE(conn.ensure_up());
  EXPECT_NE(conn.error().find("connect"), std::string::npos) << conn.error();

  ASSERT_TRUE(server_->start()) << server_->error();
  ASSERT_EQ(server_->port(), port);
  if (since(refused_at) < o.reconnect_interval - milliseconds(100)) {
    // Still inside the interval: no attempt, however often it is asked.
    for (int i = 0; i < 100; ++i) EXPECT_FALSE(conn.ensure_up());
    EXPECT_EQ(conn.pipeline(RedisBatch{}), RedisStatus::down);
    EXPECT_EQ(conn.connects(), 1u);
  }

  auto deadline = Clock::now() + 3 * o.reconnect_interval;
  while (!conn.ensure_up() && Clock::now() < deadline)
    std::this_thread::sleep_for(milliseconds(10));
  ASSERT_TRUE(conn.up()) << conn.error();
  EXPECT_GE(since(refused_at), o.reconnect_interval);
  EXPECT_TRUE(conn.error().empty());
  EXPECT_EQ(conn.connects(), 2u);
  EXPECT_EQ(conn.losses(), 1u);

  // A fresh server (persistence is off): the connection works and sees its empty state.
  auto before = conn.command({"GET", "before"});
  ASSERT_TRUE(before.has_value());
  EXPECT_EQ(before->type, RedisReply::Type::nil);
  auto pong = conn.command({"PING"});
  ASSERT_TRUE(pong.has_value());
  EXPECT_EQ(pong->str, "PONG");
}

TEST_F(RedisConnectionTest, PipelineReconnectsByItselfOnceTheIntervalHasPassed) {
  RedisOptions o = options();
  o.reconnect_interval = milliseconds(200);
  RedisConnection conn(o);
  ASSERT_TRUE(conn.up()) << conn.error();
  server_->stop();  // SIGTERM: a clean shutdown this time
  EXPECT_FALSE(conn.command({"PING"}).has_value());
  ASSERT_TRUE(server_->start()) << server_->error();
  std::this_thread::sleep_for(o.reconnect_interval);
  RedisBatch batch;
  batch.add({"PING"});
  std::vector<RedisReply> replies;
  ASSERT_EQ(conn.pipeline(batch, &replies), RedisStatus::ok) << conn.error();
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].str, "PONG");
  EXPECT_EQ(conn.connects(), 2u);
  EXPECT_EQ(conn.losses(), 1u);
}

TEST_F(RedisConnectionTest, ReturnsDownQuicklyWhenNothingListens) {
  server_->kill();
  RedisOptions o = options();
  o.connect_timeout = milliseconds(500);
  auto start = Clock::now();
  RedisConnection conn(o);  // does not throw
  EXPECT_LT(since(start), o.connect_timeout);
  EXPECT_FALSE(conn.up());
  EXPECT_NE(conn.error().find(server_->url()), std::string::npos) << conn.error();
  EXPECT_NE(conn.error().find("connect"), std::string::npos) << conn.error();
  EXPECT_EQ(conn.connects(), 0u);
  EXPECT_EQ(conn.losses(), 0u);  // never up, so nothing was lost

  // Within the reconnect interval a call returns at once (the restart test shows it makes no
  // attempt at all).
  start = Clock::now();
  RedisBatch batch;
  batch.add({"PING"});
  EXPECT_EQ(conn.pipeline(batch), RedisStatus::down);
  EXPECT_FALSE(conn.command({"PING"}).has_value());
  EXPECT_LT(since(start), milliseconds(200));
}

TEST_F(RedisConnectionTest, ConnectAttemptIsBoundedByConnectTimeout) {
  // TEST-NET-1 (RFC 5737) is never routed: the SYN goes nowhere, or the network is unreachable at
  // once. Either way the constructor returns by the connect timeout.
  RedisOptions o;
  o.endpoint = *parse_redis_url("redis://192.0.2.1:6379");
  o.connect_timeout = milliseconds(300);
  auto start = Clock::now();
  RedisConnection conn(o);
  EXPECT_LT(since(start), o.connect_timeout + milliseconds(700));
  EXPECT_FALSE(conn.up());
  EXPECT_FALSE(conn.error().empty());
}

// A TCP listener that accepts into its backlog and never answers: a hung Redis.
class SilentListener {
 public:
  SilentListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    if (fd_ >= 0 && ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
        ::listen(fd_, 8) == 0 &&
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      port_ = ntohs(addr.sin_port);
    }
  }
  ~SilentListener() {
    if (fd_ >= 0) ::close(fd_);
  }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST_F(RedisConnectionTest, ReturnsDownWhenNoReplyComesWithinCommandTimeout) {
  SilentListener hung;
  ASSERT_NE(hung.port(), 0);
  RedisOptions o;
  o.endpoint.port = hung.port();
  o.command_timeout = milliseconds(300);
  RedisConnection conn(o);
  ASSERT_TRUE(conn.up()) << conn.error();  // the kernel completed the handshake
  auto start = Clock::now();
  EXPECT_FALSE(conn.command({"PING"}).has_value());
  auto took = since(start);
  EXPECT_GE(took, o.command_timeout - milliseconds(50));
  EXPECT_LT(took, o.command_timeout + milliseconds(1500));
  EXPECT_FALSE(conn.up());
  EXPECT_EQ(conn.losses(), 1u);
  EXPECT_NE(conn.error().find("command timeout"), std::string::npos) << conn.error();
}

}  // namespace
}  // namespace litc::bridge

// ---------------------------------------------------------------------------------------------
// send(): writes that do not wait for their replies

namespace litc::bridge {
namespace {

TEST_F(RedisConnectionTest, SentBatchesAreAnsweredInOrderAndTheirWritesLand) {
  RedisConnection conn(options());
  ASSERT_TRUE(conn.up()) << conn.error();
  std::vector<std::pair<int, RedisStatus>> answered;
  for (int b = 0; b < 3; ++b) {
    RedisBatch batch;
    for (int i = 0; i < 2000; ++i) batch.add({"RPUSH", "log", std::to_string(b * 2000 + i)});
    ASSERT_EQ(conn.send(batch, [&, b](RedisStatus s) { answered.emplace_back(b, s); }),
              RedisStatus::ok);
  }
  EXPECT_EQ(conn.batches_in_flight(), 3u);
  EXPECT_GE(conn.fd(), 0);
  const auto deadline = Clock::now() + milliseconds(5000);
  while (conn.batches_in_flight() > 0 && Clock::now() < deadline) {
    conn.collect();  // never blocks: poll until Redis has answered everything
    std::this_thread::sleep_for(milliseconds(1));
  }
  ASSERT_EQ(answered.size(), 3u);
  for (int b = 0; b < 3; ++b) {
    EXPECT_EQ(answered[b].first, b);
    EXPECT_EQ(answered[b].second, RedisStatus::ok);
  }
  auto len = conn.command({"LLEN", "log"});
  ASSERT_TRUE(len.has_value());
  EXPECT_EQ(len->integer, 6000);
  auto last = conn.command({"LINDEX", "log", "-1"});
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->str, "5999");  // sent in order, applied in order
}

TEST_F(RedisConnectionTest, APipelineAfterASendReadsItsRepliesFirstButLeavesItsCallback) {
  RedisConnection conn(options());
  ASSERT_TRUE(conn.up()) << conn.error();
  RedisBatch write;
  write.add({"SET", "k", "written"});
  std::optional<RedisStatus> outcome;
  ASSERT_EQ(conn.send(write, [&](RedisStatus s) { outcome = s; }), RedisStatus::ok);
  // The GET's reply is not mistaken for the SET's: the send's replies are read first.
  auto get = conn.command({"GET", "k"});
  ASSERT_TRUE(get.has_value());
  EXPECT_EQ(get->str, "written");
  EXPECT_EQ(conn.batches_in_flight(), 0u);
  // Its callback never runs inside an unrelated caller: only collect() / await_sent() run it.
  EXPECT_FALSE(outcome.has_value());
  conn.collect();
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(*outcome, RedisStatus::ok);
}

TEST_F(RedisConnectionTest, ABatchWithARefusedCommandFinishesAsErrorWithTheReason) {
  RedisConnection conn(options());
  ASSERT_TRUE(conn.up()) << conn.error();
  RedisBatch batch;
  batch.add({"SET", "s", "1"});
  batch.add({"HSET", "s", "f", "v"});  // WRONGTYPE: s holds a string
  batch.add({"SET", "t", "2"});
  std::optional<RedisStatus> outcome;
  ASSERT_EQ(conn.send(batch, [&](RedisStatus s) { outcome = s; }), RedisStatus::ok);
  conn.await_sent();
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(*outcome, RedisStatus::error);
  EXPECT_NE(conn.last_error_reply().find("WRONGTYPE"), std::string::npos)
      << conn.last_error_reply();
  EXPECT_EQ(conn.error_replies(), 1u);
  EXPECT_TRUE(conn.up());  // refused, not disconnected: the rest of the batch ran
  auto t = conn.command({"GET", "t"});
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->str, "2");
}

TEST_F(RedisConnectionTest, AwaitSentKeepsAtMostTheNumberAsked) {
  RedisConnection conn(options());
  ASSERT_TRUE(conn.up()) << conn.error();
  int answered = 0;
  for (int b = 0; b < 4; ++b) {
    RedisBatch batch;
    batch.add({"INCR", "n"});
    ASSERT_EQ(conn.send(batch, [&](RedisStatus) { ++answered; }), RedisStatus::ok);
  }
  conn.await_sent(1);
  EXPECT_LE(conn.batches_in_flight(), 1u);
  EXPECT_GE(answered, 3);
  conn.await_sent();
  EXPECT_EQ(answered, 4);
}

TEST_F(RedisConnectionTest, SentBatchesLearnTheyAreLostWhenTheServerDies) {
  RedisConnection conn(options());
  ASSERT_TRUE(conn.up()) << conn.error();
  std::vector<RedisStatus> outcome;
  RedisBatch hold;
  hold.add({"BLPOP", "never-pushed", "30"});  // the server holds the reply back
  ASSERT_EQ(conn.send(hold, [&](RedisStatus s) { outcome.push_back(s); }), RedisStatus::ok);
  server_->kill();
  const auto deadline = Clock::now() + milliseconds(4000);
  while (outcome.empty() && Clock::now() < deadline) {
    conn.collect();
    std::this_thread::sleep_for(milliseconds(5));
  }
  ASSERT_EQ(outcome.size(), 1u);
  EXPECT_EQ(outcome[0], RedisStatus::down);
  EXPECT_FALSE(conn.up());
  EXPECT_EQ(conn.fd(), -1);
  // Down: send refuses at once and does not run the callback (the caller handles it).
  bool called = false;
  EXPECT_EQ(conn.send(hold, [&](RedisStatus) { called = true; }), RedisStatus::down);
  EXPECT_FALSE(called);
}

TEST_F(RedisConnectionTest, ASentBatchUnansweredPastTheCommandTimeoutIsLost) {
  RedisOptions o = options();
  o.command_timeout = milliseconds(300);
  RedisConnection conn(o);
  ASSERT_TRUE(conn.up()) << conn.error();
  server_->signal(SIGSTOP);  // alive, silent
  std::optional<RedisStatus> outcome;
  RedisBatch batch;
  batch.add({"SET", "x", "1"});
  ASSERT_EQ(conn.send(batch, [&](RedisStatus s) { outcome = s; }), RedisStatus::ok);
  const auto start = Clock::now();
  while (!outcome && since(start) < milliseconds(3000)) {
    conn.collect();
    std::this_thread::sleep_for(milliseconds(10));
  }
  server_->signal(SIGCONT);
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(*outcome, RedisStatus::down);
  EXPECT_GE(since(start), milliseconds(250));
  EXPECT_NE(conn.error().find("command timeout"), std::string::npos) << conn.error();
}

}  // namespace
}  // namespace litc::bridge

namespace litc::bridge {
namespace {

// read(): the non-blocking read the bridge loop uses. Its replies come after the writes sent
// before it (so it sees them), in command order, errors in place; the caller never waits.
TEST_F(RedisConnectionTest, AReadSentAfterWritesSeesThemAndKeepsItsRepliesInOrder) {
  RedisConnection conn(options());
  ASSERT_TRUE(conn.up()) << conn.error();
  RedisBatch write;
  for (int i = 0; i < 1000; ++i) write.add({"RPUSH", "l", std::to_string(i)});
  std::vector<std::string> order;
  ASSERT_EQ(conn.send(write, [&](RedisStatus) { order.push_back("write"); }), RedisStatus::ok);
  RedisBatch read;
  read.add({"LLEN", "l"});
  read.add({"LINDEX", "l", "-1"});
  read.add({"HGET", "l", "x"});  // WRONGTYPE: an error in place
  read.add({"GET", "absent"});
  std::vector<RedisReply> got;
  std::optional<RedisStatus> status;
  ASSERT_EQ(conn.read(read,
                      [&](RedisStatus s, std::vector<RedisReply>& r) {
                        order.push_back("read");
                        status = s;
                        got = std::move(r);
                      }),
            RedisStatus::ok);
  EXPECT_EQ(conn.batches_in_flight(), 2u);
  const auto deadline = Clock::now() + milliseconds(5000);
  while (conn.batches_in_flight() > 0 && Clock::now() < deadline) {
    conn.collect();
    std::this_thread::sleep_for(milliseconds(1));
  }
  EXPECT_EQ(order, (std::vector<std::string>{"write", "read"}));
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(*status, RedisStatus::error);  // one reply is an error
  EXPECT_EQ(got[0].integer, 1000);
  EXPECT_EQ(got[1].str, "999");
  EXPECT_TRUE(got[2].is_error());
  EXPECT_NE(got[2].str.find("WRONGTYPE"), std::string::npos) << got[2].str;
  EXPECT_EQ(got[3].type, RedisReply::Type::nil);
}

TEST_F(RedisConnectionTest, AReadOfAStoppedServerNeitherBlocksNorLosesItsCallback) {
  RedisConnection conn(options());
  ASSERT_TRUE(conn.up()) << conn.error();
  server_->signal(SIGSTOP);
  RedisBatch read;
  read.add({"PING"});
  std::optional<RedisStatus> status;
  std::string pong;
  auto start = Clock::now();
  ASSERT_EQ(conn.read(read,
                      [&](RedisStatus s, std::vector<RedisReply>& r) {
                        status = s;
                        if (!r.empty()) pong = r[0].str;
                      }),
            RedisStatus::ok);
  conn.collect();
  EXPECT_LT(since(start).count(), 100);  // the caller did not wait for the stopped server
  EXPECT_FALSE(status.has_value());
  server_->signal(SIGCONT);
  const auto deadline = Clock::now() + milliseconds(5000);
  while (!status && Clock::now() < deadline) {
    conn.collect();
    std::this_thread::sleep_for(milliseconds(1));
  }
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, RedisStatus::ok);
  EXPECT_EQ(pong, "PONG");
}

TEST_F(RedisConnectionTest, AReadWithAnEmptyCommandOrWhileDownIsRefusedAndKeepsItsCallback) {
  RedisConnection conn(options());
  ASSERT_TRUE(conn.up()) << conn.error();
  RedisBatch read;
  read.add({"PING"});
  read.begin();  // a command without arguments: its reply could not be placed
  read.end();
  bool ran = false;
  RedisConnection::ReadFn fn = [&](RedisStatus, std::vector<RedisReply>&) { ran = true; };
  EXPECT_EQ(conn.read(read, std::move(fn)), RedisStatus::error);
  ASSERT_TRUE(fn);  // still the caller's
  server_->kill();
  RedisBatch ping;
  ping.add({"PING"});
  RedisStatus sent = conn.read(ping, std::move(fn));
  for (int i = 0; i < 20 && sent == RedisStatus::ok && !ran; ++i) {
    conn.collect();  // the write may succeed before the loss is seen: then it finishes as down
    std::this_thread::sleep_for(milliseconds(10));
  }
  if (sent != RedisStatus::ok) {
    EXPECT_TRUE(fn) << "a refused read must leave the callback with the caller";
  } else {
    EXPECT_TRUE(ran);
  }
}

}  // namespace
}  // namespace litc::bridge
