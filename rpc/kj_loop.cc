#include "rpc/kj_loop.h"

#include <cassert>
#include <stdexcept>

#include <kj/debug.h>
#include <asio/post.hpp>

#include "core/common/logging.h"

namespace alluxio::rpc {
namespace {
thread_local KjLoop* t_loop = nullptr;
}  // namespace

class KjLoop::Port final : public kj::EventPort {
 public:
  Port(KjLoop& owner, asio::io_context& io) : owner_(owner), io_(io) {}

  // Used only by wait()/poll() at setup and teardown; never blocks (the reactor owns blocking).
  bool wait() override { return poll(); }
  bool poll() override { return woken_.exchange(false, std::memory_order_acq_rel); }

  void setRunnable(bool runnable) override {
    if (runnable) ScheduleDrain();
  }

  void wake() const override {
    woken_.store(true, std::memory_order_release);
    KjLoop* owner = &owner_;
    asio::post(io_, [owner] { owner->DrainWoken(); });
  }

  void ScheduleDrain() {
    if (drain_posted_) return;
    drain_posted_ = true;
    KjLoop* owner = &owner_;
    asio::post(io_, [owner] { owner->Drain(); });
  }
  void DrainStarted() { drain_posted_ = false; }

 private:
  KjLoop& owner_;
  asio::io_context& io_;
  bool drain_posted_ = false;
  mutable std::atomic<bool> woken_{false};
};

class KjLoop::TaskErrors final : public kj::TaskSet::ErrorHandler {
 public:
  void taskFailed(kj::Exception&& e) override {
    ALX_LOG(kWarn, "rpc", "kj background task failed: {}", e.getDescription().cStr());
  }
};

KjLoop* KjLoop::TryCurrent() { return t_loop; }

KjLoop& KjLoop::Current() {
  if (t_loop != nullptr) return *t_loop;
  Reactor* reactor = Reactor::Current();
  if (reactor == nullptr) throw std::logic_error("rpc: KjLoop::Current() off a reactor thread");
  auto loop = std::make_unique<KjLoop>(*reactor);
  KjLoop* raw = loop.get();
  reactor->AddThreadHook(std::move(loop));
  return *raw;
}

KjLoop::KjLoop(Reactor& reactor)
    : reactor_(reactor),
      port_(std::make_unique<Port>(*this, reactor.context())),
      task_errors_(std::make_unique<TaskErrors>()),
      loop_(std::make_unique<kj::EventLoop>(*port_)),
      wait_scope_(std::make_unique<kj::WaitScope>(*loop_)),
      tasks_(std::make_unique<kj::TaskSet>(*task_errors_)) {
  assert(t_loop == nullptr);
  t_loop = this;
}

KjLoop::~KjLoop() {
  tasks_.reset();
  wait_scope_->poll();
  wait_scope_.reset();
  loop_.reset();
  t_loop = nullptr;
}

void KjLoop::AddTask(kj::Promise<void> task) {
  if (!tasks_) return;  // stopped: the task is dropped (cancelled)
  tasks_->add(kj::mv(task));
}

void KjLoop::RunInline() {
  if (running_ || !loop_->isRunnable()) return;
  running_ = true;
  loop_->run(kTurnBudget);
  running_ = false;
  if (loop_->isRunnable()) port_->ScheduleDrain();
}

void KjLoop::Drain() {
  port_->DrainStarted();
  if (running_) return;  // cannot happen from a top-level handler; be safe
  running_ = true;
  loop_->run(kTurnBudget);
  running_ = false;
  // kj does not call setRunnable(true) again when the budget ran out: re-post ourselves.
  if (loop_->isRunnable()) port_->ScheduleDrain();
}

void KjLoop::DrainWoken() {
  if (running_) return;
  running_ = true;
  wait_scope_->poll();  // pulls cross-thread (kj::Executor) events
  running_ = false;
}

void KjLoop::OnLoopStopped() {
  // Coroutines awaiting kj promises are owned by these tasks: destroy them while the
  // io_context is still alive (their frames may own sockets), then drain what that queued.
  tasks_.reset();
  wait_scope_->poll();
}

}  // namespace alluxio::rpc
