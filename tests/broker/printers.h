// gtest printers for the broker's enums, so failures read "timeout", not "2-byte object <0C 00>".
// Every test file that compares these enums includes this header: gtest's printer templates are
// instantiated per file, and a file without these overloads would print raw bytes for all.
#pragma once

#include <ostream>

#include "broker/scheduler.h"

namespace litc::fb {
inline void PrintTo(ErrorCode e, std::ostream* os) {
  *os << EnumNameErrorCode(e);
}
inline void PrintTo(JobState s, std::ostream* os) {
  *os << EnumNameJobState(s);
}
inline void PrintTo(JobEventKind k, std::ostream* os) {
  *os << EnumNameJobEventKind(k);
}
inline void PrintTo(NodeEventKind k, std::ostream* os) {
  *os << EnumNameNodeEventKind(k);
}
}  // namespace litc::fb

namespace litc::broker {
inline void PrintTo(ResultVerdict v, std::ostream* os) {
  constexpr const char* kNames[] = {"accepted", "stale", "after_cancel", "unknown_worker"};
  *os << kNames[static_cast<int>(v)];
}
}  // namespace litc::broker
