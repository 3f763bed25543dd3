#include "core/reactor/reactor.h"

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <system_error>

#include <asio/co_spawn.hpp>
#include <asio/error.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/post.hpp>

#include "core/reactor/blocking_pool.h"

namespace alluxio {
namespace {

thread_local Reactor* t_current = nullptr;

bool IsCancellation(const std::system_error& e) {
  return e.code() == asio::error::operation_aborted || e.code() == std::errc::operation_canceled;
}

void PinToCpu(size_t cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  int rc = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
  if (rc != 0) ALX_LOG(kWarn, "reactor", "cannot pin to CPU {}: {}", cpu, std::strerror(rc));
}

}  // namespace

void LogEscapedException(std::string_view what, std::exception_ptr e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::system_error& ex) {
    if (IsCancellation(ex)) {
      ALX_LOG(kDebug, "reactor", "{}: cancelled", what);
    } else {
      ALX_LOG(kError, "reactor", "{}: uncaught exception: {}", what, ex.what());
    }
  } catch (const std::exception& ex) {
    ALX_LOG(kError, "reactor", "{}: uncaught exception: {}", what, ex.what());
  } catch (...) {
    ALX_LOG(kError, "reactor", "{}: uncaught exception of unknown type", what);
  }
}

Reactor::Reactor(size_t index, std::string name, BlockingPool* blocking)
    : index_(index),
      name_(std::move(name)),
      blocking_(blocking),
      context_(std::make_unique<Context>()) {}

Reactor::~Reactor() = default;

Reactor* Reactor::Current() { return t_current; }

void Reactor::Post(UniqueFunction<void()> fn) {
  asio::post(*context_, [fn = std::move(fn)]() mutable {
    try {
      fn();
    } catch (...) {
      LogEscapedException("posted function", std::current_exception());
    }
  });
}

void Reactor::AddThreadHook(std::unique_ptr<ReactorThreadHook> hook) {
  hooks_.push_back(std::move(hook));
}

void Reactor::RequestStop() {
  stop_requested_.store(true, std::memory_order_release);
  context_->stop();
}

void Reactor::RunLoop(UniqueFunction<void()> before_teardown) {
  t_current = this;
  SetLogThreadName(name_);
  {
    auto work = asio::make_work_guard(*context_);
    while (!stopping()) {
      try {
        context_->run();
      } catch (...) {
        // run() may be called again after a handler threw: the reactor survives.
        LogEscapedException(name_ + " handler", std::current_exception());
      }
    }
  }
  if (before_teardown) before_teardown();
  for (auto it = hooks_.rbegin(); it != hooks_.rend(); ++it) (*it)->OnLoopStopped();
  context_->shutdown();
  while (!hooks_.empty()) hooks_.pop_back();
  t_current = nullptr;
}

struct ReactorPool::Slot {
  std::thread thread;
  std::mutex mu;
  std::condition_variable cv;
  bool loop_exited = false;
  bool may_tear_down = false;
};

ReactorPool::ReactorPool(ReactorPoolOptions options) {
  size_t cpus = std::max(1u, std::thread::hardware_concurrency());
  size_t n = options.reactors == 0 ? cpus : options.reactors;
  blocking_ = std::make_unique<BlockingPool>(options.blocking_threads, options.name + "-blocking");
  for (size_t i = 0; i < n; ++i) {
    reactors_.push_back(
        std::make_unique<Reactor>(i, fmt::format("{}-{}", options.name, i), blocking_.get()));
    slots_.push_back(std::make_unique<Slot>());
  }
  for (size_t i = 0; i < n; ++i) {
    Slot* slot = slots_[i].get();
    Reactor* reactor = reactors_[i].get();
    bool pin = options.pin_threads;
    slot->thread = std::thread([slot, reactor, pin, cpu = i % cpus] {
      if (pin) PinToCpu(cpu);
      reactor->RunLoop([slot] {
        std::unique_lock lock(slot->mu);
        slot->loop_exited = true;
        slot->cv.notify_all();
        slot->cv.wait(lock, [slot] { return slot->may_tear_down; });
      });
    });
  }
}

ReactorPool::~ReactorPool() { Stop(); }

Reactor& ReactorPool::current() {
  Reactor* r = Reactor::Current();
  for (auto& reactor : reactors_) {
    if (reactor.get() == r) return *r;
  }
  throw std::logic_error("ReactorPool::current() called off the pool's reactors");
}

void ReactorPool::Stop() {
  if (stopped_) return;
  stopped_ = true;
  blocking_->Stop();
  // Posted, not direct: the stop runs after the completions the blocking jobs posted.
  for (auto& reactor : reactors_) {
    asio::post(reactor->executor(), [r = reactor.get()] { r->RequestStop(); });
  }
  for (auto& slot : slots_) {
    std::unique_lock lock(slot->mu);
    slot->cv.wait(lock, [&] { return slot->loop_exited; });
  }
  for (auto& slot : slots_) {
    {
      std::lock_guard lock(slot->mu);
      slot->may_tear_down = true;
    }
    slot->cv.notify_all();
    slot->thread.join();
  }
}

int RunMainReactor(UniqueFunction<Task<int>()> main, size_t blocking_threads, std::string name) {
  BlockingPool blocking(blocking_threads, name + "-blocking");
  Reactor reactor(0, std::move(name), &blocking);
  int exit_code = 1;
  auto body = [](UniqueFunction<Task<int>()> fn, Reactor* r, int* out) -> Task<void> {
    struct StopOnExit {
      Reactor* r;
      ~StopOnExit() { r->RequestStop(); }
    } stop{r};
    *out = co_await fn();
  };
  asio::co_spawn(reactor.executor(), body(std::move(main), &reactor, &exit_code),
                 LogCompletion{"main"});
  reactor.RunLoop([&blocking] { blocking.Stop(); });
  return exit_code;
}

}  // namespace alluxio
