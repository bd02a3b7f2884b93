// The litc-worker binary: flag validation, and the signal path main.cc owns — SIGTERM drains
// (Credit{0}, running job's Result, Disconnect, exit 0) and a second signal exits at once (exit 1).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/worker/fake_broker.h"

extern char** environ;

namespace litc {
namespace {

using namespace std::chrono_literals;
using namespace litc::testkit;

// A child process running litc-worker with `args`; killed if a test leaves it running.
class WorkerProcess {
 public:
  // `stdout_path`: where the child's stdout goes (default: nowhere, keeping the test log readable).
  explicit WorkerProcess(std::vector<std::string> args, const char* stdout_path = "/dev/null") {
    args.insert(args.begin(), LITC_WORKER_BIN);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, stdout_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    EXPECT_EQ(posix_spawn(&pid_, LITC_WORKER_BIN, &actions, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
  }
  ~WorkerProcess() {
    if (pid_ > 0 && !exit_code_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  void signal(int sig) { ::kill(pid_, sig); }
  // Exit code, or nullopt if still running after `timeout` (or killed by a signal: -signal).
  std::optional<int> wait(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!exit_code_ && std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
      } else {
        std::this_thread::sleep_for(10ms);
      }
    }
    return exit_code_;
  }

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

TEST(LitcWorker, HelpDescribesEveryOptionAndExitsZero) {
  const std::string path = ::testing::TempDir() + "litc_worker_help.txt";
  WorkerProcess help({"--help"}, path.c_str());
  EXPECT_EQ(help.wait(5s), 0);
  std::ifstream in(path);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const char* option : {"--broker", "--node-id", "--ops", "--max-concurrent", "--heartbeat-ms",
                             "--liveness", "--reconnect-min-ms", "--reconnect-max-ms", "--wallet",
                             "--public-key", "--max-frame-bytes", "--log-level"}) {
    EXPECT_NE(text.find(option), std::string::npos) << option << " missing from --help";
  }
  EXPECT_EQ(text.find("--reputation"), std::string::npos) << "a node does not rate itself";
  std::remove(path.c_str());
}

TEST(LitcWorker, RefusesToStartWithAnUnknownOperationOrOutOfRangeLimit) {
  WorkerProcess unknown_op({"--ops", "echo,sha265"});
  EXPECT_EQ(unknown_op.wait(5s), 2);
  WorkerProcess zero_threads({"--max-concurrent", "0"});
  EXPECT_NE(zero_threads.wait(5s).value_or(0), 0);
  WorkerProcess backwards({"--reconnect-min-ms", "500", "--reconnect-max-ms", "100"});
  EXPECT_EQ(backwards.wait(5s), 2);
  // A wallet the node could never be paid to: the seed's own example, and a broken EIP-55 checksum.
  WorkerProcess example({"--wallet", "0x123..."});
  EXPECT_EQ(example.wait(5s), 2);
  WorkerProcess checksum({"--wallet", "0x5AAEB6053f3E94C9b9A09f33669435E7Ef1BeAed"});
  EXPECT_EQ(checksum.wait(5s), 2);
}

class LitcWorkerWithBroker : public ::testing::Test {
 protected:
  zmq::context_t context_{1};
  FakeBroker broker_{context_};
  std::vector<std::string> args() const {
    return {"--broker",
            broker_.endpoint(),
            "--node-id",
            "bin-node",
            "--ops",
            "sleep , sha256",
            "--max-concurrent",
            "3",
            "--wallet",
            "0x000000000000000000000000000000000000feed"};
  }
};

TEST_F(LitcWorkerWithBroker, RegistersFromFlagsAndComputes) {
  WorkerProcess worker(args());
  auto reg = broker_.accept_registration(100, 3, 5000ms);
  ASSERT_TRUE(reg);
  const fb::Register* r = reg->msg().body_as_Register();
  EXPECT_EQ(view(r->node_id()), "bin-node");
  EXPECT_EQ(view(r->wallet_address()), "0x000000000000000000000000000000000000feed");
  EXPECT_EQ(r->reputation(), 0) << "no --reputation: a node does not rate itself";
  EXPECT_EQ(r->capabilities()->max_concurrent_jobs(), 3u);
  EXPECT_EQ(r->capabilities()->supported_operations()->size(), 2u);
  broker_.send(assign("h", "sha256", "hello world"));
  const auto reply = broker_.expect(fb::WorkerMessageBody::Result, 3000ms);
  ASSERT_NE(result_of(reply), nullptr);
  EXPECT_EQ(view(result_of(reply)->output()), kDigestOfHelloWorld);
}

TEST_F(LitcWorkerWithBroker, SigtermDrainsRunningJobsThenExitsZero) {
  WorkerProcess worker(args());
  ASSERT_TRUE(broker_.accept_registration(100, 3, 5000ms));
  broker_.send(assign("running", "sleep", "500"));
  std::this_thread::sleep_for(150ms);  // the Assign is in before the signal
  worker.signal(SIGTERM);
  auto credit = broker_.expect(fb::WorkerMessageBody::Credit, 2000ms);
  ASSERT_TRUE(credit);
  EXPECT_EQ(credit->msg().body_as_Credit()->capacity(), 0u);
  const auto done = broker_.expect(fb::WorkerMessageBody::Result, 3000ms);
  ASSERT_NE(result_of(done), nullptr);
  EXPECT_EQ(view(result_of(done)->job_id()), "running");
  EXPECT_TRUE(result_of(done)->ok());
  auto bye = broker_.expect(fb::WorkerMessageBody::Disconnect, 2000ms);
  ASSERT_TRUE(bye);
  EXPECT_EQ(view(bye->msg().body_as_Disconnect()->reason()), "draining");
  EXPECT_EQ(worker.wait(3000ms), 0);
}

TEST_F(LitcWorkerWithBroker, SecondSignalStopsWithoutWaitingForJobs) {
  WorkerProcess worker(args());
  ASSERT_TRUE(broker_.accept_registration(100, 3, 5000ms));
  broker_.send(assign("forever", "sleep", "600000"));
  std::this_thread::sleep_for(150ms);
  worker.signal(SIGINT);
  ASSERT_TRUE(broker_.expect(fb::WorkerMessageBody::Credit, 2000ms));
  worker.signal(SIGINT);
  auto bye = broker_.expect(fb::WorkerMessageBody::Disconnect, 2000ms);
  ASSERT_TRUE(bye);
  EXPECT_EQ(view(bye->msg().body_as_Disconnect()->reason()), "stopped");
  EXPECT_EQ(worker.wait(3000ms), 1);
}

}  // namespace
}  // namespace litc
