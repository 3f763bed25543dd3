// A real kernel mount (FuseSession) of AlluxioFileSystem against the in-process master and
// worker of tests/client/test_cluster.h: a file the worker on this host caches whole, of any
// number of blocks, is read by the kernel from the worker's cache file (FUSE passthrough); a
// file with a block missing is read through the server. A new file is written by the kernel
// into the worker's cache file (in place), also at random offsets and through a mapping; a
// file the tier cannot hold fails at close with ENOSPC and leaves nothing; without a worker on
// this host the file is written through the server. Needs root, /dev/fuse and a kernel
// that agrees to FUSE_PASSTHROUGH (skipped otherwise). Stops and unmounts what it mounted, also
// when a test fails.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
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
  virtual testing::TestClusterOptions ClusterOptions() const { return {}; }
  // Called on the mount's configuration before the client context is made.
  virtual void ConfigureConf(Configuration& conf) const { (void)conf; }
  // Called on the mount's client context before the file system is made.
  virtual void Configure(client::ClientContext& context) const { (void)context; }

  void SetUp() override {
    if (!testing::CanMount()) GTEST_SKIP() << "mounting needs root and /dev/fuse";
    cluster_ptr_ = std::make_unique<testing::TestCluster>(ClusterOptions());
    ASSERT_TRUE(cluster().ok()) << cluster().error();
    ASSERT_EQ(::mkdir(mount_point_.c_str(), 0755), 0) << std::strerror(errno);
    pool_ = std::make_unique<ReactorPool>(ReactorPoolOptions{.reactors = 2, .name = "fs"});
    Configuration conf = cluster().ClientConf();
    ASSERT_TRUE(conf.Set(PropertyKey::kUserBlockSizeBytesDefault, "1MB").ok());
    ConfigureConf(conf);
    auto context = client::ClientContext::Create(conf);
    ASSERT_TRUE(context.ok()) << context.error().ToString();
    Configure(**context);
    fs::AlluxioFileSystemOptions fs_options;
    fs_options.uid = ::geteuid();
    fs_options.gid = ::getegid();
    fs_options.write_in_place = true;
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
    cluster_ptr_.reset();
  }

  std::string Path(const std::string& name) const { return mount_point_ + "/" + name; }
  const PassthroughFiles& passthrough() const { return session_->dispatcher().passthrough(); }
  uint64_t reads() const {
    return session_->dispatcher().counters().by_opcode[static_cast<size_t>(abi::Opcode::kRead)];
  }
  uint64_t writes() const {
    return session_->dispatcher().counters().by_opcode[static_cast<size_t>(abi::Opcode::kWrite)];
  }
  std::string Ufs(const std::string& name) const { return cluster().ufs_root() + "/" + name; }
  // Names in the worker's MEM directory other than its own (.blocks, .lock): cache files.
  std::vector<std::string> CacheFiles() const {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(cluster().work_dir() + "/cache")) {
      const std::string name = e.path().filename();
      if (!name.starts_with(".")) names.push_back(name);
    }
    return names;
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

  testing::TestCluster& cluster() const { return *cluster_ptr_; }

  std::unique_ptr<testing::TestCluster> cluster_ptr_;
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
  ASSERT_EQ(cluster().store().ListBlocks().size(), 4u);

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
  std::vector<BlockInfo> blocks = cluster().store().ListBlocks();
  ASSERT_EQ(blocks.size(), 4u);
  std::sort(blocks.begin(), blocks.end(),
            [](const BlockInfo& a, const BlockInfo& b) { return a.offset < b.offset; });
  // Freed between two opens (alluxio fs free of one block, or its eviction).
  ASSERT_TRUE(cluster().store().RemoveBlock(blocks[2].block_id).ok());

  const uint64_t opens = passthrough().passthrough_opens();
  const uint64_t before = reads();
  EXPECT_TRUE(testing::ReadLocal(Path("partial")) == data);
  EXPECT_EQ(passthrough().passthrough_opens(), opens);
  EXPECT_GT(reads(), before);
  ASSERT_NO_FATAL_FAILURE(WaitReleased());
}

TEST_F(MountPassthroughTest, ANewFileIsWrittenByTheKernelIntoTheWorkersCacheFile) {
  const std::string data = testing::RandomBytes((7 << 20) / 2, 5);  // four blocks of 1 MiB
  const uint64_t opened = passthrough().backing_files_opened();
  const uint64_t before = writes();
  const int fd = ::open(Path("new").c_str(), O_CREAT | O_WRONLY | O_EXCL, 0644);
  ASSERT_GE(fd, 0) << std::strerror(errno);
  EXPECT_EQ(passthrough().backing_files_opened(), opened + 1);
  ASSERT_EQ(::write(fd, data.data(), 3 << 20), 3 << 20);
  struct stat st {};
  ASSERT_EQ(::stat(Path("new").c_str(), &st), 0) << std::strerror(errno);
  EXPECT_EQ(st.st_size, 3 << 20) << "GETATTR of a file written in place: its cache file's size";
  ASSERT_EQ(::write(fd, data.data() + (3 << 20), data.size() - (3 << 20)),
            static_cast<ssize_t>(data.size() - (3 << 20)));
  ASSERT_EQ(::close(fd), 0) << std::strerror(errno);
  EXPECT_EQ(writes(), before) << "the kernel writes the cache file: no WRITE reaches the server";
  ASSERT_NO_FATAL_FAILURE(WaitReleased());

  std::vector<BlockInfo> blocks = cluster().store().ListBlocks();
  ASSERT_EQ(blocks.size(), 4u);
  for (const BlockInfo& block : blocks) EXPECT_EQ(block.path, blocks[0].path);
  EXPECT_EQ(cluster().store().Usage()[0].reserved_bytes, 0u);
  EXPECT_TRUE(testing::ReadLocal(Ufs("new")) == data) << "CACHE_THROUGH: the UFS copy";
  EXPECT_TRUE(testing::ReadLocal(blocks[0].path) == data);
  EXPECT_TRUE(testing::ReadLocal(Path("new")) == data);
  ASSERT_NO_FATAL_FAILURE(WaitReleased());
}

TEST_F(MountPassthroughTest, AFileWrittenInPlaceTakesRandomWritesTruncationAndAMapping) {
  const uint64_t before = writes();
  const int fd = ::open(Path("random").c_str(), O_CREAT | O_RDWR | O_EXCL, 0644);
  ASSERT_GE(fd, 0) << std::strerror(errno);
  std::string model(3 << 20, '\0');
  const std::string b(1 << 20, 'b');
  ASSERT_EQ(::pwrite(fd, b.data(), b.size(), 2 << 20), static_cast<ssize_t>(b.size()));
  model.replace(2 << 20, b.size(), b);
  const std::string a(4096, 'a');
  ASSERT_EQ(::pwrite(fd, a.data(), a.size(), 100), static_cast<ssize_t>(a.size()));
  model.replace(100, a.size(), a);
  std::string back(a.size(), '\0');
  ASSERT_EQ(::pread(fd, back.data(), back.size(), 100), static_cast<ssize_t>(back.size()));
  EXPECT_EQ(back, a) << "a read of the writing handle";
  ASSERT_EQ(::ftruncate(fd, (5 << 20) / 2), 0) << std::strerror(errno);
  model.resize((5 << 20) / 2);
  struct stat st {};
  ASSERT_EQ(::fstat(fd, &st), 0);
  EXPECT_EQ(st.st_size, (5 << 20) / 2);
  void* map = ::mmap(nullptr, model.size(), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  ASSERT_NE(map, MAP_FAILED) << std::strerror(errno);
  std::memcpy(static_cast<char*>(map) + 8192, "mapped", 6);
  model.replace(8192, 6, "mapped");
  ASSERT_EQ(::munmap(map, model.size()), 0);
  ASSERT_EQ(::close(fd), 0) << std::strerror(errno);
  EXPECT_EQ(writes(), before);
  ASSERT_NO_FATAL_FAILURE(WaitReleased());
  EXPECT_TRUE(testing::ReadLocal(Ufs("random")) == model);
  EXPECT_TRUE(testing::ReadLocal(Path("random")) == model);
  ASSERT_NO_FATAL_FAILURE(WaitReleased());
}

class MountSmallCacheTest : public MountPassthroughTest {
 protected:
  testing::TestClusterOptions ClusterOptions() const override {
    testing::TestClusterOptions options;
    options.worker_capacity_bytes = 4 << 20;
    return options;
  }
};

TEST_F(MountSmallCacheTest, ACacheThroughFileTheTierCannotHoldIsCompletedUncached) {
  const std::string data = testing::RandomBytes(6 << 20, 9);
  const uint64_t before = writes();
  ASSERT_NO_FATAL_FAILURE(WriteThroughMount("uncached", data));
  EXPECT_EQ(writes(), before);
  EXPECT_TRUE(cluster().store().ListBlocks().empty());
  EXPECT_EQ(cluster().store().Usage()[0].reserved_bytes, 0u);
  EXPECT_TRUE(CacheFiles().empty());
  EXPECT_TRUE(testing::ReadLocal(Ufs("uncached")) == data);
  EXPECT_TRUE(testing::ReadLocal(Path("uncached")) == data);
  ASSERT_NO_FATAL_FAILURE(WaitReleased());
}

class MountSmallMustCacheTest : public MountSmallCacheTest {
 protected:
  void ConfigureConf(Configuration& conf) const override {
    ASSERT_TRUE(conf.Set(PropertyKey::kUserFileWriteTypeDefault, "MUST_CACHE").ok());
  }
};

TEST_F(MountSmallMustCacheTest, AFileTheTierCannotHoldFailsAtCloseWithEnospcAndLeavesNothing) {
  const std::string data = testing::RandomBytes(6 << 20, 6);
  const int fd = ::open(Path("big").c_str(), O_CREAT | O_WRONLY | O_EXCL, 0644);
  ASSERT_GE(fd, 0) << std::strerror(errno);
  const ssize_t n = ::write(fd, data.data(), data.size());
  const int write_error = n < 0 ? errno : 0;
  const int closed = ::close(fd);
  const int close_error = closed != 0 ? errno : 0;
  EXPECT_TRUE(write_error == ENOSPC || close_error == ENOSPC)
      << "write: " << std::strerror(write_error) << ", close: " << std::strerror(close_error);
  ASSERT_NO_FATAL_FAILURE(WaitReleased());
  struct stat st {};
  EXPECT_EQ(::stat(Path("big").c_str(), &st), -1);
  EXPECT_EQ(errno, ENOENT);
  EXPECT_TRUE(cluster().store().ListBlocks().empty());
  EXPECT_EQ(cluster().store().Usage()[0].reserved_bytes, 0u);
  EXPECT_TRUE(CacheFiles().empty());
}

class MountWithoutLocalWorkerTest : public MountPassthroughTest {
 protected:
  void Configure(client::ClientContext& context) const override {
    context.set_locality(HostLocality("another-host", "another-host", {}));
  }
};

TEST_F(MountWithoutLocalWorkerTest, ANewFileIsWrittenThroughTheServer) {
  const std::string data = testing::RandomBytes((3 << 20) + 5, 7);
  const uint64_t opened = passthrough().backing_files_opened();
  const uint64_t before = writes();
  ASSERT_NO_FATAL_FAILURE(WriteThroughMount("remote", data));
  EXPECT_GT(writes(), before);
  EXPECT_EQ(passthrough().backing_files_opened(), opened);
  EXPECT_TRUE(testing::ReadLocal(Ufs("remote")) == data);
  EXPECT_TRUE(testing::ReadLocal(Path("remote")) == data);
  ASSERT_NO_FATAL_FAILURE(WaitReleased());
}

}  // namespace
}  // namespace alluxio::fuse
