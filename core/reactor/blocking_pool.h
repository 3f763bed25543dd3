// A small pool of threads for blocking calls (file I/O, RocksDB) so that reactors never block.
// Coroutines use RunBlocking:
//
//   Result<Bytes> r = co_await RunBlocking([path] { return ReadWholeFile(path); });
//
// The job runs on a pool thread; the coroutine resumes on the reactor it was running on.
#pragma once

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <type_traits>
#include <vector>

#include <asio/associated_executor.hpp>
#include <asio/async_result.hpp>
#include <asio/error.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/post.hpp>
#include <asio/use_awaitable.hpp>

#include "core/reactor/reactor.h"
#include "core/reactor/unique_function.h"

namespace alluxio {

class BlockingPool {
 public:
  // Starts `threads` (at least 1) threads named "<name>-<i>".
  explicit BlockingPool(size_t threads, std::string name = "blocking");
  // Stop().
  ~BlockingPool();
  BlockingPool(const BlockingPool&) = delete;
  BlockingPool& operator=(const BlockingPool&) = delete;

  // Queues job to run on a pool thread. Thread-safe. Returns false, and destroys nothing,
  // if the pool has been stopped (the caller still owns the moved-from job's effects: the job
  // is returned untouched in `job`).
  bool Submit(UniqueFunction<void()>& job);

  // Runs the jobs already queued, then joins the threads; later Submits fail. Idempotent.
  // Must not be called from a pool thread.
  void Stop();

  size_t threads() const { return threads_.size(); }

 private:
  void Worker(size_t i);

  const std::string name_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<UniqueFunction<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

namespace internal {

template <typename R>
using BlockingSignature = void(std::exception_ptr, std::optional<R>);

struct InitiateBlocking {
  BlockingPool* pool;
  template <typename Handler, typename F>
  void operator()(Handler handler, F fn) const {
    using R = std::invoke_result_t<F&>;
    auto ex = asio::get_associated_executor(handler);
    UniqueFunction<void()> job = [fn = std::move(fn), handler = std::move(handler),
                                  work = asio::make_work_guard(ex)]() mutable {
      std::exception_ptr error;
      std::optional<R> result;
      try {
        result.emplace(fn());
      } catch (...) {
        error = std::current_exception();
      }
      auto executor = work.get_executor();
      asio::post(executor,
                 [handler = std::move(handler), error, result = std::move(result)]() mutable {
                   std::move(handler)(error, std::move(result));
                 });
      work.reset();
    };
    if (pool == nullptr || !pool->Submit(job)) {
      // Stopped (or no pool): fail the awaiting coroutine on its own executor.
      job = nullptr;
      asio::post(ex, [handler = std::move(handler)]() mutable {
        std::move(handler)(std::make_exception_ptr(std::system_error(asio::error::operation_aborted,
                                                                     "blocking pool stopped")),
                           std::optional<R>());
      });
    }
  }
};

template <typename F>
struct VoidAdapter {
  F fn;
  bool operator()() {
    fn();
    return true;
  }
};

}  // namespace internal

// Runs fn() on `pool` and resumes the calling coroutine on its own executor with fn's value.
// An exception thrown by fn is rethrown in the coroutine. If the pool is stopped the coroutine
// gets std::system_error(operation_aborted). Not cancellable: a started fn runs to completion.
// fn must not wait for a reactor (deadlock at shutdown). fn is moved to the pool thread.
template <typename F>
Task<std::invoke_result_t<F&>> RunBlocking(BlockingPool& pool, F fn) {
  using R = std::invoke_result_t<F&>;
  if constexpr (std::is_void_v<R>) {
    // Named, not a temporary in the co_await expression: GCC 12 destroys aggregate temporaries
    // of a co_await full-expression twice (docs/rpc.md).
    internal::VoidAdapter<F> adapter{std::move(fn)};
    (void)co_await asio::async_initiate<const asio::use_awaitable_t<>,
                                        internal::BlockingSignature<bool>>(
        internal::InitiateBlocking{&pool}, asio::use_awaitable, std::move(adapter));
  } else {
    std::optional<R> r = co_await asio::async_initiate<const asio::use_awaitable_t<>,
                                                       internal::BlockingSignature<R>>(
        internal::InitiateBlocking{&pool}, asio::use_awaitable, std::move(fn));
    co_return std::move(*r);
  }
}

// RunBlocking on the current reactor's pool (Reactor::Current()->blocking_pool()).
// Precondition: called from a coroutine on a reactor that has a blocking pool.
template <typename F>
Task<std::invoke_result_t<F&>> RunBlocking(F fn) {
  Reactor* reactor = Reactor::Current();
  BlockingPool* pool = reactor ? reactor->blocking_pool() : nullptr;
  if (pool == nullptr) {
    throw std::system_error(asio::error::operation_not_supported,
                            "RunBlocking: no blocking pool on this thread");
  }
  co_return co_await RunBlocking(*pool, std::move(fn));
}

}  // namespace alluxio
