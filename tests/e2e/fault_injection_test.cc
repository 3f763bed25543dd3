// Injected faults on a real mount (docs/fault_injection.md): the under storage fills up during
// a write or fails a cold read, and master and worker RPCs fail, through the control files of
// alluxio.underfs.fault.injection.file and alluxio.rpc.fault.injection.file, changed while the
// cluster and the mount serve. The mount reports each fault with the errno SEMANTICS.md states,
// never leaves a partial file or returns wrong bytes, and serves normally once the fault is
// cleared, without a remount. Needs root and /dev/fuse.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/cluster/cluster_processes.h"
#include "tests/e2e/fuse_harness.h"
#include "tests/e2e/whole_files.h"
#include "tests/util/files_below.h"
#include "tests/util/temp_dir.h"

namespace alluxio::testing {
namespace {

using namespace std::chrono_literals;

// Lines of `log` that contain `what`.
int LinesWith(const std::string& log, std::string_view what) {
  std::istringstream in(ReadLocal(log));
  int n = 0;
  for (std::string line; std::getline(in, line);) n += line.find(what) != std::string::npos;
  return n;
}

// What a server logs for each RPC fault it injects.
constexpr std::string_view kInjectedRpcFault = "injected RPC fault on";

class FaultInjectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!CanMount()) GTEST_SKIP() << "needs root and /dev/fuse";
    ufs_faults_ = control_.path() + "/ufs-faults";
    rpc_faults_ = control_.path() + "/rpc-faults";
    cluster_ = std::make_unique<ClusterProcesses>(
        std::map<std::string, std::string>{{"alluxio.underfs.fault.injection.file", ufs_faults_},
                                           {"alluxio.rpc.fault.injection.file", rpc_faults_},
                                           {"alluxio.user.rpc.retry.max.duration", "3s"}});
    ASSERT_TRUE(cluster_->StartMaster());
    ASSERT_TRUE(cluster_->StartWorker());
    fuse_ = std::make_unique<FuseHarness>(cluster_->home(), cluster_->DefineArgs());
  }
  void TearDown() override {
    fuse_.reset();
    cluster_.reset();
  }

  // Mounts at <tmp>/<name> with `options` and, unless `kernel_caching`, no kernel attribute or
  // entry caching.
  std::string Mount(const std::string& name, const std::string& options = "",
                    bool kernel_caching = false) {
    std::string mp = control_.path() + "/" + name;
    std::filesystem::create_directories(mp);
    std::string all = kernel_caching ? "" : "attr_timeout=0,entry_timeout=0";
    if (!options.empty()) all += (all.empty() ? "" : ",") + options;
    CommandResult mounted = fuse_->Mount(mp, "", all);
    EXPECT_EQ(mounted.exit_code, 0) << mounted.err;
    return mp;
  }

  // Replaces a control file (a new inode) and waits out the processes' 100 ms check interval,
  // so that every call from now on follows it.
  void Command(const std::string& file, const std::string& text) {
    std::ofstream(file + ".tmp", std::ios::trunc) << text;
    std::filesystem::rename(file + ".tmp", file);
    std::this_thread::sleep_for(150ms);
  }

  TempDir control_;
  std::string ufs_faults_;
  std::string rpc_faults_;
  std::unique_ptr<ClusterProcesses> cluster_;
  std::unique_ptr<FuseHarness> fuse_;
};

TEST_F(FaultInjectionTest, UfsFillingUpFailsTheWriteWithEnospcUntilCleared) {
  const std::string ufs = cluster_->UfsRoot();
  for (const std::string type : {"CACHE_THROUGH", "THROUGH"}) {
    SCOPED_TRACE(type);
    const std::string mp = Mount(type, "alluxio.user.file.writetype.default=" + type);
    const std::string before = RandomBytes(kMiB + 3, 1);
    ASSERT_EQ(WriteWhole(mp + "/before-" + type, before).error, 0);

    Command(ufs_faults_, "fillup 2MB\n");
    const std::string big = RandomBytes(8 * kMiB, 2);
    const std::string name = "/big-" + type;
    EXPECT_EQ(WriteWhole(mp + name, big).error, ENOSPC);
    EXPECT_FALSE(std::filesystem::exists(mp + name));  // no partial file, in Alluxio ...
    for (const std::string& f : FilesBelow(ufs)) {     // ... nor in the under storage
      EXPECT_EQ(f.find(name.substr(1)), std::string::npos) << f;
      EXPECT_EQ(f.find(".alluxio_staging"), std::string::npos) << f;
    }
    EXPECT_TRUE(ReadWhole(mp + "/before-" + type).data == before);

    Command(ufs_faults_, "clear\n");
    EXPECT_EQ(WriteWhole(mp + name, big).error, 0);
    ReadOutcome back = ReadWhole(mp + name);
    EXPECT_EQ(back.error, 0) << std::strerror(back.error);
    EXPECT_TRUE(back.data == big);
    EXPECT_TRUE(ReadLocal(ufs + name) == big);
    EXPECT_EQ(fuse_->Unmount(mp).exit_code, 0);
  }
}

// With the kernel caching names (the default entry_timeout), the name of a file removed because
// its write failed is not left behind as a file: a path through it is ENOENT (not ENOTDIR) and
// creating it again creates it (not ENOENT).
TEST_F(FaultInjectionTest, AWriteThatFailedLeavesNoStaleName) {
  const std::string mp = Mount("mnt", "", /*kernel_caching=*/true);
  ASSERT_EQ(mkdir((mp + "/d").c_str(), 0755), 0);
  Command(ufs_faults_, "fillup 100KB\n");
  EXPECT_EQ(WriteWhole(mp + "/d/b", RandomBytes(3 * kMiB, 6)).error, ENOSPC);
  Command(ufs_faults_, "clear\n");
  EXPECT_EQ(mkdir((mp + "/d/b/a").c_str(), 0755), -1);
  EXPECT_EQ(errno, ENOENT) << std::strerror(errno);
  EXPECT_EQ(WriteWhole(mp + "/d/b", "again").error, 0);
  EXPECT_EQ(ReadWhole(mp + "/d/b").data, "again");
  EXPECT_EQ(fuse_->Unmount(mp).exit_code, 0);
}

TEST_F(FaultInjectionTest, UfsReadFailureOnAColdReadIsEioThenRecovers) {
  const std::string ufs = cluster_->UfsRoot();
  const std::string data = RandomBytes(3 * kMiB + 11, 3);
  std::ofstream(ufs + "/cold", std::ios::binary) << data;  // in the under storage only
  const std::string mp = Mount("mnt");

  Command(ufs_faults_, "fail read kIoError " + ufs + "/cold\n");
  ReadOutcome failed = ReadWhole(mp + "/cold");
  EXPECT_EQ(failed.error, EIO) << std::strerror(failed.error);
  EXPECT_TRUE(data.compare(0, failed.data.size(), failed.data) == 0) << "wrong bytes read";
  EXPECT_LT(failed.data.size(), data.size());

  Command(ufs_faults_, "clear\n");
  ReadOutcome back = ReadWhole(mp + "/cold");
  EXPECT_EQ(back.error, 0) << std::strerror(back.error);
  EXPECT_TRUE(back.data == data);
  EXPECT_EQ(fuse_->Unmount(mp).exit_code, 0);
}

TEST_F(FaultInjectionTest, MasterCallsFailingAFewTimesAreRetried) {
  const std::string mp = Mount("mnt");
  const std::string data = RandomBytes(2 * kMiB, 4);
  Command(rpc_faults_,
          "fail getStatus 2\nfail createFile 2\nfail completeFile 2\ndisconnect listStatus 2\n");
  EXPECT_EQ(WriteWhole(mp + "/f", data).error, 0);
  struct stat st {};
  EXPECT_EQ(stat((mp + "/f").c_str(), &st), 0) << std::strerror(errno);
  EXPECT_EQ(st.st_size, static_cast<off_t>(data.size()));
  EXPECT_EQ(stat((mp + "/absent").c_str(), &st), -1);
  EXPECT_EQ(errno, ENOENT);
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(mp)) {
    names.push_back(e.path().filename().string());
  }
  EXPECT_EQ(names, std::vector<std::string>{"f"});
  EXPECT_TRUE(ReadWhole(mp + "/f").data == data);
  EXPECT_EQ(LinesWith(cluster_->home() + "/logs/master.log", kInjectedRpcFault), 8);
  EXPECT_EQ(fuse_->Unmount(mp).exit_code, 0);
}

TEST_F(FaultInjectionTest, AMasterCallThatKeepsFailingIsEioWithinTheRetryWindow) {
  const std::string mp = Mount("mnt");
  // A create whose call is lost on the way (not retried: it may have happened) fails, and
  // nothing is created.
  Command(rpc_faults_, "disconnect createFile 1\n");
  EXPECT_EQ(WriteWhole(mp + "/lost", "x").error, EIO);
  EXPECT_FALSE(std::filesystem::exists(mp + "/lost"));
  // A master that answers every getStatus with kUnavailable: retried for
  // alluxio.user.rpc.retry.max.duration (3 s here), then EIO.
  std::ofstream(cluster_->UfsRoot() + "/ufs-only") << "u";
  Command(rpc_faults_, "fail getStatus 1000000\n");
  struct stat st {};
  EXPECT_EQ(stat((mp + "/ufs-only").c_str(), &st), -1);
  EXPECT_EQ(errno, EIO);
  EXPECT_GT(LinesWith(cluster_->home() + "/logs/master.log", kInjectedRpcFault),
            2);  // it was retried
  Command(rpc_faults_, "clear\n");
  EXPECT_EQ(stat((mp + "/ufs-only").c_str(), &st), 0) << std::strerror(errno);
  EXPECT_EQ(WriteWhole(mp + "/lost", "x").error, 0);
  EXPECT_EQ(fuse_->Unmount(mp).exit_code, 0);
}

// A namespace change or completion that the master made, whose answer was lost on the way back
// (the connection dropped): the client reads the outcome back, so the caller sees success and
// the kernel's cached names (default entry_timeout) match the namespace.
TEST_F(FaultInjectionTest, ChangesWhoseAnswerWasLostSucceed) {
  const std::string mp = Mount("mnt", "", /*kernel_caching=*/true);
  struct stat st {};
  ASSERT_EQ(mkdir((mp + "/d").c_str(), 0755), 0);
  Command(rpc_faults_, "lose-reply remove 1\n");
  EXPECT_EQ(rmdir((mp + "/d").c_str()), 0) << std::strerror(errno);
  EXPECT_EQ(stat((mp + "/d").c_str(), &st), -1);
  EXPECT_EQ(errno, ENOENT);

  Command(rpc_faults_, "lose-reply createDirectory 1\n");
  EXPECT_EQ(mkdir((mp + "/e").c_str(), 0755), 0) << std::strerror(errno);
  ASSERT_EQ(stat((mp + "/e").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));

  ASSERT_EQ(WriteWhole(mp + "/f", "f").error, 0);
  Command(rpc_faults_, "lose-reply rename 1\n");
  EXPECT_EQ(rename((mp + "/f").c_str(), (mp + "/g").c_str()), 0) << std::strerror(errno);
  EXPECT_EQ(stat((mp + "/f").c_str(), &st), -1);
  EXPECT_EQ(ReadWhole(mp + "/g").data, "f");

  const std::string data = RandomBytes(300000, 8);
  Command(rpc_faults_, "lose-reply completeFile 1\n");
  EXPECT_EQ(WriteWhole(mp + "/h", data).error, 0);
  EXPECT_TRUE(ReadWhole(mp + "/h").data == data);
  EXPECT_EQ(LinesWith(cluster_->home() + "/logs/master.log", kInjectedRpcFault), 4);
  EXPECT_EQ(fuse_->Unmount(mp).exit_code, 0);
}

// open(O_TRUNC) and close with nothing written empties the file at close(2), which reports a
// failure; the file then stays as it was (it was emptied after close returned, and a failure
// was only logged, or removed the file).
// The opener's last close completes the file without asking the worker to flush first (the
// session's finish reports what a flush would): a worker whose flushes all fail does not fail
// it. An fsync still asks, and fails.
TEST_F(FaultInjectionTest, TheOpenersLastCloseSendsTheWorkerNoFlush) {
  // Streamed files (written in place, an fsync syncs the worker's cache file, no flush).
  const std::string mp = Mount("mnt", "alluxio.fuse.passthrough.enabled=false");
  const std::string log = cluster_->home() + "/logs/worker.log";
  Command(rpc_faults_, "fail flush 1000\n");
  const int closed = open((mp + "/closed").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  ASSERT_GE(closed, 0) << std::strerror(errno);
  EXPECT_EQ(write(closed, "data", 4), 4);
  EXPECT_EQ(close(closed), 0) << std::strerror(errno);
  EXPECT_EQ(ReadWhole(mp + "/closed").data, "data");
  EXPECT_EQ(LinesWith(log, kInjectedRpcFault), 0);
  const int synced = open((mp + "/synced").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  ASSERT_GE(synced, 0) << std::strerror(errno);
  EXPECT_EQ(write(synced, "x", 1), 1);
  EXPECT_EQ(fsync(synced), -1);
  close(synced);
  EXPECT_EQ(LinesWith(log, kInjectedRpcFault), 1);
  Command(rpc_faults_, "clear\n");
  EXPECT_EQ(fuse_->Unmount(mp).exit_code, 0);
}

TEST_F(FaultInjectionTest, ATruncationThatFailsIsReportedByCloseAndKeepsTheFile) {
  const std::string mp = Mount("mnt", "", /*kernel_caching=*/true);
  ASSERT_EQ(WriteWhole(mp + "/f", "old").error, 0);
  for (const std::string fault : {"fail createFile 1000", "disconnect createFileWriter 1"}) {
    SCOPED_TRACE(fault);
    Command(rpc_faults_, fault + "\n");
    int fd = open((mp + "/f").c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
    ASSERT_GE(fd, 0) << std::strerror(errno);
    EXPECT_EQ(close(fd), -1);
    EXPECT_EQ(errno, EIO);
    Command(rpc_faults_, "clear\n");
    EXPECT_EQ(ReadWhole(mp + "/f").data, "old");
  }
  int fd = open((mp + "/f").c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  ASSERT_GE(fd, 0) << std::strerror(errno);
  EXPECT_EQ(close(fd), 0);
  EXPECT_EQ(ReadWhole(mp + "/f").data, "");
  EXPECT_EQ(fuse_->Unmount(mp).exit_code, 0);
}

// A completion that fails (the under storage refuses to publish a CACHE_THROUGH file, or the
// master keeps refusing completeFile) is reported by the writer's close(2) with EIO and leaves
// no file (a replacement: the file as it was); the same write succeeds once the fault is gone.
// Completion used to run at RELEASE, after close had returned 0: the failure reached nobody.
TEST_F(FaultInjectionTest, ACompletionThatFailsIsReportedByClose) {
  const std::string mp = Mount("mnt", "alluxio.user.file.writetype.default=CACHE_THROUGH",
                               /*kernel_caching=*/true);
  ASSERT_EQ(WriteWhole(mp + "/old", "old").error, 0);
  const std::string data = RandomBytes(kMiB + 5, 30);
  const std::pair<const std::string*, std::string> faults[] = {
      {&ufs_faults_, "fail PublishStaged kIoError"}, {&rpc_faults_, "fail completeFile 1000"}};
  for (const auto& [control, fault] : faults) {
    SCOPED_TRACE(fault);
    Command(*control, fault + "\n");
    const WriteOutcome created = WriteWhole(mp + "/new", data);
    EXPECT_EQ(created.error, EIO) << created.step;
    EXPECT_EQ(created.step, "close");
    const WriteOutcome replaced = WriteWhole(mp + "/old", data);
    EXPECT_EQ(replaced.error, EIO) << replaced.step;
    EXPECT_EQ(replaced.step, "close");
    const int fd = open((mp + "/empty").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    ASSERT_GE(fd, 0) << std::strerror(errno);
    EXPECT_EQ(close(fd), -1);  // nothing written: an empty file to complete all the same
    EXPECT_EQ(errno, EIO);
    const int staged = open((mp + "/mapped").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    ASSERT_GE(staged, 0) << std::strerror(errno);
    ASSERT_EQ(ftruncate(staged, 8192), 0);  // staged, then written through a mapping
    void* map = mmap(nullptr, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, staged, 0);
    ASSERT_NE(map, MAP_FAILED) << std::strerror(errno);
    std::memset(map, 'm', 8192);
    munmap(map, 8192);
    EXPECT_EQ(close(staged), -1);
    EXPECT_EQ(errno, EIO);
    Command(*control, "clear\n");
    struct stat st {};
    EXPECT_EQ(stat((mp + "/new").c_str(), &st), -1);
    EXPECT_EQ(errno, ENOENT);
    EXPECT_EQ(stat((mp + "/empty").c_str(), &st), -1);
    EXPECT_EQ(errno, ENOENT);
    EXPECT_EQ(stat((mp + "/mapped").c_str(), &st), -1);
    EXPECT_EQ(errno, ENOENT);
    EXPECT_EQ(ReadWhole(mp + "/old").data, "old");
  }
  EXPECT_EQ(WriteWhole(mp + "/new", data).error, 0);
  EXPECT_TRUE(ReadWhole(mp + "/new").data == data);
  EXPECT_TRUE(ReadLocal(cluster_->UfsRoot() + "/new") == data);
  EXPECT_EQ(fuse_->Unmount(mp).exit_code, 0);
}

// Cold reads of several files reach the under storage at once (the worker reads through off
// its reactor, on alluxio.worker.network.block.reader.threads.max threads): with every UFS read
// stalled for 5 s, the worker has entered four stalled reads together, long before the first
// stall ends (read through on the reactor, it entered one at a time).
TEST_F(FaultInjectionTest, ColdReadsOfSeveralFilesReachTheUfsAtOnce) {
  const std::string mp = Mount("mnt", "alluxio.user.file.writetype.default=THROUGH");
  std::vector<std::string> data;
  for (int i = 0; i < 4; ++i) {
    data.push_back(RandomBytes(100000, 20 + i));
    ASSERT_EQ(WriteWhole(mp + "/cold" + std::to_string(i), data.back()).error, 0);
  }
  const std::string log = cluster_->home() + "/logs/worker.log";
  Command(ufs_faults_, "stall read 5s\n");
  std::vector<std::string> back(4);
  std::vector<std::thread> readers;
  for (int i = 0; i < 4; ++i) {
    readers.emplace_back([&, i] { back[i] = ReadWhole(mp + "/cold" + std::to_string(i)).data; });
  }
  for (int waited = 0; waited < 40 && LinesWith(log, "injected stall") < 4; ++waited) {
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(LinesWith(log, "injected stall"), 4);
  Command(ufs_faults_, "clear\n");
  for (std::thread& t : readers) t.join();
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(back[i] == data[i]) << i;
  EXPECT_EQ(fuse_->Unmount(mp).exit_code, 0);
}

TEST_F(FaultInjectionTest, WorkerReadsFailingAFewTimesStillReturnTheRightBytes) {
  // Reads from the worker over RPC (not from its block files on this host).
  const std::string mp = Mount("mnt", "alluxio.user.short.circuit.enabled=false");
  const std::string data = RandomBytes(5 * kMiB + 7, 5);
  ASSERT_EQ(WriteWhole(mp + "/cached", data).error, 0);
  // The reader retries the worker or falls back to the under storage: not every fault is used.
  Command(rpc_faults_, "disconnect readBlock 1\nfail readBlock 2\n");
  ReadOutcome back = ReadWhole(mp + "/cached");
  EXPECT_EQ(back.error, 0) << std::strerror(back.error);
  EXPECT_TRUE(back.data == data);
  EXPECT_GE(LinesWith(cluster_->home() + "/logs/worker.log", kInjectedRpcFault), 1);
  EXPECT_EQ(fuse_->Unmount(mp).exit_code, 0);
}

}  // namespace
}  // namespace alluxio::testing
