// An Alluxio cluster on TestNetwork hosts (test_hosts.h), configured as a deployment would be:
// a master host ("m") and worker hosts ("w1", "w2", ...), each with its own ALLUXIO_HOME whose
// conf/alluxio-site.properties names alluxio.master.hostname, the host's own
// alluxio.worker.hostname and bind hosts (its address); the processes are real `alluxio master`
// and `alluxio worker` processes run in their host's namespace. All hosts share one under
// storage directory (as they would a shared file system). The test process, on the bridge's
// address, is a client on a host with no worker (ClientConf); `alluxio` commands run on any
// host (Alluxio), and FUSE clients on any host (Mount).
//
// Everything stops with the TestNetwork (which must outlive this) or by KillWorker.
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/common/configuration.h"
#include "tests/cluster/test_hosts.h"
#include "tests/e2e/fuse_harness.h"
#include "tests/util/temp_dir.h"

namespace alluxio::testing {

class HostCluster {
 public:
  // `properties` go into every host's site file (the caller's win over the defaults here).
  HostCluster(TestNetwork& net, int workers, std::map<std::string, std::string> properties = {});

  // Start a process and wait until it serves (as ClusterProcesses does). False if it exits or
  // takes more than 30 s.
  bool StartMaster();
  bool StartWorker(int index);  // 0-based
  // Sends `signal` to worker `index` and reaps it.
  void KillWorker(int index, int signal);

  // `alluxio <args...>` run to its end on `host` with that host's configuration.
  CommandResult Alluxio(const TestHost& host, std::vector<std::string> args);
  // `alluxio-fuse mount [-o options] <mount_point>` on `host` (a FUSE client there, with that
  // host's configuration; the mount is seen by every host). Unmounted, its daemon killed, when
  // this cluster goes away.
  CommandResult Mount(const TestHost& host, const std::string& mount_point,
                      const std::string& options = "");
  // A client in the test process (the root namespace: no worker on its host), with `extra`
  // properties over the cluster's.
  Configuration ClientConf(const std::map<std::string, std::string>& extra = {}) const;

  TestHost& master_host() { return *master_; }
  TestHost& worker_host(int index) { return *workers_.at(index).host; }
  // "address:port" of worker `index`, as block locations name it.
  std::string WorkerAddress(int index) const;
  const std::string& ufs_root() const { return ufs_; }

 private:
  struct Host {
    TestHost* host = nullptr;
    std::unique_ptr<TempDir> home;
    int port = 0;
    pid_t pid = 0;
    std::unique_ptr<FuseHarness> fuse;  // unmounts the host's mounts; destroyed before home
  };
  // The worker's entry of `host`, else the master's (its home serves any other host).
  Host& HostOf(const TestHost& host);
  // Writes `h`'s site file; `own` are its properties over the cluster's.
  void WriteSiteFile(const Host& h, const std::map<std::string, std::string>& own) const;

  TestNetwork& net_;
  TempDir shared_;  // the under storage
  std::string ufs_;
  std::map<std::string, std::string> properties_;
  TestHost* master_ = nullptr;
  Host master_process_;
  std::vector<Host> workers_;
};

}  // namespace alluxio::testing
