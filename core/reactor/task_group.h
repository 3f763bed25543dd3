// TaskGroup: the owner of background coroutines on one reactor. Every spawned coroutine gets a
// cancellation slot wired to the group and a completion that logs its exception; Cancel()/the
// destructor emit cancellation (asio::cancellation_type::all) to all of them and Stop() also
// waits for them to finish.
//
//   TaskGroup tasks(reactor, "heartbeat");
//   tasks.Spawn(HeartbeatLoop(state));          // by value: no capturing lambda coroutines
//   ...
//   co_await tasks.Stop();                      // cancel + wait
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <asio/cancellation_signal.hpp>

#include "core/reactor/reactor.h"

namespace alluxio {

class TaskGroup {
 public:
  // All tasks run on `reactor`. The group is created, used and destroyed on that reactor's
  // thread. `name` prefixes log lines about its tasks.
  TaskGroup(Reactor& reactor, std::string name);
  // Cancels the tasks still running (they finish asynchronously, after the group is gone; the
  // group's bookkeeping is shared with them). Does not wait: co_await Stop() for that.
  ~TaskGroup();
  TaskGroup(const TaskGroup&) = delete;
  TaskGroup& operator=(const TaskGroup&) = delete;

  // Starts `task` on the reactor (it first runs on a later turn, never inline). An exception
  // escaping it is logged (cancellation at DEBUG). After Cancel()/Stop(), the task is destroyed
  // without running. Reactor thread only.
  void Spawn(Task<void> task, std::string what = "task");

  // Emits cancellation to every running task and refuses new ones. Reactor thread only.
  void Cancel();

  // Cancel(), then completes when every task has finished (or been destroyed). Reactor thread
  // only; the group must outlive the returned awaitable.
  Task<void> Stop();

  // Tasks spawned and not yet finished.
  size_t size() const;

 private:
  struct State;
  struct Completion;
  Reactor& reactor_;
  std::shared_ptr<State> state_;
};

}  // namespace alluxio
