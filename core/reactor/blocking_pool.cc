#include "core/reactor/blocking_pool.h"

#include <algorithm>

#include "core/common/logging.h"

namespace alluxio {

BlockingPool::BlockingPool(size_t threads, std::string name) : name_(std::move(name)) {
  threads = std::max<size_t>(threads, 1);
  threads_.reserve(threads);
  for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this, i] { Worker(i); });
}

BlockingPool::~BlockingPool() { Stop(); }

bool BlockingPool::Submit(UniqueFunction<void()>& job) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return false;
    queue_.push_back(std::move(job));
  }
  cv_.notify_one();
  return true;
}

void BlockingPool::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

void BlockingPool::Worker(size_t i) {
  SetLogThreadName(fmt::format("{}-{}", name_, i));
  for (;;) {
    UniqueFunction<void()> job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    try {
      job();
    } catch (...) {
      LogEscapedException("blocking job", std::current_exception());
    }
  }
}

}  // namespace alluxio
