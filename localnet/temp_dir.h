// A scratch directory for the logs and endpoints files of the processes one run starts.
#pragma once

#include <filesystem>
#include <string_view>

namespace litc::localnet {

// A fresh directory $TMPDIR/<prefix>-XXXXXX (or under /tmp), removed with everything in it by the
// destructor unless keep() was called (callers keep it when something failed, so the logs can be
// read). Throws std::runtime_error when the directory cannot be created.
class TempDir {
 public:
  explicit TempDir(std::string_view prefix = "litc");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  void keep() { keep_ = true; }

 private:
  std::filesystem::path path_;
  bool keep_ = false;
};

}  // namespace litc::localnet
