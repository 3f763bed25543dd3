// A whole master on the calling reactor: the RocksDB namespace, the worker registry, the RPC
// server on alluxio.master.bind.host:alluxio.master.rpc.port, and lost-worker detection.
// Used by `alluxio master` and by tests that run a master in-process.
#pragma once

#include <cstdint>
#include <memory>

#include "core/common/configuration.h"
#include "core/common/result.h"
#include "core/master/impersonation.h"
#include "core/master/namespace.h"
#include "core/master/permission_checker.h"
#include "core/master/persist_scheduler.h"
#include "core/master/worker_registry.h"
#include "core/reactor/blocking_pool.h"
#include "core/reactor/reactor.h"
#include "core/reactor/task_group.h"
#include "rpc/server.h"

namespace alluxio {

class MasterServer {
 public:
  // Reactor thread only. Errors: the namespace's (kBusy if another master holds the store),
  // the listener's (kBusy if the port is taken).
  static Result<std::unique_ptr<MasterServer>> Start(const Configuration& conf);
  // Cancels the background tasks; call Stop() first for an orderly shutdown.
  ~MasterServer();

  // The bound port (the configured one, or the ephemeral one for port 0).
  uint16_t port() const;
  Namespace& ns() { return *ns_; }
  WorkerRegistry& workers() { return *workers_; }

  // Stops accepting, drops connections, waits for background tasks. Reactor thread only.
  Task<void> Stop();

 private:
  MasterServer() = default;

  std::unique_ptr<Namespace> ns_;
  std::unique_ptr<WorkerRegistry> workers_;
  std::unique_ptr<PersistScheduler> persists_;  // pending persists of to-be-persisted files
  // Runs the namespace mutations of RPCs (MasterServiceContext::mutations); destroyed (stopped)
  // before ns_.
  std::unique_ptr<BlockingPool> mutations_;
  std::unique_ptr<PermissionChecker> permissions_;
  std::unique_ptr<Impersonation> impersonation_;
  std::unique_ptr<rpc::RpcServer> server_;
  std::unique_ptr<TaskGroup> tasks_;
};

}  // namespace alluxio
