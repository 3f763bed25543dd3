// The kj event loop of a reactor thread, driven by the reactor's io_context through a
// kj::EventPort (docs/rpc.md): one kj::EventLoop + WaitScope per reactor thread, created on
// first use and kept until the reactor is torn down. kj work runs in asio handlers ("drains"):
// when kj becomes runnable one drain is posted (edge-triggered), each drain runs at most
// kTurnBudget kj turns and re-posts itself while kj stays runnable, so asio I/O is not starved.
// Cross-thread kj::Executor wake-ups post a drain that polls.
//
// Contract: never call promise.wait() or WaitScope::poll() from a handler or a coroutine.
#pragma once

#include <atomic>
#include <memory>

#include <kj/async.h>

#include "core/reactor/reactor.h"

namespace alluxio::rpc {

class KjLoop final : public ReactorThreadHook {
 public:
  // kj turns per drain before yielding to asio.
  static constexpr unsigned kTurnBudget = 256;

  // The calling reactor's loop, created on first use. Precondition: on a reactor thread.
  static KjLoop& Current();
  // The calling thread's loop if one exists, else nullptr.
  static KjLoop* TryCurrent();

  explicit KjLoop(Reactor& reactor);
  // After the io_context shut down: drains kj once more, then destroys the loop.
  ~KjLoop() override;

  Reactor& reactor() { return reactor_; }
  kj::WaitScope& wait_scope() { return *wait_scope_; }

  // Runs `task` as a background kj task of this reactor; its exception is logged. The task is
  // destroyed (cancelled) when the reactor stops.
  void AddTask(kj::Promise<void> task);

  // Runs up to kTurnBudget kj turns now if kj is runnable and not already running. For asio
  // completion handlers that have just fulfilled a kj promise (saves a queue hop). Must be
  // called from a top-level asio handler on this reactor's thread, never from inside kj.
  void RunInline();

 private:
  class Port;
  class TaskErrors;
  void Drain();
  void DrainWoken();
  void OnLoopStopped() override;

  Reactor& reactor_;
  std::unique_ptr<Port> port_;
  std::unique_ptr<TaskErrors> task_errors_;
  std::unique_ptr<kj::EventLoop> loop_;
  std::unique_ptr<kj::WaitScope> wait_scope_;
  std::unique_ptr<kj::TaskSet> tasks_;
  bool running_ = false;
};

}  // namespace alluxio::rpc
