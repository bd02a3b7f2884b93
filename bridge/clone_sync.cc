// CloneSync: when to apply, drop, buffer or resync (see clone_sync.h).
#include "bridge/clone_sync.h"

namespace litc::bridge {

void CloneSync::snapshot_requested(uint64_t now_ms) {
  state_ = State::syncing;
  requested_ms_ = now_ms;
}

bool CloneSync::snapshot_done(uint64_t epoch, uint64_t seq, uint64_t now_ms) {
  const bool new_epoch = epoch != epoch_;
  epoch_ = epoch;
  seq_ = seq;
  state_ = State::live;
  last_heard_ms_ = now_ms;
  return new_epoch;
}

CloneSync::Verdict CloneSync::on_event(uint64_t epoch, uint64_t seq, bool hugz, uint64_t now_ms) {
  if (state_ != State::live) return hugz ? Verdict::drop : Verdict::buffer;
  if (epoch < epoch_) return Verdict::drop;  // the previous broker's last events
  last_heard_ms_ = now_ms;
  if (epoch > epoch_) {
    state_ = State::need_snapshot;
    return Verdict::resync;
  }
  if (hugz) {
    if (seq == seq_) return Verdict::drop;
    if (seq < seq_) return Verdict::drop;  // a Hugz queued before events we already applied
    state_ = State::need_snapshot;         // it published events we never got
    return Verdict::resync;
  }
  if (seq <= seq_) return Verdict::drop;
  if (seq != seq_ + 1) {
    state_ = State::need_snapshot;
    return Verdict::resync;
  }
  seq_ = seq;
  return Verdict::apply;
}

bool CloneSync::resync_due(uint64_t now_ms) const {
  switch (state_) {
    case State::need_snapshot:
      return true;
    case State::syncing:
      return now_ms >= requested_ms_ + options_.snapshot_timeout_ms;
    case State::live:
      return now_ms >= last_heard_ms_ + options_.silence_ms;
  }
  return true;
}

}  // namespace litc::bridge
