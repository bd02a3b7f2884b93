// The error catalogue by name: the generated name table read backwards, so every process that
// gets a code as text (a crypto/ result, a Redis hash, a JSON error) maps it the same way.
#pragma once

#include <string_view>

#include "schemas/common_generated.h"

namespace litc {

// ErrorCode::unknown for a name not in this build's catalogue (e.g. from a newer peer).
inline fb::ErrorCode error_code_from_name(std::string_view name) {
  const char* const* names = fb::EnumNamesErrorCode();
  for (int i = 0; names[i] != nullptr; ++i) {
    if (name == names[i]) return static_cast<fb::ErrorCode>(i);
  }
  return fb::ErrorCode::unknown;
}

}  // namespace litc
