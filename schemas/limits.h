// Limits every process must agree on, beside the wire contract: a job id the broker accepts is one
// the bridge accepts and one a URL path (GET /lit-compute/jobs/:id) can name.
#pragma once

#include <cstddef>
#include <string_view>

namespace litc {

inline constexpr std::size_t kMaxJobIdBytes = 128;
inline constexpr std::size_t kMaxNodeIdBytes = 128;
inline constexpr std::string_view kJobIdCharsetText = "A-Z a-z 0-9 . _ : -";

// 1..kMaxJobIdBytes characters of [A-Za-z0-9._:-]: no space, slash, '?', '%' or byte that a path
// segment, a Redis key pattern or a log line would read differently.
inline bool valid_job_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxJobIdBytes) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace litc
