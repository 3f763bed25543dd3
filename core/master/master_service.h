// The master's Cap'n Proto services (schema/master.capnp) over the namespace engine and the
// worker registry. Calls run synchronously on the reactor thread that serves the connection
// (each mutation is one synced RocksDB write). TODO(perf): move namespace calls to the blocking
// pool and group-commit concurrent mutations.
#pragma once

#include <memory>
#include <string>

#include "core/master/impersonation.h"
#include "core/master/namespace.h"
#include "core/master/permission_checker.h"
#include "core/master/worker_registry.h"
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
};

// The bootstrap capability of the master's RPC port.
wire::Master::Client MakeMasterBootstrap(MasterServiceContext context);

}  // namespace alluxio
