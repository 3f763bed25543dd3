// Reactor-local wake-ups for coroutines: AsyncSignal (wake every waiter; they re-check their
// condition) and AsyncMutex (one holder at a time, FIFO not guaranteed). Both are bound to one
// reactor: created, used and destroyed on its thread; no thread-safety.
#pragma once

#include <chrono>
#include <utility>

#include <asio/any_io_executor.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include <asio/awaitable.hpp>

namespace alluxio::fs {

class AsyncSignal {
 public:
  explicit AsyncSignal(const asio::any_io_executor& executor)
      : timer_(executor, asio::steady_timer::time_point::max()) {}

  // Suspends until the next NotifyAll() (spurious wake-ups are possible: loop on a condition).
  asio::awaitable<void> Wait() {
    asio::error_code ignored;
    co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
  void NotifyAll() { timer_.cancel(); }

 private:
  asio::steady_timer timer_;
};

class AsyncMutex {
 public:
  explicit AsyncMutex(const asio::any_io_executor& executor) : released_(executor) {}

  asio::awaitable<void> Lock() {
    while (locked_) co_await released_.Wait();
    locked_ = true;
  }
  void Unlock() {
    locked_ = false;
    released_.NotifyAll();
  }
  bool locked() const { return locked_; }

 private:
  bool locked_ = false;
  AsyncSignal released_;
};

// Unlocks on destruction (a held AsyncMutex across co_await in one coroutine frame).
class AsyncLockGuard {
 public:
  explicit AsyncLockGuard(AsyncMutex& mutex) : mutex_(&mutex) {}
  ~AsyncLockGuard() {
    if (mutex_ != nullptr) mutex_->Unlock();
  }
  AsyncLockGuard(const AsyncLockGuard&) = delete;
  AsyncLockGuard& operator=(const AsyncLockGuard&) = delete;

 private:
  AsyncMutex* mutex_;
};

}  // namespace alluxio::fs
