#include "core/master/persist_scheduler.h"

#include <algorithm>

namespace alluxio {

PersistScheduler::PersistScheduler(const MonotonicClock& clock) : clock_(clock) {}

void PersistScheduler::Add(uint64_t file_id, std::chrono::milliseconds delay) {
  const MonotonicClock::time_point due = clock_.Now() + delay;
  std::lock_guard lock(mu_);
  auto [it, added] = files_.try_emplace(file_id, Entry{due});
  if (!added) it->second.due = std::min(it->second.due, due);
}

void PersistScheduler::Remove(uint64_t file_id) {
  std::lock_guard lock(mu_);
  files_.erase(file_id);
}

std::vector<uint64_t> PersistScheduler::Due() const {
  const MonotonicClock::time_point now = clock_.Now();
  std::lock_guard lock(mu_);
  std::vector<uint64_t> due;
  for (const auto& [id, entry] : files_) {
    if (entry.worker_id == 0 && entry.due <= now) due.push_back(id);
  }
  return due;
}

void PersistScheduler::Assign(uint64_t file_id, uint64_t worker_id) {
  std::lock_guard lock(mu_);
  auto it = files_.find(file_id);
  if (it != files_.end()) it->second.worker_id = worker_id;
}

int PersistScheduler::Failed(uint64_t file_id) {
  std::lock_guard lock(mu_);
  auto it = files_.find(file_id);
  if (it == files_.end()) return 0;
  FailedLocked(it->second);
  return it->second.failures;
}

void PersistScheduler::FailedLocked(Entry& entry) {
  entry.worker_id = 0;
  ++entry.failures;
  auto backoff = kFirstBackoff * (int64_t{1} << std::min(entry.failures - 1, 6));
  entry.due = clock_.Now() + std::min<std::chrono::milliseconds>(backoff, kMaxBackoff);
}

void PersistScheduler::Reconcile(uint64_t worker_id, const std::vector<uint64_t>& running) {
  std::lock_guard lock(mu_);
  for (auto& [id, entry] : files_) {
    const bool runs = std::binary_search(running.begin(), running.end(), id);
    if (entry.worker_id == worker_id && !runs) {
      FailedLocked(entry);
    } else if (entry.worker_id == 0 && runs) {
      entry.worker_id = worker_id;
    }
  }
}

void PersistScheduler::ReleaseWorker(uint64_t worker_id) {
  const MonotonicClock::time_point now = clock_.Now();
  std::lock_guard lock(mu_);
  for (auto& [id, entry] : files_) {
    if (entry.worker_id != worker_id) continue;
    entry.worker_id = 0;
    entry.due = now;
  }
}

bool PersistScheduler::Pending(uint64_t file_id) const {
  std::lock_guard lock(mu_);
  return files_.contains(file_id);
}

std::optional<uint64_t> PersistScheduler::AssignedWorker(uint64_t file_id) const {
  std::lock_guard lock(mu_);
  auto it = files_.find(file_id);
  if (it == files_.end() || it->second.worker_id == 0) return std::nullopt;
  return it->second.worker_id;
}

}  // namespace alluxio
