// Which to-be-persisted file a worker persists, and when: soft state of the master, rebuilt at
// start from the namespace's pending persists (Namespace::PendingPersists), as the worker
// registry is from registrations. A file is waiting (due at a time) or assigned to one worker.
// A failed attempt makes it due again after a backoff that doubles per failure (1 s up to
// 60 s); a lost worker gives its assignments back, due at once; each heartbeat reconciles the
// assignments of a worker with the persists it reports running.
// Thread-safe (one mutex).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <vector>

#include "core/common/clock.h"

namespace alluxio {

class PersistScheduler {
 public:
  static constexpr std::chrono::milliseconds kFirstBackoff{1000};
  static constexpr std::chrono::milliseconds kMaxBackoff{60000};

  explicit PersistScheduler(const MonotonicClock& clock);

  // The file is to be persisted, due after `delay`. A file known already keeps its state, but
  // becomes due no later than after `delay` (`alluxio fs persist` hurries a delayed one).
  void Add(uint64_t file_id, std::chrono::milliseconds delay);
  // Persisted, or gone: forgotten.
  void Remove(uint64_t file_id);
  // The waiting files due now, in id order.
  std::vector<uint64_t> Due() const;
  // `worker_id` persists the file now (it holds its blocks).
  void Assign(uint64_t file_id, uint64_t worker_id);
  // The attempt failed: due again after the backoff. Returns how many attempts failed so far.
  int Failed(uint64_t file_id);
  // The worker was lost: its files are due at once.
  void ReleaseWorker(uint64_t worker_id);
  // The worker runs the persists of `running` (sorted): any other file assigned to it is
  // treated as a failed attempt (its outcome was lost, or the worker restarted); a waiting file
  // among them is assigned to it (a persist begun before a master restart), so that no other
  // worker writes the same staged copy meanwhile.
  void Reconcile(uint64_t worker_id, const std::vector<uint64_t>& running);
  // Whether the file is known (waiting or assigned).
  bool Pending(uint64_t file_id) const;
  // The worker persisting the file, if assigned.
  std::optional<uint64_t> AssignedWorker(uint64_t file_id) const;

 private:
  struct Entry {
    MonotonicClock::time_point due;
    uint64_t worker_id = 0;  // 0: waiting
    int failures = 0;
  };
  void FailedLocked(Entry& entry);

  const MonotonicClock& clock_;
  mutable std::mutex mu_;
  std::map<uint64_t, Entry> files_;
};

}  // namespace alluxio
