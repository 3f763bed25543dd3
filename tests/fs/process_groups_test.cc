// SupplementaryGroups reads what getgroups(2) reports, for this process and its threads.
#include "core/fs/process_groups.h"

#include <sys/syscall.h>
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

TEST(ProcessGroupsTest, AProcessAndItsThreadsHaveTheGroupsGetgroupsReports) {
  EXPECT_EQ(SupplementaryGroups(static_cast<uint32_t>(getpid())), OwnGroups());
  std::vector<uint32_t> of_thread;
  std::thread([&of_thread] {
    of_thread = SupplementaryGroups(static_cast<uint32_t>(syscall(SYS_gettid)));
  }).join();
  EXPECT_EQ(of_thread, OwnGroups());
}

TEST(ProcessGroupsTest, NoProcessNoGroups) {
  EXPECT_TRUE(SupplementaryGroups(0).empty());
  EXPECT_TRUE(SupplementaryGroups(0x7ffffff0).empty());  // above pid_max
}

}  // namespace
}  // namespace alluxio::fs
