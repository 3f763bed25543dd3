#include "core/fuse/served_mounts.h"

#include <algorithm>
#include <utility>

namespace alluxio::fuse {

ServedMounts::ServedMounts() : thread_([this] { Deliver(); }) {}

ServedMounts::~ServedMounts() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void ServedMounts::Add(Member* member) {
  std::lock_guard lock(mu_);
  members_.push_back(member);
}

void ServedMounts::Remove(Member* member) {
  std::unique_lock lock(mu_);
  std::erase(members_, member);
  cv_.wait(lock, [&] { return delivering_to_ != member; });
}

void ServedMounts::Changed(const Member* origin, Change change) {
  {
    std::lock_guard lock(mu_);
    if (members_.size() < 2) return;
    queue_.push_back(Queued{origin, nullptr, std::move(change)});
  }
  cv_.notify_all();
}

void ServedMounts::ChangedHere(Member* member, Change change) {
  {
    std::lock_guard lock(mu_);
    queue_.push_back(Queued{nullptr, member, std::move(change)});
  }
  cv_.notify_all();
}

void ServedMounts::Flush() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return queue_.empty() && !busy_; });
}

void ServedMounts::Deliver() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, nothing left
    Queued queued = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    // Members may be removed while one is being delivered to: walk a copy, re-checking each.
    const std::vector<Member*> members = members_;
    for (Member* member : members) {
      const bool addressed =
          queued.target != nullptr ? member == queued.target : member != queued.origin;
      if (!addressed || std::find(members_.begin(), members_.end(), member) == members_.end()) {
        continue;
      }
      delivering_to_ = member;
      lock.unlock();
      member->ChangedElsewhere(queued.change);
      lock.lock();
      delivering_to_ = nullptr;
      cv_.notify_all();
    }
    busy_ = false;
    cv_.notify_all();
  }
}

}  // namespace alluxio::fuse
