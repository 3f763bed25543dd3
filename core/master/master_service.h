// The master's Cap'n Proto services (schema/master.capnp) over the namespace engine and the
// worker registry. Calls run on the reactor thread that serves the connection, except the
// namespace mutations of file system calls (create, complete, abort, mkdir, symlink, remove,
// rename, setAttribute), which run on MasterServiceContext::mutations when there is one: there
// they wait for their WAL sync without holding the reactor, and concurrent ones share a sync
// (Namespace's group commit). Their answers are built back on the reactor.
#pragma once

#include <memory>
#include <string>

#include "core/master/impersonation.h"
#include "core/master/namespace.h"
#include "core/master/permission_checker.h"
#include "core/master/persist_scheduler.h"
#include "core/master/worker_registry.h"
#include "core/reactor/blocking_pool.h"
#include "schema/master.capnp.h"

namespace alluxio {

struct MasterServiceContext {
  Namespace* ns;            // outlives the services
  WorkerRegistry* workers;  // outlives the services
  // Checks each call against the user its client named (permission_checker.h); null: none.
  PermissionChecker* permissions = nullptr;  // outlives the services
  // Who may act as whom (impersonation.h); null: the rules with nothing configured (only a
  // superuser may).
  const Impersonation* impersonation = nullptr;  // outlives the services
  // Runs the namespace mutations (see above); null: on the reactor. Stopped before `ns` goes;
  // a call made after it stopped is answered kUnavailable.
  BlockingPool* mutations = nullptr;
  // Schedules the persists of to-be-persisted files (ASYNC_THROUGH) on workers; null: files
  // stay to be persisted.
  PersistScheduler* persists = nullptr;  // outlives the services
};

// The bootstrap capability of the master's RPC port.
wire::Master::Client MakeMasterBootstrap(MasterServiceContext context);

}  // namespace alluxio
