// What /proc says about a caller: SupplementaryGroups reads what getgroups(2) reports, for this
// process and its threads; ClosedByOpenerForGood sees this process's descriptors, mappings and
// children.
#include "core/fs/caller_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace alluxio::fs {
namespace {

std::vector<uint32_t> OwnGroups() {
  std::vector<gid_t> groups(static_cast<size_t>(getgroups(0, nullptr)));
  groups.resize(static_cast<size_t>(getgroups(static_cast<int>(groups.size()), groups.data())));
  std::vector<uint32_t> out(groups.begin(), groups.end());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

TEST(CallerProcessTest, AProcessAndItsThreadsHaveTheGroupsGetgroupsReports) {
  EXPECT_EQ(SupplementaryGroups(static_cast<uint32_t>(getpid())), OwnGroups());
  std::vector<uint32_t> of_thread;
  std::thread([&of_thread] {
    of_thread = SupplementaryGroups(static_cast<uint32_t>(syscall(SYS_gettid)));
  }).join();
  EXPECT_EQ(of_thread, OwnGroups());
}

TEST(CallerProcessTest, NoProcessNoGroups) {
  EXPECT_TRUE(SupplementaryGroups(0).empty());
  EXPECT_TRUE(SupplementaryGroups(0x7ffffff0).empty());  // above pid_max
}

TEST(CallerProcessTest, AThreadBelongsToItsProcess) {
  const uint32_t self = static_cast<uint32_t>(getpid());
  EXPECT_EQ(ThreadGroup(self), self);
  uint32_t of_thread = 0;
  std::thread([&of_thread] {
    of_thread = ThreadGroup(static_cast<uint32_t>(syscall(SYS_gettid)));
  }).join();
  EXPECT_EQ(of_thread, self);
  EXPECT_EQ(ThreadGroup(0), 0u);
  EXPECT_EQ(ThreadGroup(0x7ffffff0), 0u);
}

TEST(CallerProcessTest, TheOpenersLastCloseIsWhenNoDescriptorIsLeftInItNorItsDescendants) {
  char path[] = "/tmp/caller-process-XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  const std::string name = std::string(path).substr(4);  // its path inside a mount of /tmp
  const uint32_t self = static_cast<uint32_t>(getpid());
  uint32_t gone = 0;
  std::thread([&gone] { gone = static_cast<uint32_t>(syscall(SYS_gettid)); }).join();
  std::thread([&] {  // a live thread of this process: the same opener
    const uint32_t tid = static_cast<uint32_t>(syscall(SYS_gettid));
    EXPECT_FALSE(ClosedByOpenerForGood(tid, self, name, false));  // still open here
  })
      .join();
  EXPECT_FALSE(ClosedByOpenerForGood(self, self, name, false));
  const int dup_fd = dup(fd);
  close(fd);
  EXPECT_FALSE(ClosedByOpenerForGood(self, self, name, false));  // the dup is left
  EXPECT_TRUE(ClosedByOpenerForGood(self, self, "/caller-process-other", false));

  // A mapping outlives its descriptor; it counts when `mappings` is asked for.
  ASSERT_EQ(ftruncate(dup_fd, 4096), 0);
  void* mapped = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, dup_fd, 0);
  ASSERT_NE(mapped, MAP_FAILED);
  close(dup_fd);
  EXPECT_TRUE(ClosedByOpenerForGood(self, self, name, false));
  EXPECT_FALSE(ClosedByOpenerForGood(self, self, name, true));
  munmap(mapped, 4096);
  EXPECT_TRUE(ClosedByOpenerForGood(self, self, name, true));

  // A child, then a grandchild, that inherited a descriptor (the child closed its own), and a
  // child that closed its copy. Each is its own process group, killed with its descendants.
  for (const int generation : {1, 2, 0}) {
    SCOPED_TRACE(generation);
    const int held = open(path, O_RDONLY | O_CLOEXEC);
    ASSERT_GE(held, 0);
    int ready[2];
    ASSERT_EQ(pipe(ready), 0);
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      setpgid(0, 0);
      if (generation == 2 && fork() == 0) pause();  // the grandchild keeps its copy
      if (generation != 1) close(held);
      (void)!write(ready[1], "r", 1);
      pause();
      _exit(0);
    }
    close(held);
    char byte;
    const bool is_ready = read(ready[0], &byte, 1) == 1;
    EXPECT_EQ(ClosedByOpenerForGood(self, self, name, false), generation == 0);
    EXPECT_FALSE(ClosedByOpenerForGood(self, static_cast<uint32_t>(child), name, false));
    kill(-child, SIGKILL);
    waitpid(child, nullptr, 0);
    EXPECT_TRUE(is_ready);
    close(ready[0]);
    close(ready[1]);
  }
  EXPECT_FALSE(ClosedByOpenerForGood(0, 0, name, false));        // another pid namespace
  EXPECT_FALSE(ClosedByOpenerForGood(gone, self, name, false));  // an opener that exited
  unlink(path);
}

}  // namespace
}  // namespace alluxio::fs
