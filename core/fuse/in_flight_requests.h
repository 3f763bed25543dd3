// The requests a transport read and has not finished yet, and waiting until none is left
// (FuseTransport::in_flight / WaitIdle). Thread-safe; Begin/End cost one atomic each unless
// someone waits.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>

namespace alluxio::fuse {

class InFlightRequests {
 public:
  static constexpr std::chrono::milliseconds kForever = std::chrono::milliseconds::max();

  void Begin() { count_.fetch_add(1, std::memory_order_acq_rel); }
  // Wakes the waiters when the count drops to zero.
  void End();
  size_t count() const { return count_.load(std::memory_order_acquire); }
  // Blocks until count() is 0 or `timeout` (kForever: no limit) passed; true if it reached 0.
  bool WaitNone(std::chrono::milliseconds timeout);

 private:
  std::atomic<size_t> count_{0};
  std::atomic<size_t> waiters_{0};  // only while someone waits does End take the lock
  std::mutex mu_;
  std::condition_variable none_left_;
};

}  // namespace alluxio::fuse
