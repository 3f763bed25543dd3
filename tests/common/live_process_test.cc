#include "core/common/live_process.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

namespace alluxio {
namespace {

// Waits until `pid` is a zombie (it exited, nobody reaped it yet).
void WaitForZombie(pid_t pid) {
  siginfo_t info{};
  ASSERT_EQ(waitid(P_PID, pid, &info, WEXITED | WNOWAIT), 0);
}

TEST(LiveProcessTest, ThisProcessIsLiveUnderItsOwnName) {
  EXPECT_TRUE(IsLiveProcess(getpid()));
  ASSERT_FALSE(CurrentProgramName().empty());
  EXPECT_TRUE(IsLiveProcess(getpid(), CurrentProgramName()));
  EXPECT_FALSE(IsLiveProcess(getpid(), "alluxio"));
  EXPECT_FALSE(IsLiveProcess(0));
  EXPECT_FALSE(IsLiveProcess(-1));
}

TEST(LiveProcessTest, MatchesTheProgramAndItsFirstArguments) {
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    execl("/bin/sleep", "/bin/sleep", "30", static_cast<char*>(nullptr));
    _exit(127);
  }
  // Until exec is done the child runs this test's binary.
  for (int i = 0; i < 500 && !IsLiveProcess(pid, "sleep"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(IsLiveProcess(pid, "sleep"));
  EXPECT_TRUE(IsLiveProcess(pid, "sleep", {"30"}));
  EXPECT_FALSE(IsLiveProcess(pid, "sleep", {"31"}));
  EXPECT_FALSE(IsLiveProcess(pid, "sleep", {"30", "more"}));
  EXPECT_FALSE(IsLiveProcess(pid, "alluxio"));
  kill(pid, SIGKILL);
  WaitForZombie(pid);
  EXPECT_EQ(kill(pid, 0), 0) << "a zombie answers kill(pid, 0)";
  EXPECT_FALSE(IsLiveProcess(pid));
  EXPECT_FALSE(IsLiveProcess(pid, "sleep"));
  waitpid(pid, nullptr, 0);
  EXPECT_FALSE(IsLiveProcess(pid));
}

}  // namespace
}  // namespace alluxio
