// A real kernel mount (FuseSession) of AlluxioFileSystem against the in-process master and
// worker of tests/client/test_cluster.h: a file the worker on this host caches whole, of any
// number of blocks, is read by the kernel from the worker's cache file (FUSE passthrough); a
// file with a block missing is read through the server. Needs root, /dev/fuse and a kernel
// that agrees to FUSE_PASSTHROUGH (skipped otherwise). Stops and unmounts what it mounted, also
// when a test fails.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "core/fs/alluxio_file_system.h"
#include "core/fuse/fuse_mount.h"
#include "core/fuse/fuse_session.h"
#include "tests/client/test_cluster.h"
#include "tests/e2e/whole_files.h"
#include "tests/util/temp_dir.h"

namespace alluxio::fuse {
namespace {

using namespace std::chrono_literals;

class MountPassthroughTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::CanMount()) GTEST_SKIP() << "mounting needs root and /dev/fuse";
    ASSERT_TRUE(cluster_.ok()) << cluster_.error();
    ASSERT_EQ(::mkdir(mount_point_.c_str(), 0755), 0) << std::strerror(errno);
    pool_ = std::make_unique<ReactorPool>(ReactorPoolOptions{.reactors = 2, .name = "fs"});
    Configuration conf = cluster_.ClientConf();
    ASSERT_TRUE(conf.Set(PropertyKey::kUserBlockSizeBytesDefault, "1MB").ok());
    auto context = client::ClientContext::Create(conf);
    ASSERT_TRUE(context.ok()) << context.error().ToString();
    fs::AlluxioFileSystemOptions fs_options;
    fs_options.uid = ::geteuid();
    fs_options.gid = ::getegid();
    fs_ = std::make_unique<fs::AlluxioFileSystem>(*context, *pool_, std::move(fs_options));
    FuseSessionOptions options;
    options.mount.mount_point = mount_point_;
    options.drain_timeout = 200ms;
    options.fuse.passthrough = true;
    auto session = FuseSession::Start(*pool_, *fs_, std::move(options));
    ASSERT_TRUE(session.ok()) << session.error().ToString();
    session_ = std::move(session).value();
    struct stat st {};
    ASSERT_EQ(::stat(mount_point_.c_str(), &st), 0) << std::strerror(errno);  // INIT done
    if ((session_->dispatcher().negotiated_flags() & abi::kPassthrough) == 0) {
      GTEST_SKIP() << "the kernel did not agree to FUSE_PASSTHROUGH";
    }
  }

  void TearDown() override {
    if (session_) session_->Stop();
    session_.reset();
    if (IsFuseMountPoint(mount_point_)) (void)UnmountPath(mount_point_, /*lazy=*/true);
    if (fs_) fs_->Shutdown();
    fs_.reset();
    if (pool_) pool_->Stop();
  }

  std::string Path(const std::string& name) const { return mount_point_ + "/" + name; }
  const PassthroughFiles& passthrough() const { return session_->dispatcher().passthrough(); }
  uint64_t reads() const {
    return session_->dispatcher().counters().by_opcode[static_cast<size_t>(abi::Opcode::kRead)];
  }
  // The kernel sends RELEASE after close(2) returns: waits until the server has seen them all.
  void WaitReleased() const {
    for (int i = 0; i < 1000 && passthrough().tracked_handles() > 0; ++i) {
      std::this_thread::sleep_for(5ms);
    }
    ASSERT_EQ(passthrough().tracked_handles(), 0u);
  }
  void WriteThroughMount(const std::string& name, const std::string& data) {
    const int fd = ::open(Path(name).c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0644);
    ASSERT_GE(fd, 0) << std::strerror(errno);
    ASSERT_EQ(::write(fd, data.data(), data.size()), static_cast<ssize_t>(data.size()));
    ASSERT_EQ(::close(fd), 0) << std::strerror(errno);
    ASSERT_NO_FATAL_FAILURE(WaitReleased());
  }

  testing::TestCluster cluster_;
  testing::TempDir dir_;
  const std::string mount_point_ = dir_.Sub("mnt");
  std::unique_ptr<ReactorPool> pool_;
  std::unique_ptr<fs::AlluxioFileSystem> fs_;
  std::unique_ptr<FuseSession> session_;
};

TEST_F(MountPassthroughTest, AFileOfSeveralBlocksCachedWholeIsReadByTheKernel) {
  const std::string data =
      testing::RandomBytes((7 << 20) / 2, 3);  // four blocks of 1 MiB, the last half
  ASSERT_NO_FATAL_FAILURE(WriteThroughMount("multi", data));
  ASSERT_EQ(cluster_.store().ListBlocks().size(), 4u);

  const uint64_t opens = passthrough().passthrough_opens();
  const uint64_t before = reads();
  EXPECT_TRUE(testing::ReadLocal(Path("multi")) == data);
  EXPECT_EQ(passthrough().passthrough_opens(), opens + 1);
  EXPECT_EQ(reads(), before) << "passthrough reads must not reach the server";
  ASSERT_NO_FATAL_FAILURE(WaitReleased());
}

TEST_F(MountPassthroughTest, AFileWithABlockMissingIsReadThroughTheServer) {
  const std::string data = testing::RandomBytes((7 << 20) / 2, 4);
  ASSERT_NO_FATAL_FAILURE(WriteThroughMount("partial", data));
  std::vector<BlockInfo> blocks = cluster_.store().ListBlocks();
  ASSERT_EQ(blocks.size(), 4u);
  std::sort(blocks.begin(), blocks.end(),
            [](const BlockInfo& a, const BlockInfo& b) { return a.offset < b.offset; });
  // Freed between two opens (alluxio fs free of one block, or its eviction).
  ASSERT_TRUE(cluster_.store().RemoveBlock(blocks[2].block_id).ok());

  const uint64_t opens = passthrough().passthrough_opens();
  const uint64_t before = reads();
  EXPECT_TRUE(testing::ReadLocal(Path("partial")) == data);
  EXPECT_EQ(passthrough().passthrough_opens(), opens);
  EXPECT_GT(reads(), before);
  ASSERT_NO_FATAL_FAILURE(WaitReleased());
}

}  // namespace
}  // namespace alluxio::fuse
