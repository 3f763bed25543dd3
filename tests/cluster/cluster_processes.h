// A master and a worker as real `alluxio master` / `alluxio worker` processes on loopback
// ephemeral ports, in a temporary ALLUXIO_HOME; killed by pid (and reaped) on destruction, also
// when a test fails; they die with the test process if it crashes (PR_SET_PDEATHSIG). For tests of
// crashes and restarts.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/common/configuration.h"
#include "tests/util/temp_dir.h"

namespace alluxio::testing {

// How long one probe of core/main/serving_probe.h waits for an answer.
inline constexpr std::chrono::milliseconds kProbeTimeout(1000);

// Waits until `serves()` (a probe of serving_probe.h, about a second each) holds. False if the
// process `pid` (a child of this one) exits first or 30 s pass.
bool WaitServing(pid_t pid, const std::function<bool()>& serves);

class ClusterProcesses {
 public:
  // `properties` ("key" → "value") are passed to both processes and to Conf().
  explicit ClusterProcesses(std::map<std::string, std::string> properties = {});
  ~ClusterProcesses();
  ClusterProcesses(const ClusterProcesses&) = delete;
  ClusterProcesses& operator=(const ClusterProcesses&) = delete;

  // Start a process and wait until it serves (core/main/serving_probe.h: it answers a request;
  // the worker is registered with the master, which must be running). False if it exits or
  // takes more than 30 s.
  bool StartMaster();
  bool StartWorker();
  // Sends `signal` and reaps the process.
  void KillMaster(int signal);
  void KillWorker(int signal);
  // Sends `signal` (SIGSTOP, SIGCONT) to the running process; it stays.
  void SignalMaster(int signal) const;
  void SignalWorker(int signal) const;

  // The configuration a client of this cluster uses.
  Configuration Conf() const;
  // "-Dkey=value" for every property: what another command of this cluster is given.
  std::vector<std::string> DefineArgs() const;
  pid_t worker_pid() const { return worker_; }
  int worker_port() const { return worker_port_; }
  const std::string& home() const { return home_.path(); }
  std::string UfsRoot() const { return home_.path() + "/underFSStorage"; }

 private:
  pid_t Spawn(const std::string& process);
  static void Kill(pid_t& pid, int signal);

  TempDir home_;
  std::map<std::string, std::string> properties_;
  int master_port_ = 0;
  int worker_port_ = 0;
  pid_t master_ = 0;
  pid_t worker_ = 0;
};

}  // namespace alluxio::testing
