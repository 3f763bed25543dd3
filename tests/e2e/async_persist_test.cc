// ASYNC_THROUGH on a real mount (issue 18, deliverable 3): close returns once the blocks are
// cached, before the under storage holds the file; `alluxio fs stat` shows TO_BE_PERSISTED,
// then PERSISTED once the worker wrote the UFS copy. The persist is held back by
// alluxio.user.file.persistence.initial.wait.time (an hour) so that each step is observed
// deterministically; a master restart (pending persists are due at once after it) or
// `alluxio fs persist` releases it. Needs root and /dev/fuse.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include <gtest/gtest.h>

#include "tests/e2e/fuse_harness.h"
#include "tests/e2e/mounted_cluster_test.h"
#include "tests/e2e/whole_files.h"
#include "tests/util/temp_dir.h"

namespace alluxio::testing {
namespace {

using namespace std::chrono_literals;

class AsyncPersistTest : public MountedClusterTest {
 protected:
  std::map<std::string, std::string> Properties() override {
    // Blocks of 1 MB in the 64 MB cache (ClusterProcesses): eviction works block by block.
    // UFS faults on command (docs/fault_injection.md), none to start with.
    return {{"alluxio.user.file.writetype.default", "ASYNC_THROUGH"},
            {"alluxio.user.file.persistence.initial.wait.time", "1h"},
            {"alluxio.user.block.size.bytes.default", "1MB"},
            {"alluxio.underfs.fault.injection.file", ufs_faults_},
            {"alluxio.rpc.fault.injection.file", rpc_faults_}};
  }

  void SetUp() override {
    MountedClusterTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    mp_ = MountPoint("mnt");
    CommandResult mounted = fuse_->Mount(mp_, "", "attr_timeout=0,entry_timeout=0");
    ASSERT_EQ(mounted.exit_code, 0) << mounted.err;
  }

  // `alluxio fs <args...>` of this cluster, with `defines` added.
  CommandResult Fs(const std::vector<std::string>& args,
                   const std::vector<std::string>& defines = {}) const {
    std::vector<std::string> argv{ALLUXIO_BINARY};
    for (const std::string& define : cluster_->DefineArgs()) argv.push_back(define);
    argv.insert(argv.end(), defines.begin(), defines.end());
    argv.push_back("fs");
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv);
  }

  // The persistence state `alluxio fs stat` shows ("" if it fails).
  std::string PersistenceState(const std::string& path) const {
    CommandResult stat = Fs({"stat", path});
    if (stat.exit_code != 0) return "";
    const std::string key = "persistenceState=";
    size_t at = stat.out.find(key);
    if (at == std::string::npos) return "";
    at += key.size();
    return stat.out.substr(at, stat.out.find_first_of(",}", at) - at);
  }

  // Polls until `path` is PERSISTED, for at most two minutes (a bound, not an expectation).
  bool AwaitPersisted(const std::string& path) const {
    for (auto waited = 0ms; waited < 120s; waited += 200ms) {
      if (PersistenceState(path) == "PERSISTED") return true;
      std::this_thread::sleep_for(200ms);
    }
    return false;
  }

  std::string Ufs(const std::string& relative) const { return cluster_->UfsRoot() + relative; }

  // Replaces the fault commands of `control` (read by every process within 100 ms).
  static void Faults(const std::string& control, const std::string& text) {
    std::ofstream(control + ".tmp", std::ios::trunc) << text;
    std::filesystem::rename(control + ".tmp", control);
  }
  void UfsFaults(const std::string& text) const { Faults(ufs_faults_, text); }

  // Polls until the worker's cache directory (<home>/mem/<data folder>) holds no cache file (a
  // file's bytes, kept while any block of it is committed or pinned), for at most two minutes.
  bool AwaitNoCacheFiles() const {
    for (auto waited = 0ms; waited < 120s; waited += 100ms) {
      bool none = true;
      for (const auto& e :
           std::filesystem::recursive_directory_iterator(cluster_->home() + "/mem")) {
        const std::string name = e.path().filename().string();
        const bool record = e.path().parent_path().filename() == ".blocks";
        if (e.is_regular_file() && !record && !name.empty() && name[0] != '.') none = false;
      }
      if (none) return true;
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }

  // Polls until the worker's cache holds no committed block (no block record under its
  // directory, ClusterProcesses' <home>/mem), for at most two minutes.
  bool AwaitCacheEmpty() const {
    for (auto waited = 0ms; waited < 120s; waited += 100ms) {
      bool empty = true;
      for (const auto& e :
           std::filesystem::recursive_directory_iterator(cluster_->home() + "/mem")) {
        if (e.is_regular_file() && e.path().parent_path().filename() == ".blocks") empty = false;
      }
      if (empty) return true;
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }

  // Polls the master's output for `text`, for at most two minutes.
  bool AwaitMasterLog(const std::string& text) const {
    for (auto waited = 0ms; waited < 120s; waited += 200ms) {
      if (ReadLocal(cluster_->home() + "/master.out").find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(200ms);
    }
    return false;
  }

  // Writes an 8 MiB file, runs `between` (a restart), then 96 MiB of CACHE_THROUGH files into
  // the worker's 64 MB cache (ClusterProcesses), which evict everything they can: the file
  // must still be read from the worker (the UFS has no copy) and persist with its bytes.
  void ExpectSurvivesEviction(const std::function<void()>& between) {
    const std::string pinned = RandomBytes(8 * kMiB, 2);
    ASSERT_EQ(WriteWhole(mp_ + "/pinned", pinned).error, 0);
    between();
    const std::string filler_path = dirs_.path() + "/filler";
    {
      std::ofstream out(filler_path, std::ios::binary);
      out << RandomBytes(16 * kMiB, 3);
    }
    for (int i = 0; i < 6; ++i) {
      CommandResult copied = Fs({"copyFromLocal", filler_path, "/filler" + std::to_string(i)},
                                {"-Dalluxio.user.file.writetype.default=CACHE_THROUGH"});
      ASSERT_EQ(copied.exit_code, 0) << copied.err;
    }
    EXPECT_EQ(PersistenceState("/pinned"), "TO_BE_PERSISTED");
    CommandResult cat = Fs({"cat", "/pinned"});
    ASSERT_EQ(cat.exit_code, 0) << cat.err;
    EXPECT_TRUE(cat.out == pinned);

    CommandResult persisted = Fs({"persist", "/pinned"});
    ASSERT_EQ(persisted.exit_code, 0) << persisted.err;
    EXPECT_EQ(persisted.out, "persisted file /pinned with size " + std::to_string(8 * kMiB) + "\n");
    EXPECT_EQ(PersistenceState("/pinned"), "PERSISTED");
    EXPECT_TRUE(ReadLocal(Ufs("/pinned")) == pinned);
  }

  TempDir control_;
  const std::string ufs_faults_ = control_.path() + "/ufs-faults";
  const std::string rpc_faults_ = control_.path() + "/rpc-faults";
  std::string mp_;
};

TEST_F(AsyncPersistTest, CloseReturnsBeforeTheUfsHoldsItAndAMasterRestartStillPersists) {
  const std::string data = RandomBytes(3 * kMiB + 17, 1);
  WriteOutcome written = WriteWhole(mp_ + "/a", data);
  ASSERT_EQ(written.error, 0) << written.step;
  EXPECT_FALSE(std::filesystem::exists(Ufs("/a")));
  EXPECT_EQ(PersistenceState("/a"), "TO_BE_PERSISTED");
  CommandResult ls = Fs({"ls", "/"});
  EXPECT_NE(ls.out.find("TO_BE_PERSISTED"), std::string::npos) << ls.out;
  ReadOutcome back = ReadWhole(mp_ + "/a");  // complete: readable from the cache
  EXPECT_EQ(back.error, 0);
  EXPECT_TRUE(back.data == data);

  // The new master finds the pending persist in its store and schedules it at once.
  cluster_->KillMaster(SIGKILL);
  ASSERT_TRUE(cluster_->StartMaster());
  ASSERT_TRUE(AwaitPersisted("/a")) << PersistenceState("/a");
  EXPECT_TRUE(ReadLocal(Ufs("/a")) == data);
}

TEST_F(AsyncPersistTest, EvictionPressureNeverDropsAnUnpersistedFile) {
  ExpectSurvivesEviction([] {});
}

// The restarted worker pins the blocks the master names at registration.
TEST_F(AsyncPersistTest, EvictionAfterAWorkerRestartNeverDropsAnUnpersistedFile) {
  ExpectSurvivesEviction([this] {
    cluster_->KillWorker(SIGKILL);
    ASSERT_TRUE(cluster_->StartWorker());
  });
}

TEST_F(AsyncPersistTest, ARenamedFileIsPersistedAtItsNewPathAndARemovedOneNowhere) {
  std::filesystem::create_directory(mp_ + "/d");
  const std::string data = RandomBytes(kMiB + 5, 4);
  ASSERT_EQ(WriteWhole(mp_ + "/d/x", data).error, 0);
  ASSERT_EQ(WriteWhole(mp_ + "/d/gone", data).error, 0);
  std::filesystem::rename(mp_ + "/d/x", mp_ + "/y");
  std::filesystem::remove(mp_ + "/d/gone");
  CommandResult persisted = Fs({"persist", "/y"});
  ASSERT_EQ(persisted.exit_code, 0) << persisted.err;
  EXPECT_TRUE(ReadLocal(Ufs("/y")) == data);
  EXPECT_FALSE(std::filesystem::exists(Ufs("/d/x")));
  // The removed file's persist, pending until the restart made it due, never lands.
  cluster_->KillMaster(SIGKILL);
  ASSERT_TRUE(cluster_->StartMaster());
  CommandResult gone = Fs({"stat", "/d/gone"});
  EXPECT_NE(gone.exit_code, 0);
  EXPECT_TRUE(std::filesystem::is_empty(Ufs("/d")));
}

// A mount with the client metadata cache read the file while it was TO_BE_PERSISTED; persisted
// and freed since, it is read from the under storage, not refused as "not persisted".
TEST_F(AsyncPersistTest, ACachingReaderFindsAFilePersistedAndFreedSince) {
  const std::string reader = MountPoint("cached");
  CommandResult mounted =
      fuse_->Mount(reader, "", "direct_io,alluxio.user.metadata.cache.enabled=true");
  ASSERT_EQ(mounted.exit_code, 0) << mounted.err;
  const std::string data = RandomBytes(2 * kMiB + 3, 6);
  ASSERT_EQ(WriteWhole(mp_ + "/f", data).error, 0);
  ReadOutcome first = ReadWhole(reader + "/f");
  ASSERT_EQ(first.error, 0);
  EXPECT_TRUE(first.data == data);
  CommandResult persisted = Fs({"persist", "/f"});
  ASSERT_EQ(persisted.exit_code, 0) << persisted.err;
  CommandResult freed = Fs({"free", "/f"});
  ASSERT_EQ(freed.exit_code, 0) << freed.err;
  ASSERT_TRUE(AwaitCacheEmpty());  // the worker removes them at its next heartbeat
  ReadOutcome again = ReadWhole(reader + "/f");
  EXPECT_EQ(again.error, 0) << std::strerror(again.error);
  EXPECT_TRUE(again.data == data);
}

// A persist the under storage refuses is logged by the master and retried with backoff; the
// file stays TO_BE_PERSISTED (and readable) meanwhile, and persists once the UFS takes it.
TEST_F(AsyncPersistTest, AFailedPersistIsLoggedAndRetried) {
  const std::string data = RandomBytes(kMiB + 9, 7);
  ASSERT_EQ(WriteWhole(mp_ + "/f", data).error, 0);
  UfsFaults("fail CreateStaged kIoError\n");
  cluster_->KillMaster(SIGKILL);
  ASSERT_TRUE(cluster_->StartMaster());  // the persist is due at once
  ASSERT_TRUE(AwaitMasterLog("persisting file"));
  EXPECT_EQ(PersistenceState("/f"), "TO_BE_PERSISTED");
  EXPECT_FALSE(std::filesystem::exists(Ufs("/f")));
  ReadOutcome back = ReadWhole(mp_ + "/f");
  EXPECT_EQ(back.error, 0);
  EXPECT_TRUE(back.data == data);
  UfsFaults("");
  ASSERT_TRUE(AwaitPersisted("/f")) << PersistenceState("/f");
  EXPECT_TRUE(ReadLocal(Ufs("/f")) == data);
}

// A reader that opened the file while it was TO_BE_PERSISTED reads on from the under storage
// once it was persisted and its blocks evicted.
TEST_F(AsyncPersistTest, AReaderOpenAcrossThePersistAndAnEvictionReadsOn) {
  const std::string reader = MountPoint("direct");
  ASSERT_EQ(fuse_->Mount(reader, "", "direct_io").exit_code, 0);
  const std::string data = RandomBytes(2 * kMiB, 8);
  ASSERT_EQ(WriteWhole(mp_ + "/f", data).error, 0);
  int fd = ::open((reader + "/f").c_str(), O_RDONLY);
  ASSERT_GE(fd, 0) << std::strerror(errno);
  std::string got(data.size(), '\0');
  ASSERT_EQ(::pread(fd, got.data(), kMiB, 0), static_cast<ssize_t>(kMiB));
  CommandResult persisted = Fs({"persist", "/f"});
  EXPECT_EQ(persisted.exit_code, 0) << persisted.err;
  CommandResult freed = Fs({"free", "/f"});
  EXPECT_EQ(freed.exit_code, 0) << freed.err;
  EXPECT_TRUE(AwaitCacheEmpty());
  ssize_t n = ::pread(fd, got.data() + kMiB, kMiB, kMiB);
  int error = n < 0 ? errno : 0;
  ::close(fd);
  EXPECT_EQ(n, static_cast<ssize_t>(kMiB)) << std::strerror(error);
  EXPECT_TRUE(got == data);
}

TEST_F(AsyncPersistTest, PersistOfADirectoryPersistsEveryFileUnderIt) {
  std::filesystem::create_directories(mp_ + "/tree/sub");
  const std::string a = RandomBytes(1000, 9), b = RandomBytes(kMiB + 1, 10);
  ASSERT_EQ(WriteWhole(mp_ + "/tree/a", a).error, 0);
  ASSERT_EQ(WriteWhole(mp_ + "/tree/sub/b", b).error, 0);
  CommandResult persisted = Fs({"persist", "/tree"});
  ASSERT_EQ(persisted.exit_code, 0) << persisted.err;
  EXPECT_EQ(persisted.out,
            "persisted file /tree/a with size 1000\npersisted file /tree/sub/b with size " +
                std::to_string(kMiB + 1) + "\n");
  EXPECT_TRUE(ReadLocal(Ufs("/tree/a")) == a);
  EXPECT_TRUE(ReadLocal(Ufs("/tree/sub/b")) == b);
}

// A writer whose completion fails after the worker finished (and pinned) the file gives the
// file up: the worker drops its blocks and their pins, so their space is free again.
TEST_F(AsyncPersistTest, AFailedCompletionReleasesThePins) {
  const std::string impatient = MountPoint("impatient");  // gives a failing call up after 3 s
  ASSERT_EQ(fuse_->Mount(impatient, "", "alluxio.user.rpc.retry.max.duration=3s").exit_code, 0);
  Faults(rpc_faults_, "fail completeFile 1000\n");
  std::this_thread::sleep_for(150ms);  // the master reads the control file within 100 ms
  const WriteOutcome written = WriteWhole(impatient + "/f", RandomBytes(2 * kMiB, 11));
  EXPECT_EQ(written.error, EIO) << written.step;
  Faults(rpc_faults_, "clear\n");
  EXPECT_TRUE(AwaitNoCacheFiles());
}

TEST_F(AsyncPersistTest, APerMountWriteTypeOverridesTheDefault) {
  const std::string other = MountPoint("cache-through");
  CommandResult mounted =
      fuse_->Mount(other, "", "alluxio.user.file.writetype.default=CACHE_THROUGH");
  ASSERT_EQ(mounted.exit_code, 0) << mounted.err;
  const std::string data = RandomBytes(kMiB, 5);
  ASSERT_EQ(WriteWhole(other + "/through", data).error, 0);
  EXPECT_EQ(PersistenceState("/through"), "PERSISTED");
  EXPECT_TRUE(ReadLocal(Ufs("/through")) == data);
}

}  // namespace
}  // namespace alluxio::testing
