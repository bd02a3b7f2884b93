// PeriodicTasks: the bridge loop's cadences as one table (name, period, what runs), checked once
// per turn against the clock. No thread, no timer fd: a task runs on the first turn at or after it
// is due, so a busy turn delays it (never runs it twice to catch up).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace litc::bridge {

class PeriodicTasks {
 public:
  using Fn = std::function<void(uint64_t now_ms)>;
  // Runs first at the first run_due(), then every `every_ms`.
  void add(std::string name, uint64_t every_ms, Fn fn) {
    tasks_.push_back(Task{std::move(name), every_ms, 0, std::move(fn)});
  }
  void run_due(uint64_t now_ms) {
    for (auto& t : tasks_) {
      if (now_ms < t.next_ms) continue;
      t.next_ms = now_ms + t.every_ms;
      t.fn(now_ms);
    }
  }
  std::size_t size() const { return tasks_.size(); }
  const std::string& name(std::size_t i) const { return tasks_[i].name; }

 private:
  struct Task {
    std::string name;
    uint64_t every_ms;
    uint64_t next_ms;
    Fn fn;
  };
  std::vector<Task> tasks_;
};

}  // namespace litc::bridge
