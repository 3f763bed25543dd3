// Metadata through a real `alluxio-fuse` mount with the client metadata cache on (issue 18,
// deliverable 5): a listed file's stat after the kernel dropped its caches asks no master, a
// missing name is remembered (by the kernel and the client) until a create through the mount or
// the cache's expiration. "Asks no master" is shown with the master stopped (SIGSTOP): a call
// would wait for the RPC deadline (3 s here) and fail the stat. Needs root and /dev/fuse.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tests/cluster/cluster_processes.h"
#include "tests/e2e/fuse_harness.h"
#include "tests/e2e/mounted_cluster_test.h"
#include "tests/e2e/whole_files.h"
#include "tests/util/temp_dir.h"

namespace alluxio::testing {
namespace {

using namespace std::chrono_literals;

constexpr int kDirs = 3;
constexpr int kFilesPerDir = 400;

// Drops the page, dentry and inode caches of every file system (as the benchmarks do).
void DropKernelCaches() {
  ::sync();
  std::ofstream("/proc/sys/vm/drop_caches") << "3\n";
}

// errno of stat(path), 0 on success.
int StatErrno(const std::string& path, struct stat* st = nullptr) {
  struct stat local {};
  return ::stat(path.c_str(), st != nullptr ? st : &local) == 0 ? 0 : errno;
}

class FuseMetadataTest : public MountedClusterTest {
 protected:
  // Mounts "/" with the metadata cache (expiring after `expire`) and a 3 s RPC deadline.
  std::string MountWithCache(const std::string& name, const std::string& expire = "10min") {
    const std::string mp = MountPoint(name);
    CommandResult mounted =
        fuse_->Mount(mp, "",
                     fmt::format("attr_timeout=600,entry_timeout=600,metadata_cache_size=100000,"
                                 "metadata_cache_expire={},alluxio.user.rpc.retry.max.duration=3s",
                                 expire));
    EXPECT_EQ(mounted.exit_code, 0) << mounted.out << mounted.err;
    return mp;
  }
};

TEST_F(FuseMetadataTest, StatOfEveryListedFileAfterACacheDropAsksNoMaster) {
  // Files the master learns of from the under storage when it lists their directory.
  for (int d = 0; d < kDirs; ++d) {
    const std::string dir = fmt::format("{}/tree/d{}", cluster_->UfsRoot(), d);
    std::filesystem::create_directories(dir);
    for (int i = 0; i < kFilesPerDir; ++i) std::ofstream(fmt::format("{}/f{}", dir, i)) << "x";
  }
  const std::string mp = MountWithCache("mnt");
  CommandResult listed = RunShell("find \"$MNT/tree\" -type f | wc -l", {{"MNT", mp}});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_EQ(listed.out, fmt::format("{}\n", kDirs * kFilesPerDir));

  DropKernelCaches();
  cluster_->SignalMaster(SIGSTOP);
  for (int d = 0; d < kDirs; ++d) {
    for (int i = 0; i < kFilesPerDir; ++i) {
      struct stat st {};
      const std::string path = fmt::format("{}/tree/d{}/f{}", mp, d, i);
      ASSERT_EQ(StatErrno(path, &st), 0) << path << " asked the stopped master";
      EXPECT_EQ(st.st_size, 1);
    }
  }
  cluster_->SignalMaster(SIGCONT);
}

TEST_F(FuseMetadataTest, AMissingNameIsRememberedUntilTheMountCreatesIt) {
  const std::string mp = MountWithCache("mnt");
  ASSERT_EQ(StatErrno(mp + "/later"), ENOENT);
  ASSERT_EQ(StatErrno(mp + "/later-dir"), ENOENT);

  // The kernel forgot the negative entry; the client remembers it.
  DropKernelCaches();
  cluster_->SignalMaster(SIGSTOP);
  EXPECT_EQ(StatErrno(mp + "/later"), ENOENT);
  cluster_->SignalMaster(SIGCONT);

  // Creating the names through the mount shows them, also once the kernel forgot them (the
  // client's negative entries went with the creates).
  ASSERT_EQ(WriteWhole(mp + "/later", "data").error, 0);
  ASSERT_EQ(::mkdir((mp + "/later-dir").c_str(), 0755), 0) << std::strerror(errno);
  struct stat st {};
  EXPECT_EQ(StatErrno(mp + "/later", &st), 0);
  EXPECT_EQ(st.st_size, 4);
  EXPECT_EQ(StatErrno(mp + "/later-dir"), 0);
  DropKernelCaches();
  EXPECT_EQ(StatErrno(mp + "/later", &st), 0);
  EXPECT_EQ(st.st_size, 4);
  EXPECT_EQ(StatErrno(mp + "/later-dir"), 0);
}

// A directory made through the mount is known empty, and the mount's own creates in it keep
// that knowledge: the lookup of each new name (the kernel's, before a create) asks no master.
TEST_F(FuseMetadataTest, NewNamesInADirectoryTheMountMadeAreLookedUpWithoutTheMaster) {
  const std::string mp = MountWithCache("mnt");
  ASSERT_EQ(::mkdir((mp + "/made").c_str(), 0755), 0) << std::strerror(errno);
  cluster_->SignalMaster(SIGSTOP);
  EXPECT_EQ(StatErrno(mp + "/made/first"), ENOENT);
  cluster_->SignalMaster(SIGCONT);
  const int fd = ::open((mp + "/made/first").c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
  ASSERT_GE(fd, 0) << std::strerror(errno);
  EXPECT_EQ(::write(fd, "data", 4), 4);
  EXPECT_EQ(::close(fd), 0) << std::strerror(errno);
  cluster_->SignalMaster(SIGSTOP);
  EXPECT_EQ(StatErrno(mp + "/made/second"), ENOENT);
  cluster_->SignalMaster(SIGCONT);
  struct stat st {};
  DropKernelCaches();
  EXPECT_EQ(StatErrno(mp + "/made/first", &st), 0);
  EXPECT_EQ(st.st_size, 4);
  CommandResult listed = RunShell("ls \"$MNT/made\"", {{"MNT", mp}});
  EXPECT_EQ(listed.out, "first\n");
}

// Another client's create shows once the metadata cache's expiration passed: the kernel keeps a
// missing name no longer than the client cache does (not for entry_timeout).
TEST_F(FuseMetadataTest, AnotherClientsCreateShowsAfterTheCacheExpiration) {
  const std::string mp = MountWithCache("mnt", "2s");
  const std::string other = MountPoint("other");
  ASSERT_EQ(fuse_->Mount(other).exit_code, 0);
  ASSERT_EQ(StatErrno(mp + "/elsewhere"), ENOENT);
  ASSERT_EQ(WriteWhole(other + "/elsewhere", "abc").error, 0);
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (StatErrno(mp + "/elsewhere") == ENOENT && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(100ms);
  }
  struct stat st {};
  EXPECT_EQ(StatErrno(mp + "/elsewhere", &st), 0);
  EXPECT_EQ(st.st_size, 3);
}

// A file another client removes stays in this mount's kernel (entry_timeout 600 s) and client
// cache (10 min) until a listing of its directory through this mount shows it gone.
TEST_F(FuseMetadataTest, AnotherClientsRemoveShowsAfterAListing) {
  const std::string mp = MountWithCache("mnt");
  const std::string other = MountPoint("other");
  ASSERT_EQ(fuse_->Mount(other).exit_code, 0);
  ASSERT_EQ(::mkdir((mp + "/d").c_str(), 0755), 0) << std::strerror(errno);
  ASSERT_EQ(WriteWhole(mp + "/d/kept", "abc").error, 0);
  ASSERT_EQ(WriteWhole(mp + "/d/removed", "abc").error, 0);
  ASSERT_EQ(StatErrno(mp + "/d/removed"), 0);
  ASSERT_EQ(::unlink((other + "/d/removed").c_str()), 0) << std::strerror(errno);
  EXPECT_EQ(StatErrno(mp + "/d/removed"), 0) << "the kernel keeps the name";

  std::vector<std::string> listed;
  for (const auto& entry : std::filesystem::directory_iterator(mp + "/d")) {
    listed.push_back(entry.path().filename());
  }
  EXPECT_EQ(listed, std::vector<std::string>{"kept"});
  // The kernel's entry is dropped by a notification that follows the listing's last reply.
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (StatErrno(mp + "/d/removed") == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(StatErrno(mp + "/d/removed"), ENOENT);
  EXPECT_EQ(StatErrno(mp + "/d/kept"), 0);
}

}  // namespace
}  // namespace alluxio::testing
