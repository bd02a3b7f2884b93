// The `sleep` operation: holds a worker slot for a given time, stopping early when cancelled.
#include <algorithm>
#include <charconv>
#include <chrono>
#include <thread>

#include "worker/operations/builtin.h"

namespace litc {
namespace {

// Short enough that CancelJob and shutdown take effect within ~10 ms.
constexpr std::chrono::milliseconds kCancelCheckSlice{10};

std::string_view trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n";
  const auto first = s.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(kSpace) - first + 1);
}

}  // namespace

OperationResult run_sleep(std::string_view input, const CancelToken& cancel) {
  const std::string_view digits = trim(input);
  std::uint32_t ms = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), ms);
  // from_chars rejects signs but stops quietly at the first non-digit ("12ms"), so it must also
  // have consumed everything.
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() ||
      ms > kMaxSleepMs) {
    return OperationResult::failure(
        fb::ErrorCode::invalid_argument,
        "sleep expects its input to be decimal milliseconds from 0 to " +
            std::to_string(kMaxSleepMs));
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  for (;;) {
    if (cancel.cancelled()) {
      return OperationResult::failure(fb::ErrorCode::cancelled, "sleep cancelled");
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) break;
    std::this_thread::sleep_for(
        std::min<std::chrono::steady_clock::duration>(kCancelCheckSlice, deadline - now));
  }
  return OperationResult::success(std::string(input));
}

}  // namespace litc
