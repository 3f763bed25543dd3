#include "core/reactor/task_group.h"

#include <cassert>
#include <vector>

#include <asio/bind_cancellation_slot.hpp>
#include <asio/co_spawn.hpp>
#include <asio/post.hpp>
#include <asio/use_awaitable.hpp>

namespace alluxio {

struct TaskGroup::State {
  State(Reactor::Executor executor, std::string name) : executor(executor), name(std::move(name)) {}
  Reactor::Executor executor;
  std::string name;
  bool cancelled = false;
  uint64_t next_id = 0;
  size_t running = 0;
  // Signals of running tasks. A signal is freed only after its task's completion handler has
  // run and a further turn passed (asio may touch the slot until the spawn has unwound), or
  // with the state itself.
  std::map<uint64_t, std::unique_ptr<asio::cancellation_signal>> signals;
  // Completion handlers of Stop() callers, posted when `running` drops to 0.
  std::vector<UniqueFunction<void()>> idle_waiters;

  void Finished(uint64_t id) {
    signals.erase(id);
    assert(running > 0);
    if (--running == 0) {
      for (auto& waiter : idle_waiters) asio::post(executor, std::move(waiter));
      idle_waiters.clear();
    }
  }
};

// The co_spawn completion: logs, then retires the task's bookkeeping on a later turn. If the
// reactor is torn down with the task pending, it is destroyed without being called.
struct TaskGroup::Completion {
  std::shared_ptr<State> state;
  uint64_t id;
  std::string what;
  Reactor::Executor executor;
  void operator()(std::exception_ptr e) {
    if (e) LogEscapedException(state->name + ": " + what, e);
    asio::post(executor, [state = std::move(state), id = id] { state->Finished(id); });
  }
};

TaskGroup::TaskGroup(Reactor& reactor, std::string name)
    : reactor_(reactor), state_(std::make_shared<State>(reactor.executor(), std::move(name))) {}

TaskGroup::~TaskGroup() { Cancel(); }

void TaskGroup::Spawn(Task<void> task, std::string what) {
  if (state_->cancelled) {
    ALX_LOG(kDebug, "reactor", "{}: {} not started: group stopped", state_->name, what);
    return;  // `task` is destroyed unstarted
  }
  uint64_t id = state_->next_id++;
  auto& signal = state_->signals[id];
  signal = std::make_unique<asio::cancellation_signal>();
  ++state_->running;
  asio::co_spawn(reactor_.executor(), std::move(task),
                 asio::bind_cancellation_slot(
                     signal->slot(), Completion{state_, id, std::move(what), reactor_.executor()}));
}

void TaskGroup::Cancel() {
  state_->cancelled = true;
  // A cancellation handler may run code that spawns or finishes tasks: emit from a copy.
  std::vector<asio::cancellation_signal*> signals;
  signals.reserve(state_->signals.size());
  for (auto& [id, signal] : state_->signals) signals.push_back(signal.get());
  for (auto* signal : signals) signal->emit(asio::cancellation_type::all);
}

namespace {
struct InitiateIdleWait {
  std::vector<UniqueFunction<void()>>* waiters;
  template <typename Handler>
  void operator()(Handler handler) const {
    waiters->emplace_back(std::move(handler));
  }
};
}  // namespace

Task<void> TaskGroup::Stop() {
  Cancel();
  if (state_->running == 0) co_return;
  // The group outlives this awaitable (contract), so its state does too.
  co_await asio::async_initiate<const asio::use_awaitable_t<>, void()>(
      InitiateIdleWait{&state_->idle_waiters}, asio::use_awaitable);
}

size_t TaskGroup::size() const { return state_->running; }

}  // namespace alluxio
