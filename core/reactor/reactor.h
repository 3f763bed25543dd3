// Reactors: one thread per core, each running an asio::io_context on io_uring. Everything that
// belongs to a reactor (sockets, RPC connections, caches, coroutines) is created, used and
// destroyed on that reactor's thread; cross-reactor work is an explicit Post / RunOn.
//
//   ReactorPool pool({.reactors = 2});
//   pool.at(1).Post([] { ... });                      // any thread
//   asio::co_spawn(pool.at(0).executor(), Work(), LogCompletion("work"));
//   pool.Stop();                                       // or ~ReactorPool
//
// Exceptions: a handler that throws is logged (component "reactor") and the reactor keeps
// running; nothing escapes Reactor's loop.
#pragma once

#include <atomic>
#include <cstddef>
#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>

#include "core/common/logging.h"
#include "core/reactor/unique_function.h"

namespace alluxio {

class BlockingPool;

// Coroutine type used across the project: an asio awaitable on a reactor's executor.
template <typename T>
using Task = asio::awaitable<T>;

// Logs an exception that escaped a handler or a spawned coroutine ("reactor" component, at
// ERROR; cancellation (operation_aborted) at DEBUG). Never throws.
void LogEscapedException(std::string_view what, std::exception_ptr e);

// A completion token for asio::co_spawn that logs the exception of a coroutine instead of
// dropping it (asio::detached drops it silently).
struct LogCompletion {
  std::string what;
  void operator()(std::exception_ptr e) const {
    if (e) LogEscapedException(what, e);
  }
  template <typename T>
  void operator()(std::exception_ptr e, T&&) const {
    if (e) LogEscapedException(what, e);
  }
};

// Something with the lifetime of a reactor thread (e.g. the kj event loop of rpc/). Registered
// with Reactor::AddThreadHook on the reactor thread.
class ReactorThreadHook {
 public:
  // Destroyed on the reactor thread after the io_context has been shut down (all pending
  // handlers destroyed), in reverse order of registration.
  virtual ~ReactorThreadHook() = default;
  // Called on the reactor thread after its loop has stopped and before the io_context is shut
  // down: I/O objects are still valid but no handler will run again. Reverse registration order.
  virtual void OnLoopStopped() {}
};

class Reactor {
 public:
  using Executor = asio::io_context::executor_type;

  // Use ReactorPool or RunMainReactor; a Reactor does nothing until its loop is run by them.
  Reactor(size_t index, std::string name, BlockingPool* blocking);
  ~Reactor();
  Reactor(const Reactor&) = delete;
  Reactor& operator=(const Reactor&) = delete;

  size_t index() const { return index_; }
  // "reactor-0"; also the thread's name in logs.
  const std::string& name() const { return name_; }

  // The reactor's io_context / executor. Any thread may post to it; I/O objects bound to it
  // must be used and destroyed on this reactor's thread only.
  asio::io_context& context() { return *context_; }
  Executor executor() { return context_->get_executor(); }

  // The reactor whose thread is calling, or nullptr on a non-reactor thread.
  static Reactor* Current();
  bool IsCurrent() const { return Current() == this; }

  // Runs fn() on this reactor's thread soon (never inline). Thread-safe. An exception thrown by
  // fn is logged. After the reactor stopped, fn is destroyed without running (on some thread).
  void Post(UniqueFunction<void()> fn);

  // The pool RunBlocking uses for coroutines on this reactor; nullptr if none.
  BlockingPool* blocking_pool() const { return blocking_; }

  // Registers a per-thread object (see ReactorThreadHook). Reactor thread only.
  void AddThreadHook(std::unique_ptr<ReactorThreadHook> hook);

  // True once Stop has been requested. Thread-safe.
  bool stopping() const { return stop_requested_.load(std::memory_order_acquire); }

  // Runs the loop on the calling thread until RequestStop(), logging escaped exceptions, then
  // tears down (hooks, io_context shutdown). Used by ReactorPool threads and RunMainReactor.
  // `before_teardown` (may be null) is called after the loop stopped, before teardown.
  void RunLoop(UniqueFunction<void()> before_teardown);

  // Asks the loop to stop: run() returns after the current handler. Thread-safe, idempotent.
  void RequestStop();

 private:
  // io_context whose shutdown() (destroying every pending handler) can be called on the
  // reactor thread while the object lives on until ~Reactor (late posts are just destroyed).
  class Context : public asio::io_context {
   public:
    Context() : asio::io_context(1) {}
    using asio::io_context::shutdown;
  };

  const size_t index_;
  const std::string name_;
  BlockingPool* const blocking_;
  std::unique_ptr<Context> context_;
  std::atomic<bool> stop_requested_{false};
  std::vector<std::unique_ptr<ReactorThreadHook>> hooks_;
};

struct ReactorPoolOptions {
  // Number of reactors; 0 = one per CPU (std::thread::hardware_concurrency()).
  size_t reactors = 0;
  // Pin reactor i to CPU (i % CPUs).
  bool pin_threads = false;
  // Threads of the blocking pool shared by all reactors (RunBlocking); at least 1.
  size_t blocking_threads = 2;
  // Thread names: "<name>-<i>".
  std::string name = "reactor";
};

// Starts N reactors on their own threads and owns them.
class ReactorPool {
 public:
  explicit ReactorPool(ReactorPoolOptions options = {});
  // Stop().
  ~ReactorPool();
  ReactorPool(const ReactorPool&) = delete;
  ReactorPool& operator=(const ReactorPool&) = delete;

  size_t size() const { return reactors_.size(); }
  // Precondition: i < size(). The reference lives as long as the pool.
  Reactor& at(size_t i) { return *reactors_.at(i); }
  // The calling thread's reactor. Precondition: called on one of this pool's reactors.
  Reactor& current();

  BlockingPool& blocking() { return *blocking_; }

  // Stops everything, in this order: the blocking pool finishes its queued jobs (their
  // completions are delivered: the stop is queued behind them); every reactor's loop stops; then
  // one reactor at a time, in index order, tears down on its own thread: thread hooks'
  // OnLoopStopped, io_context shutdown (pending handlers and the coroutines they own are
  // destroyed, never resumed), hooks destroyed. Blocks until all threads are joined.
  // Must not be called from a reactor thread of this pool. Idempotent.
  void Stop();

 private:
  struct Slot;
  std::unique_ptr<BlockingPool> blocking_;
  std::vector<std::unique_ptr<Reactor>> reactors_;
  std::vector<std::unique_ptr<Slot>> slots_;
  bool stopped_ = false;
};

// Runs one reactor (index 0, named `name`) on the calling thread, for tools and tests: spawns
// main() on it, runs until main's coroutine completes, stops and tears the reactor down, and
// returns main's value. An exception escaping main is logged and yields 1. A blocking pool of
// `blocking_threads` threads serves RunBlocking.
int RunMainReactor(UniqueFunction<Task<int>()> main, size_t blocking_threads = 1,
                   std::string name = "main");

}  // namespace alluxio
