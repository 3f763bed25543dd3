// Running a coroutine on a reactor from a thread that is not a reactor (main, a test, a bench)
// and waiting for its value:
//
//   int n = BlockOn(pool.at(0), CountEntries("/"));
#pragma once

#include <exception>
#include <future>
#include <utility>

#include <asio/co_spawn.hpp>

#include "core/reactor/reactor.h"

namespace alluxio {

// Runs `task` on `reactor` and blocks the calling thread until it completes; rethrows its
// exception. Must not be called on `reactor`'s own thread (it would deadlock).
template <typename T>
T BlockOn(Reactor& reactor, Task<T> task) {
  std::promise<T> promise;
  auto future = promise.get_future();
  asio::co_spawn(reactor.executor(), std::move(task), [&promise](std::exception_ptr e, T value) {
    if (e) {
      promise.set_exception(e);
    } else {
      promise.set_value(std::move(value));
    }
  });
  return future.get();
}

}  // namespace alluxio
