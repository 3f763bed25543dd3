// Whether a master or a worker serves: it answers a real request, not only accepts TCP
// connections (a process that is still starting, stopped with SIGSTOP or wedged accepts them
// too). What `alluxio local start` waits for before it reports a process as running.
//
// Both block the calling thread (any thread, a reactor's too) for at most about `timeout` (plus
// one connect attempt's time).
#pragma once

#include <chrono>

#include "core/common/configuration.h"

namespace alluxio {

// The master of `conf` (alluxio.master.hostname:rpc.port) answers getStatus("/").
bool MasterServes(const Configuration& conf, std::chrono::milliseconds timeout);

// The worker listening on `worker_port` answers getStats, and the master of `conf` lists it as a
// live worker (so clients are sent to it).
bool WorkerServes(const Configuration& conf, int worker_port, std::chrono::milliseconds timeout);

}  // namespace alluxio
