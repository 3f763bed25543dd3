#include "core/fuse/in_flight_requests.h"

namespace alluxio::fuse {

void InFlightRequests::End() {
  if (count_.fetch_sub(1, std::memory_order_seq_cst) == 1 &&
      waiters_.load(std::memory_order_seq_cst) > 0) {
    std::lock_guard lock(mu_);
    none_left_.notify_all();
  }
}

bool InFlightRequests::WaitNone(std::chrono::milliseconds timeout) {
  waiters_.fetch_add(1, std::memory_order_seq_cst);
  std::unique_lock lock(mu_);
  auto none = [&] { return count_.load(std::memory_order_seq_cst) == 0; };
  bool reached = true;
  if (timeout == kForever) {
    none_left_.wait(lock, none);
  } else {
    reached = none_left_.wait_for(lock, timeout, none);
  }
  waiters_.fetch_sub(1, std::memory_order_seq_cst);
  return reached;
}

}  // namespace alluxio::fuse
