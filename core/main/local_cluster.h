// `alluxio local start|stop`: a master and a worker of this installation run in the background
// on loopback, each a `alluxio master|worker` process started from the same binary, with pid
// files under ${alluxio.work.dir}/run and their stdout/stderr in ${alluxio.logs.dir}/*.out.
// Also used by `alluxio-fuse mount` when no cluster is configured or reachable.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "core/common/configuration.h"
#include "core/common/result.h"

namespace alluxio {

struct LocalClusterOptions {
  std::string alluxio_binary;            // path of the `alluxio` executable
  std::vector<std::string> define_args;  // "-Dk=v" items passed on to both processes
  std::chrono::seconds start_timeout{30};
};

// Options for a cluster of `alluxio_binary` processes given `defines` ("key=value", as after
// -D), bound to loopback unless alluxio.{master,worker}.bind.host is configured.
LocalClusterOptions LoopbackClusterOptions(const Configuration& conf,
                                           const std::vector<std::string>& defines,
                                           std::string alluxio_binary);

// True if something accepts TCP connections at host:port within `timeout`.
bool TcpReachable(const std::string& host, int port, std::chrono::milliseconds timeout);

// Starts whichever of the master and the worker is not running and returns once both serve
// (serving_probe.h: a real request answered; the worker registered with the master). Running
// means: the pid file names a live `alluxio master|worker` process (a zombie left by a kill
// that nobody reaped, or a pid reused by another program, is not running) that serves within
// `start_timeout`; one that does not is stopped and started again. Returns the names of the
// processes started ("master", "worker"). kBusy if another program holds a port; kUnavailable
// (naming the logs to read) if a process does not serve in time.
Result<std::vector<std::string>> StartLocalCluster(const Configuration& conf,
                                                   const LocalClusterOptions& options);

// SIGTERM to both (waiting up to 30 s each, then SIGKILL), when their pid files name live
// processes of ours; removes the pid files.
// Returns the names of the processes that were stopped ("master", "worker").
std::vector<std::string> StopLocalCluster(const Configuration& conf);

}  // namespace alluxio
