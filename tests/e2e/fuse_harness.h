// Driving the real `alluxio-fuse` command against a ClusterProcesses cluster, and cleaning up
// whatever a test mounted: every mount made through FuseHarness is unmounted, and its daemon
// killed by pid, when the harness goes away, also when the test failed.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "tests/util/s3rver.h"

namespace alluxio::testing {

struct CommandResult {
  int exit_code = -1;  // -1: killed (signal or timeout)
  std::string out;
  std::string err;
};

// Runs argv[0] (a path) with argv, the current environment plus `env`, stdin from /dev/null;
// captures stdout and stderr. Kills it after `timeout`.
CommandResult RunCommand(const std::vector<std::string>& argv,
                         const std::map<std::string, std::string>& env = {},
                         std::chrono::seconds timeout = std::chrono::seconds(180));

// `bash -c script` with MNT (and any `env`) in the environment, under `set -euo pipefail`.
CommandResult RunShell(const std::string& script, const std::map<std::string, std::string>& env,
                       std::chrono::seconds timeout = std::chrono::seconds(180));

class FuseHarness {
 public:
  // `home`: the cluster's ALLUXIO_HOME; `defines`: its "-Dk=v" arguments.
  FuseHarness(std::string home, std::vector<std::string> defines);
  // Unmounts every mount point this harness mounted, killing the daemons still serving them.
  ~FuseHarness();
  FuseHarness(const FuseHarness&) = delete;
  FuseHarness& operator=(const FuseHarness&) = delete;

  // alluxio-fuse <args...> with the cluster's home and defines.
  CommandResult Run(const std::vector<std::string>& args) const;
  // alluxio-fuse mount [-o options] <mount_point> [<alluxio_path>]; remembered for cleanup.
  CommandResult Mount(const std::string& mount_point, const std::string& alluxio_path = "",
                      const std::string& options = "");
  CommandResult Unmount(const std::string& mount_point, bool soft = false) const;
  CommandResult Stat() const { return Run({"stat"}); }

  // The pid serving `mount_point` according to `alluxio-fuse stat`, 0 if none.
  pid_t DaemonPid(const std::string& mount_point) const;
  // Adds a mount point to clean up (one mounted by other means, e.g. a worker).
  void Track(const std::string& mount_point) { mounted_.push_back(mount_point); }

  const std::string& home() const { return home_; }

 private:
  std::string home_;
  std::vector<std::string> defines_;
  std::vector<std::string> mounted_;
};

// The S3 root option of a cluster whose mounts run over S3: the properties (for
// ClusterProcesses, which hands them to every command of the cluster, alluxio-fuse included)
// that make s3://<bucket>/<prefix> of `s3` the root UFS, with s3rver's endpoint, path-style
// access and credentials, and a request timeout of `request_timeout` (Alluxio's duration syntax)
// so that a silent server fails a call soon.
std::map<std::string, std::string> S3RootProperties(const S3rver& s3, const std::string& prefix,
                                                    const std::string& request_timeout = "10s");

// True if `path` is a FUSE mount point now (/proc/self/mountinfo).
bool IsMounted(const std::string& path);

}  // namespace alluxio::testing
