// CloneSync: the bridge's side of the Clone pattern (shared/reference/protocols.md §4.2) as a
// state machine with no socket: it is told what arrived and when, and says what to do with it.
//
// DESIGN. Subscribe first, then ask for a snapshot; events that arrive meanwhile are buffered by
// the caller and replayed through on_event() once the snapshot ends, so none is lost and none is
// applied twice (an event whose seq the snapshot already includes is dropped). Once live, an event
// is applied only if it is the next seq of the same epoch. A gap, a newer epoch, a Hugz that
// announces a seq we never saw, or silence for longer than `silence` (the broker sends Hugz every
// second when idle) means our copy may be wrong: resync (new snapshot). Events of an older epoch
// (a dead broker's last words) are dropped. A snapshot that does not finish within
// `snapshot_timeout` is asked for again.
#pragma once

#include <cstdint>

namespace litc::bridge {

struct CloneSyncOptions {
  uint64_t silence_ms = 3000;
  uint64_t snapshot_timeout_ms = 5000;
};

class CloneSync {
 public:
  enum class State { need_snapshot, syncing, live };
  enum class Verdict { apply, drop, buffer, resync };

  explicit CloneSync(CloneSyncOptions options = {}) : options_(options) {}

  State state() const { return state_; }
  bool live() const { return state_ == State::live; }
  uint64_t epoch() const { return epoch_; }
  uint64_t seq() const { return seq_; }

  // A snapshot request went out at now_ms.
  void snapshot_requested(uint64_t now_ms);
  // The last snapshot batch arrived: the state now is (epoch, seq). The caller then replays its
  // buffered events through on_event(). Returns true when the epoch differs from the previous one
  // (a broker restart, or the first snapshot).
  bool snapshot_done(uint64_t epoch, uint64_t seq, uint64_t now_ms);
  // A job/node event (hugz = false) or a Hugz (hugz = true, seq = the last seq it published).
  Verdict on_event(uint64_t epoch, uint64_t seq, bool hugz, uint64_t now_ms);
  // True when a resync is due: never synced, a snapshot timed out, or the broker went silent while
  // live. The caller then requests a snapshot (and calls snapshot_requested).
  bool resync_due(uint64_t now_ms) const;
  // Forces need_snapshot (e.g. Redis came back and the mirror must be rewritten whole).
  void invalidate() { state_ = State::need_snapshot; }

 private:
  CloneSyncOptions options_;
  State state_ = State::need_snapshot;
  uint64_t epoch_ = 0;
  uint64_t seq_ = 0;
  uint64_t last_heard_ms_ = 0;
  uint64_t requested_ms_ = 0;
};

}  // namespace litc::bridge
