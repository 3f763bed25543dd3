// Hopping between reactors from a coroutine:
//
//   size_t n = co_await RunOn(pool.at(1), [] { return LocalCacheSize(); });
//   Result<X> r = co_await RunOn(pool.at(1), [key] { return LookupOn1(key); });  // a Task<T>
//
// fn runs on `target`; the calling coroutine resumes on its own executor with fn's value.
#pragma once

#include <type_traits>
#include <utility>

#include <asio/co_spawn.hpp>
#include <asio/use_awaitable.hpp>

#include "core/reactor/reactor.h"

namespace alluxio {
namespace internal {

template <typename T>
struct IsTask : std::false_type {};
template <typename T>
struct IsTask<Task<T>> : std::true_type {
  using type = T;
};

template <typename F, typename R = std::invoke_result_t<F&>>
struct RunOnResult {
  using type = R;
};
template <typename F, typename T>
struct RunOnResult<F, Task<T>> {
  using type = T;
};

template <typename F>
Task<typename RunOnResult<F>::type> RunOnBody(F fn) {
  // fn lives in this frame for the whole call, so a lambda returning a Task may capture.
  if constexpr (IsTask<std::invoke_result_t<F&>>::value) {
    co_return co_await fn();
  } else {
    co_return fn();
  }
}

}  // namespace internal

// Runs fn() (a plain function, or one returning Task<T>) on `target` and resumes the caller on
// its own executor with the value; exceptions propagate to the caller. Cancelling the caller
// (its cancellation slot) forwards cancellation to fn's coroutine. `target` must keep running
// until the call completes (ReactorPool stops the loops of all reactors before any teardown).
template <typename F>
Task<typename internal::RunOnResult<F>::type> RunOn(Reactor& target, F fn) {
  co_return co_await asio::co_spawn(target.executor(), internal::RunOnBody(std::move(fn)),
                                    asio::use_awaitable);
}

}  // namespace alluxio
