// `alluxio local start|stop` as a user runs them, on loopback ephemeral ports in a temporary
// home. Processes killed with SIGKILL stay zombies while their parent does not reap them (an init
// that never waits, as in many containers): this test process becomes the parent of the
// processes `local start` leaves behind (a subreaper) and does not reap the killed ones until the
// end, so their pids still answer kill(pid, 0).
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/common/live_process.h"
#include "tests/cluster/cluster_processes.h"
#include "tests/e2e/fuse_harness.h"

namespace alluxio::testing {
namespace {

// The `alluxio` command for the home and ports of a ClusterProcesses that is never started
// itself; stops the local cluster and kills what is left by pid when it goes away.
class LocalCommand {
 public:
  LocalCommand() = default;
  ~LocalCommand() {
    (void)Run({"local", "stop"});
    for (const char* name : {"master", "worker"}) {
      if (pid_t pid = Pid(name); IsLiveProcess(pid, "alluxio", {name})) kill(pid, SIGKILL);
    }
  }
  CommandResult Run(const std::vector<std::string>& args) const {
    std::vector<std::string> argv{ALLUXIO_BINARY};
    for (auto& d : cluster_.DefineArgs()) argv.push_back(std::move(d));
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv, {{"ALLUXIO_HOME", cluster_.home()}});
  }
  pid_t Pid(const std::string& process) const {
    std::ifstream in(PidFile(process));
    pid_t pid = 0;
    in >> pid;
    return pid;
  }
  std::string PidFile(const std::string& process) const {
    return cluster_.home() + "/run/" + process + ".pid";
  }
  const std::string& home() const { return cluster_.home(); }

 private:
  ClusterProcesses cluster_;
};

// Waits until `pid`, a child of this process, has exited; leaves it a zombie (not reaped).
void WaitForZombie(pid_t pid) {
  siginfo_t info{};
  ASSERT_EQ(waitid(P_PID, pid, &info, WEXITED | WNOWAIT), 0) << std::strerror(errno);
}

TEST(LocalClusterTest, StartRestartsProcessesKilledAndLeftZombiesAndReturnsWhenTheyServe) {
  ASSERT_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  LocalCommand alluxio;
  CommandResult started = alluxio.Run({"local", "start"});
  ASSERT_EQ(started.exit_code, 0) << started.err;
  const std::string local_file = alluxio.home() + "/hello";
  std::ofstream(local_file) << "hello";
  ASSERT_EQ(alluxio.Run({"fs", "copyFromLocal", local_file, "/f"}).exit_code, 0);

  const pid_t master = alluxio.Pid("master");
  ASSERT_TRUE(IsLiveProcess(master, "alluxio", {"master"}));
  ASSERT_EQ(kill(master, SIGKILL), 0);
  WaitForZombie(master);
  ASSERT_EQ(kill(master, 0), 0) << "a zombie answers kill(pid, 0)";
  CommandResult restarted = alluxio.Run({"local", "start"});
  ASSERT_EQ(restarted.exit_code, 0) << restarted.err << restarted.out;
  EXPECT_NE(restarted.out.find("Started the local master"), std::string::npos) << restarted.out;
  EXPECT_EQ(restarted.out.find("Started the local worker"), std::string::npos) << restarted.out;
  EXPECT_TRUE(IsLiveProcess(alluxio.Pid("master"), "alluxio", {"master"}));
  CommandResult cat = alluxio.Run({"fs", "cat", "/f"});
  EXPECT_EQ(cat.exit_code, 0) << cat.err;
  EXPECT_EQ(cat.out, "hello");

  const pid_t worker = alluxio.Pid("worker");
  ASSERT_EQ(kill(worker, SIGKILL), 0);
  WaitForZombie(worker);
  restarted = alluxio.Run({"local", "start"});
  ASSERT_EQ(restarted.exit_code, 0) << restarted.err << restarted.out;
  EXPECT_NE(restarted.out.find("Started the local worker"), std::string::npos) << restarted.out;
  const pid_t new_worker = alluxio.Pid("worker");
  EXPECT_NE(new_worker, worker);
  EXPECT_TRUE(IsLiveProcess(new_worker, "alluxio", {"worker"}));
  // ...and once the worker is registered with the master.
  CommandResult report = alluxio.Run({"fsadmin", "report"});
  EXPECT_NE(report.out.find("Live Workers: 1"), std::string::npos) << report.out;

  waitpid(master, nullptr, 0);
  waitpid(worker, nullptr, 0);
}

TEST(LocalClusterTest, APidFileNamingAnotherProgramIsNotARunningProcess) {
  LocalCommand alluxio;
  // A pid reused by another program (this test): neither started over nor stopped.
  std::filesystem::create_directories(alluxio.home() + "/run");
  std::ofstream(alluxio.PidFile("master")) << getpid() << "\n";
  CommandResult started = alluxio.Run({"local", "start"});
  ASSERT_EQ(started.exit_code, 0) << started.err;
  EXPECT_NE(started.out.find("Started the local master"), std::string::npos) << started.out;
  EXPECT_TRUE(IsLiveProcess(alluxio.Pid("master"), "alluxio", {"master"}));
  const pid_t worker = alluxio.Pid("worker");
  std::ofstream(alluxio.PidFile("worker")) << getpid() << "\n";
  CommandResult stopped = alluxio.Run({"local", "stop"});
  EXPECT_EQ(stopped.exit_code, 0);
  EXPECT_NE(stopped.out.find("Stopped the local master"), std::string::npos) << stopped.out;
  EXPECT_EQ(stopped.out.find("Stopped the local worker"), std::string::npos) << stopped.out;
  std::ofstream(alluxio.PidFile("worker")) << worker << "\n";  // stopped when `alluxio` goes
}

}  // namespace
}  // namespace alluxio::testing
