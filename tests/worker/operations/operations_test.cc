// Operations: known digests, byte-exact echo, sleep's input rules and prompt cancellation, lookup.
#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "worker/operations/builtin.h"
#include "worker/operations/registry.h"

namespace litc {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

OperationResult run(std::string_view name, std::string_view input) {
  static const OperationRegistry all = OperationRegistry::builtin();
  const Operation* op = all.find(name);
  if (op == nullptr) return OperationResult::failure(fb::ErrorCode::unknown_operation, "missing");
  CancelToken token;
  return (*op)(input, token);
}

TEST(Sha256, MatchesKnownDigests) {
  EXPECT_EQ(run("sha256", "").output,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(run("sha256", "abc").output,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(run("sha256", "hello world").output,
            "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9");
}

TEST(Sha256, OutputIs64LowercaseHexCharacters) {
  const OperationResult r = run("sha256", std::string("\0\xff\x10", 3));
  ASSERT_TRUE(r.ok);
  ASSERT_EQ(r.output.size(), 64u);
  for (char c : r.output) EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << c;
}

TEST(Echo, ReturnsInputByteForByteIncludingBinary) {
  std::string binary;
  for (int i = 0; i < 256; ++i) binary.push_back(static_cast<char>(i));
  binary += std::string("\0\0tail", 6);
  for (const std::string& input : {std::string(), std::string("hello"), binary}) {
    const OperationResult r = run("echo", input);
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.output, input);
  }
}

TEST(Sleep, SleepsForTheRequestedTimeAndEchoesInput) {
  const auto start = steady_clock::now();
  const OperationResult r = run("sleep", "30");
  EXPECT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.output, "30");
  EXPECT_GE(steady_clock::now() - start, milliseconds(30));
  EXPECT_TRUE(run("sleep", "0").ok);
  EXPECT_TRUE(run("sleep", " 1\n").ok);  // surrounding whitespace, e.g. from `echo 1 |`
}

TEST(Sleep, RejectsInputThatIsNotMillisecondsInRange) {
  for (std::string_view bad :
       {"", "   ", "abc", "-5", "+5", "12ms", "1.5", "600001", "99999999999"}) {
    const OperationResult r = run("sleep", bad);
    EXPECT_FALSE(r.ok) << "accepted '" << bad << "'";
    EXPECT_EQ(r.error, fb::ErrorCode::invalid_argument) << bad;
    EXPECT_NE(r.message.find("milliseconds"), std::string::npos) << r.message;
  }
}

TEST(Sleep, StopsWithinAFewSlicesWhenCancelled) {
  CancelToken token;
  const auto start = steady_clock::now();
  std::thread canceller([&] {
    std::this_thread::sleep_for(milliseconds(50));
    token.cancel();
  });
  const OperationResult r = run_sleep("600000", token);
  canceller.join();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error, fb::ErrorCode::cancelled);
  EXPECT_LT(steady_clock::now() - start, milliseconds(1000));
}

TEST(Sleep, AcceptsTheUpperBoundAndAnAlreadyCancelledTokenReturnsAtOnce) {
  CancelToken token;
  token.cancel();
  const auto start = steady_clock::now();
  const OperationResult r = run_sleep("600000", token);  // cancelled, not invalid_argument
  EXPECT_EQ(r.error, fb::ErrorCode::cancelled);
  EXPECT_LT(steady_clock::now() - start, milliseconds(100));
}

TEST(OperationRegistry, FindsOnlyWhatItHolds) {
  const std::vector<std::string> names{"echo", "sha256", "echo"};
  const OperationRegistry r = OperationRegistry::with(names);
  EXPECT_NE(r.find("echo"), nullptr);
  EXPECT_NE(r.find("sha256"), nullptr);
  EXPECT_EQ(r.find("sleep"), nullptr);
  EXPECT_EQ(r.find("encrypt"), nullptr);
  EXPECT_EQ(r.find(""), nullptr);
  EXPECT_EQ(r.names(), (std::vector<std::string>{"echo", "sha256"}));
}

TEST(OperationRegistry, WithRejectsUnknownNameAndSaysWhichOnesExist) {
  const std::vector<std::string> names{"echo", "sha265"};
  try {
    (void)OperationRegistry::with(names);
    FAIL() << "unknown name accepted";
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("sha265"), std::string::npos) << what;
    EXPECT_NE(what.find("sha256"), std::string::npos) << what;
  }
}

TEST(OperationRegistry, BuiltinHasEveryBuiltInOperation) {
  EXPECT_EQ(OperationRegistry::builtin().names(),
            (std::vector<std::string>{"echo", "sha256", "sleep"}));
}

}  // namespace
}  // namespace litc
