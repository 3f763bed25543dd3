// The `alluxio-fuse` command end to end: real master and worker processes, a real kernel mount,
// ordinary tools on it. Needs root and /dev/fuse (skipped otherwise).
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/common/live_process.h"
#include "tests/cluster/cluster_processes.h"
#include "tests/e2e/fuse_harness.h"
#include "tests/e2e/mounted_cluster_test.h"
#include "tests/e2e/whole_files.h"
#include "tests/util/temp_dir.h"

namespace alluxio::testing {
namespace {

using namespace std::chrono_literals;

// Waits until `pid`, a child of this process, has exited; leaves it a zombie (not reaped).
void WaitForZombie(pid_t pid) {
  siginfo_t info{};
  ASSERT_EQ(waitid(P_PID, pid, &info, WEXITED | WNOWAIT), 0) << std::strerror(errno);
}

void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
}

class FuseCommandTest : public MountedClusterTest {};

TEST_F(FuseCommandTest, MountRunOrdinaryToolsStatAndUnmount) {
  const std::string mp = MountPoint("mnt");
  CommandResult mounted = fuse_->Mount(mp);
  ASSERT_EQ(mounted.exit_code, 0) << mounted.out << mounted.err;
  EXPECT_NE(mounted.out.find(fmt::format(
                "Starting AlluxioFuse process: mounting alluxio path \"/\" to local mount "
                "point \"{}\"",
                mp)),
            std::string::npos)
      << mounted.out;
  EXPECT_NE(mounted.out.find(fmt::format("Successfully mounted Alluxio to {}.", mp)),
            std::string::npos);
  EXPECT_NE(mounted.out.find("/logs/fuse.log for logging messages"), std::string::npos);
  CommandResult mounts = RunCommand({"/bin/mount"});
  EXPECT_NE(mounts.out.find(fmt::format("alluxio-fuse on {} type fuse.alluxio-fuse", mp)),
            std::string::npos)
      << mounts.out;

  const std::string scratch = dirs_.path() + "/scratch";
  std::filesystem::create_directories(scratch);
  CommandResult tools = RunCommand({"/bin/bash", POSIX_TOOLS_SCRIPT, mp, scratch});
  EXPECT_EQ(tools.exit_code, 0) << tools.out << tools.err;

  const pid_t pid = fuse_->DaemonPid(mp);
  ASSERT_GT(pid, 0);
  CommandResult stat = fuse_->Stat();
  EXPECT_EQ(stat.exit_code, 0);
  EXPECT_EQ(stat.out, fmt::format("pid\tmount_point\talluxio_path\n{}\t{}\t/\n", pid, mp));

  CommandResult unmounted = fuse_->Unmount(mp);
  EXPECT_EQ(unmounted.exit_code, 0) << unmounted.err;
  EXPECT_EQ(unmounted.out, fmt::format("Unmount fuse at {} (PID:{}).\n", mp, pid));
  EXPECT_FALSE(IsMounted(mp));
  EXPECT_FALSE(IsLiveProcess(pid)) << "the daemon exits after unmounting";
  CommandResult none = fuse_->Stat();
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_EQ(none.err, "No mount point found. AlluxioFuse process is not running\n");
  CommandResult again = fuse_->Unmount(mp);
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_EQ(again.err, fmt::format("{} not mounted\n", mp));
}

TEST_F(FuseCommandTest, SemanticsExamplesHold) {
  const std::string mp = MountPoint("mnt");
  ASSERT_EQ(fuse_->Mount(mp).exit_code, 0);
  CommandResult examples =
      RunCommand({"/usr/bin/python3", SEMANTICS_EXAMPLES_SCRIPT, SEMANTICS_MD, mp});
  EXPECT_EQ(examples.exit_code, 0) << examples.out << examples.err;
  EXPECT_EQ(fuse_->Unmount(mp).exit_code, 0);
}

// Seeded random operation sequences on the mount and on the reference model of SEMANTICS.md
// (tests/model): every result and errno must agree. scripts/soak runs it for longer, with faults.
// Seeds 1-12, and seeds that found bugs (11, 116: a listing while a file was written left a
// stale size; 23: a directory renamed while a replacement in it completed; 95: a replaced
// file renamed onto itself, then elsewhere; 308: a chmod right after a replacement's close).
constexpr const char* kModelSeeds = "1,2,3,4,5,6,7,8,9,10,11,12,23,95,116,308";

TEST_F(FuseCommandTest, RandomOperationSequencesMatchTheReferenceModel) {
  const std::string mp = MountPoint("mnt");
  ASSERT_EQ(fuse_->Mount(mp).exit_code, 0);
  CommandResult checked = RunCommand({"/usr/bin/python3", MODEL_CHECK_SCRIPT, "--root", mp,
                                      "--seeds", kModelSeeds, "--ops", "400"});
  EXPECT_EQ(checked.exit_code, 0) << checked.out << checked.err;
  EXPECT_EQ(fuse_->Unmount(mp).exit_code, 0);
}

TEST_F(FuseCommandTest, SymbolicLinksWorkForToolsAndAreRealLinksInTheUnderStorage) {
  const std::string mp = MountPoint("mnt");
  ASSERT_EQ(fuse_->Mount(mp).exit_code, 0);
  const std::string scratch = dirs_.path() + "/scratch";
  std::filesystem::create_directories(scratch);
  CommandResult tools = RunCommand({"/bin/bash", SYMLINK_TOOLS_SCRIPT, mp + "/links", scratch});
  EXPECT_EQ(tools.exit_code, 0) << tools.out << tools.err;

  // What the mount created is a real link in the under storage.
  const std::string ufs = cluster_->UfsRoot() + "/links";
  EXPECT_EQ(std::filesystem::read_symlink(ufs + "/venv/bin/python"), "python3");
  EXPECT_EQ(std::filesystem::read_symlink(ufs + "/hub/snapshots/rev1/model.bin"),
            "../../blobs/0123abcd");
  // `alluxio fs ls` shows links as links.
  std::vector<std::string> ls{ALLUXIO_BINARY};
  for (const std::string& d : cluster_->DefineArgs()) ls.push_back(d);
  for (const char* arg : {"fs", "ls", "/links/venv/bin"}) ls.push_back(arg);
  CommandResult listed = RunCommand(ls, {{"ALLUXIO_HOME", cluster_->home()}});
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("lrwxrwxrwx"), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find(" /links/venv/bin/python -> python3\n"), std::string::npos)
      << listed.out;
  // They are in the master's store, not reloaded: the directory was created through the master,
  // so its listing is never read from the under storage again.
  cluster_->KillMaster(SIGKILL);
  ASSERT_TRUE(cluster_->StartMaster());
  CommandResult after = RunCommand(ls, {{"ALLUXIO_HOME", cluster_->home()}});
  EXPECT_EQ(after.exit_code, 0) << after.err;
  auto links = [](const std::string& out) {  // the files' in-Alluxio column may differ
    std::string kept;
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);) {
      if (line.find(" -> ") != std::string::npos) kept += line + "\n";
    }
    return kept;
  };
  EXPECT_EQ(links(after.out), links(listed.out));
  EXPECT_NE(links(after.out).find(" /links/venv/bin/python3.11 -> python3\n"), std::string::npos);
  // A link put into the under storage by someone else shows on the mount as a link.
  std::filesystem::create_directories(cluster_->UfsRoot() + "/dropped");
  std::filesystem::create_symlink("../links/file", cluster_->UfsRoot() + "/dropped/link");
  EXPECT_EQ(std::filesystem::read_symlink(mp + "/dropped/link"), "../links/file");
  EXPECT_TRUE(std::filesystem::is_symlink(mp + "/dropped/link"));
  EXPECT_EQ(ReadLocal(mp + "/dropped/link"), "target\n");
  EXPECT_EQ(fuse_->Unmount(mp).exit_code, 0);
}

TEST_F(FuseCommandTest, BadMountsFailWithAClearReasonAndMountNothing) {
  const std::string mp = MountPoint("mnt");
  struct Case {
    std::string mount_point;
    std::string alluxio_path;
    std::string options;
    std::string reason;
  };
  WriteFile(dirs_.path() + "/a-file", "x");
  const std::string full = MountPoint("full");
  WriteFile(full + "/something", "x");
  const std::vector<Case> cases{
      {dirs_.path() + "/missing", "", "", "No such file or directory"},
      {dirs_.path() + "/a-file", "", "", "is not a directory"},
      {full, "", "", "is not empty"},
      {mp, "", "allow_other,allow_root", "allow_other and allow_root cannot be used together"},
      {mp, "", "attr_timeout=soon", "attr_timeout=soon"},
      {mp, "", "max_idle_threads=0", "max_idle_threads=0"},
      {mp, "", "alluxio.user.block.size.bytes.default=huge", "alluxio.user.block.size"},
      {mp, "/no/such/dir", "", "/no/such/dir"},
  };
  for (const Case& c : cases) {
    CommandResult r = fuse_->Mount(c.mount_point, c.alluxio_path, c.options);
    EXPECT_EQ(r.exit_code, 1) << c.reason;
    EXPECT_NE(r.err.find(c.reason), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(fmt::format("Failed to mount Alluxio to {}.", c.mount_point)),
              std::string::npos)
        << r.err;
    EXPECT_FALSE(IsMounted(c.mount_point));
  }
  EXPECT_EQ(fuse_->Stat().exit_code, 1);
}

TEST_F(FuseCommandTest, TwoMountsOfDifferentPathsShareDataAndBothShowInStat) {
  const std::string root = MountPoint("root");
  const std::string sub = MountPoint("sub");
  ASSERT_EQ(fuse_->Mount(root).exit_code, 0);
  ASSERT_EQ(mkdir((root + "/people").c_str(), 0755), 0);
  ASSERT_EQ(fuse_->Mount(sub, "/people", "attr_timeout=0,entry_timeout=0").exit_code, 0);
  WriteFile(root + "/people/alice", "alice's data");
  EXPECT_EQ(ReadLocal(sub + "/alice"), "alice's data");
  CommandResult stat = fuse_->Stat();
  EXPECT_NE(stat.out.find(fmt::format("\t{}\t/\n", root)), std::string::npos) << stat.out;
  EXPECT_NE(stat.out.find(fmt::format("\t{}\t/people\n", sub)), std::string::npos) << stat.out;
  EXPECT_EQ(fuse_->Unmount(sub).exit_code, 0);
  EXPECT_EQ(fuse_->Unmount(root).exit_code, 0);
}

// A daemon killed with SIGKILL stays a zombie while its parent does not reap it (an init that
// never waits, as in many containers, and this sandbox's): the test process becomes the parent of
// the daemons it mounts (a subreaper) and does not wait for them until the end, so `kill(pid, 0)`
// still succeeds for them, as it did for the reporter of issue 16.
TEST_F(FuseCommandTest, KilledDaemonLeavesAStaleMountThatUnmountAndMountRecover) {
  ASSERT_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  const std::string mp = MountPoint("mnt");
  ASSERT_EQ(fuse_->Mount(mp).exit_code, 0);
  WriteFile(mp + "/kept", "survives the crash");
  // The file is complete once the RELEASE the kernel queued at close is served; a read waits for
  // it (a daemon killed before it leaves the file incomplete, SEMANTICS.md).
  ASSERT_EQ(ReadLocal(mp + "/kept"), "survives the crash");
  const pid_t first = fuse_->DaemonPid(mp);
  ASSERT_GT(first, 0);
  ASSERT_EQ(kill(first, SIGKILL), 0);
  WaitForZombie(first);

  // Unmount removes the stale mount, and says it did only once it is gone.
  CommandResult unmounted = fuse_->Unmount(mp);
  EXPECT_EQ(unmounted.exit_code, 0) << unmounted.err;
  EXPECT_FALSE(IsMounted(mp)) << unmounted.out;
  struct stat st {};
  EXPECT_EQ(stat(mp.c_str(), &st), 0);

  // Mounting over a stale mount unmounts it first, also while the kernel still answers stat of
  // the mount point from its attribute cache (only requests that reach the daemon fail).
  ASSERT_EQ(fuse_->Mount(mp).exit_code, 0);
  ASSERT_EQ(ReadLocal(mp + "/kept"), "survives the crash");
  const pid_t second = fuse_->DaemonPid(mp);
  ASSERT_GT(second, 0);
  ASSERT_EQ(kill(second, SIGKILL), 0);
  WaitForZombie(second);
  CommandResult remounted = fuse_->Mount(mp);
  ASSERT_EQ(remounted.exit_code, 0) << remounted.err;
  EXPECT_EQ(ReadLocal(mp + "/kept"), "survives the crash");
  EXPECT_EQ(fuse_->Unmount(mp).exit_code, 0);
  EXPECT_FALSE(IsMounted(mp));
  waitpid(first, nullptr, 0);
  waitpid(second, nullptr, 0);
}

TEST_F(FuseCommandTest, SixteenParallelReadersGetEveryByte) {
  const std::string mp = MountPoint("mnt");
  ASSERT_EQ(fuse_->Mount(mp).exit_code, 0);
  const std::string big = RandomBytes(24 << 20, 7);
  WriteFile(mp + "/big", big);
  std::vector<std::string> small;
  for (int i = 0; i < 16; ++i) {
    small.push_back(RandomBytes(100000 + i * 4099, i));
    WriteFile(fmt::format("{}/small{}", mp, i), small.back());
  }
  std::atomic<int> good{0};
  std::vector<std::thread> readers;
  for (int i = 0; i < 16; ++i) {
    readers.emplace_back([&, i] {
      bool ok = ReadLocal(fmt::format("{}/small{}", mp, i)) == small[i];
      ok = ok && ReadLocal(mp + "/big") == big;
      if (ok) good.fetch_add(1);
    });
  }
  for (auto& t : readers) t.join();
  EXPECT_EQ(good.load(), 16);
  EXPECT_EQ(fuse_->Unmount(mp).exit_code, 0);
}

TEST_F(FuseCommandTest, UnmountDuringReadsEndsTheReadersAndTheDaemon) {
  const std::string mp = MountPoint("mnt");
  ASSERT_EQ(fuse_->Mount(mp).exit_code, 0);
  WriteFile(mp + "/big", RandomBytes(16 << 20, 3));
  std::atomic<bool> stop{false};
  std::atomic<int> reads{0};
  std::thread reader([&] {
    std::vector<char> buf(1 << 20);
    while (!stop.load()) {
      int fd = open((mp + "/big").c_str(), O_RDONLY);
      if (fd < 0) break;
      ssize_t n = 0;
      while ((n = read(fd, buf.data(), buf.size())) > 0) {
      }
      close(fd);
      if (n < 0) break;
      reads.fetch_add(1);
    }
  });
  while (reads.load() < 2) std::this_thread::sleep_for(10ms);
  const pid_t pid = fuse_->DaemonPid(mp);
  CommandResult unmounted = fuse_->Unmount(mp);
  stop.store(true);
  reader.join();  // must not hang
  EXPECT_EQ(unmounted.exit_code, 0) << unmounted.err;
  EXPECT_EQ(unmounted.out, fmt::format("Unmount fuse at {} (PID:{}).\n", mp, pid));
  EXPECT_FALSE(IsMounted(mp));
}

TEST_F(FuseCommandTest, MountOptionsReachTheClientAndTheServer) {
  const std::string mp = MountPoint("mnt");
  CommandResult mounted = fuse_->Mount(mp, "",
                                       "max_idle_threads=4,attr_timeout=7200,entry_timeout=7200,"
                                       "alluxio.user.file.writetype.default=MUST_CACHE");
  ASSERT_EQ(mounted.exit_code, 0) << mounted.err;
  WriteFile(mp + "/cached-only", "in the worker, not in the UFS");
  EXPECT_EQ(ReadLocal(mp + "/cached-only"), "in the worker, not in the UFS");
  EXPECT_FALSE(std::filesystem::exists(cluster_->UfsRoot() + "/cached-only"));
  WriteFile(mp + "/sub-check", "x");
  const std::string log = ReadLocal(cluster_->home() + "/logs/fuse.log");
  EXPECT_NE(log.find("4 request slots"), std::string::npos);
  EXPECT_EQ(fuse_->Unmount(mp).exit_code, 0);
}

// The under storage fills up while a large file is written through the mount (its bytes past
// the first MiB go to the UFS with O_DIRECT, behind the worker's stream): the writer gets
// ENOSPC (by close at the latest), nothing of that file remains, and the mount and the other
// files are unharmed.
TEST_F(FuseCommandTest, FullUnderStorageFailsTheWriterWithEnospcAndKeepsTheRest) {
  const std::string ufs = cluster_->UfsRoot();
  std::filesystem::create_directories(ufs);
  ASSERT_EQ(::mount("tmpfs", ufs.c_str(), "tmpfs", 0, "size=8m"), 0) << std::strerror(errno);
  struct Unmount {
    std::string path;
    ~Unmount() { ::umount2(path.c_str(), MNT_DETACH); }
  } unmount{ufs};
  const std::string mp = MountPoint("mnt");
  CommandResult mounted = fuse_->Mount(mp, "", "");
  ASSERT_EQ(mounted.exit_code, 0) << mounted.err;
  WriteFile(mp + "/small", "kept");

  int fd = ::open((mp + "/big").c_str(), O_WRONLY | O_CREAT, 0644);
  ASSERT_GE(fd, 0) << std::strerror(errno);
  const std::string chunk = RandomBytes(1 << 20, 3);
  int err = 0;
  for (int i = 0; i < 32 && err == 0; ++i) {
    if (::write(fd, chunk.data(), chunk.size()) < 0) err = errno;
  }
  if (::close(fd) != 0 && err == 0) err = errno;  // no fsync: close must tell
  EXPECT_EQ(err, ENOSPC) << std::strerror(err);

  EXPECT_FALSE(std::filesystem::exists(mp + "/big"));
  std::vector<std::string> in_ufs;
  for (const auto& e : std::filesystem::recursive_directory_iterator(ufs)) {
    if (e.is_regular_file()) in_ufs.push_back(std::filesystem::relative(e.path(), ufs));
  }
  EXPECT_EQ(in_ufs, std::vector<std::string>{"small"});  // no partial copy of big left
  EXPECT_EQ(ReadLocal(mp + "/small"), "kept");
  WriteFile(mp + "/after", "written after the failure");
  EXPECT_EQ(ReadLocal(mp + "/after"), "written after the failure");  // waits for its completion
  EXPECT_EQ(ReadLocal(ufs + "/after"), "written after the failure");
  EXPECT_EQ(fuse_->Unmount(mp).exit_code, 0);
}

// Runs `body` in a child process, so that a SIGBUS kills only the child; "" when it returned
// 0, else what ended it.
std::string InChild(const std::function<int()>& body) {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(body());
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return "waitpid failed";
  if (WIFSIGNALED(status)) return fmt::format("killed by {}", strsignal(WTERMSIG(status)));
  if (WEXITSTATUS(status) != 0) return fmt::format("failed at step {}", WEXITSTATUS(status));
  return "";
}

// A new file written through a shared writable mapping: created O_RDWR, sized by ftruncate
// (or, as numpy.memmap does, by writing its last byte), every page stored to in `pages` order,
// then msync (if `sync`) and munmap and close (in the order `close_first` says).
int WriteThroughMapping(const std::string& path, const std::string& data, bool numpy_like,
                        const std::vector<size_t>& pages, bool sync, bool close_first) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return 1;
  if (numpy_like) {
    if (::lseek(fd, static_cast<off_t>(data.size() - 1), SEEK_SET) < 0) return 2;
    if (::write(fd, "", 1) != 1) return 3;
  } else if (::ftruncate(fd, static_cast<off_t>(data.size())) != 0) {
    return 4;
  }
  void* map = ::mmap(nullptr, data.size(), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED) return 5;
  char* bytes = static_cast<char*>(map);
  const size_t page = 4096;
  for (size_t p : pages) {
    const size_t at = p * page;
    const size_t n = std::min(page, data.size() - at);
    // Within a page, last byte first: the stores come in no order at all.
    for (size_t i = n; i-- > 0;) bytes[at + i] = data[at + i];
  }
  if (sync && ::msync(map, data.size(), MS_SYNC) != 0) return 6;
  if (close_first && ::close(fd) != 0) return 7;
  if (::munmap(map, data.size()) != 0) return 8;
  if (!close_first && ::close(fd) != 0) return 9;
  return 0;
}

std::vector<size_t> PageOrder(size_t bytes, bool shuffled) {
  std::vector<size_t> pages((bytes + 4095) / 4096);
  for (size_t i = 0; i < pages.size(); ++i) pages[i] = pages.size() - 1 - i;  // reverse
  if (shuffled) std::shuffle(pages.begin(), pages.end(), std::mt19937(4));
  return pages;
}

TEST_F(FuseCommandTest, NewFileWrittenThroughASharedMappingKeepsEveryStore) {
  const std::string mp = MountPoint("mnt");
  ASSERT_EQ(fuse_->Mount(mp).exit_code, 0);
  struct Case {
    std::string name;
    size_t size;
    bool numpy_like;
    bool shuffled;
    bool sync;
    bool close_first;
    bool replaces = false;  // the path holds a complete file first (O_TRUNC replaces it)
  };
  const std::vector<Case> cases{
      {"ftruncate-reverse", 8192, false, false, true, false},
      {"numpy-like", 100000, true, false, false, false},
      {"numpy-like-past-window", 9 << 20, true, true, true, false},
      {"ftruncate-20MiB-closed-first", 20 << 20, false, true, false, true},
      {"numpy-like-replacing", 300000, true, true, true, false, true},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    const std::string path = mp + "/" + c.name;
    const std::string data = RandomBytes(c.size, static_cast<uint32_t>(10 + i));
    const std::vector<size_t> pages = PageOrder(c.size, c.shuffled);
    if (c.replaces) WriteFile(path, "the old content");
    EXPECT_EQ(InChild([&] {
                return WriteThroughMapping(path, data, c.numpy_like, pages, c.sync, c.close_first);
              }),
              "")
        << c.name;
    const std::string read = ReadLocal(path);
    EXPECT_EQ(read.size(), data.size()) << c.name;
    EXPECT_TRUE(read == data) << c.name << ": the bytes differ";
  }
  EXPECT_EQ(fuse_->Unmount(mp).exit_code, 0);
}

TEST_F(FuseCommandTest, WritableMappingOfACompleteFileFailsAtMsyncAndKeepsTheFile) {
  const std::string mp = MountPoint("mnt");
  ASSERT_EQ(fuse_->Mount(mp).exit_code, 0);
  const std::string path = mp + "/complete";
  WriteFile(path, std::string(8192, 'c'));
  // A complete file is not rewritten: the writeback fails, msync says so (EOPNOTSUPP), nothing
  // is killed and the file keeps its content.
  EXPECT_EQ(InChild([&] {
              const int fd = ::open(path.c_str(), O_RDWR);
              if (fd < 0) return 1;
              void* map = ::mmap(nullptr, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
              if (map == MAP_FAILED) return 2;
              char* bytes = static_cast<char*>(map);
              if (bytes[100] != 'c') return 3;  // the page faults read the file
              bytes[100] = 'x';
              if (::msync(map, 8192, MS_SYNC) == 0) return 4;
              if (errno != EOPNOTSUPP) return 5;
              if (::munmap(map, 8192) != 0) return 6;
              return ::close(fd) == 0 ? 0 : 7;
            }),
            "");
  EXPECT_EQ(ReadLocal(path), std::string(8192, 'c'));
  EXPECT_EQ(fuse_->Unmount(mp).exit_code, 0);
}

TEST_F(FuseCommandTest, NumpyMemmapWritePlusKeepsTheArray) {
  if (RunCommand({"/usr/bin/python3", "-c", "import numpy"}).exit_code != 0) {
    GTEST_SKIP() << "numpy is not installed";
  }
  const std::string mp = MountPoint("mnt");
  ASSERT_EQ(fuse_->Mount(mp).exit_code, 0);
  CommandResult run = RunCommand({"/usr/bin/python3", "-c", R"(
import sys, numpy as np
path = sys.argv[1] + "/array.bin"
m = np.memmap(path, dtype=np.float64, mode="w+", shape=(3000, 100))
m[::-1] = np.arange(300000, dtype=np.float64).reshape(3000, 100)[::-1]
m.flush()
del m
back = np.fromfile(path, dtype=np.float64)
assert back.size == 300000, back.size
assert (back == np.arange(300000)).all()
)",
                                  mp});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(fuse_->Unmount(mp).exit_code, 0);
}

// Issue 16: a directory renamed while a file in it was written lost the file (close returned
// 0) and left a temp file in the under storage. Every combination of renames of the file and
// of its ancestors, and a removal of its directory, on a real mount.
TEST_F(FuseCommandTest, FilesWrittenWhileTheirDirectoriesAreRenamedCompleteWhereTheyAre) {
  const std::string mp = MountPoint("mnt");
  ASSERT_EQ(fuse_->Mount(mp).exit_code, 0);
  const std::string script = R"(
import os, sys
os.chdir(sys.argv[1])
head, tail = b"x" * 2500000, b"y" * 1000  # > 1 MiB: the worker writes the UFS copy behind

def write_while(path, *moves):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
    os.write(fd, head)
    for move in moves:
        move()
    os.write(fd, tail)
    os.close(fd)

os.makedirs("r1")                                   # the reproduction of the issue
write_while("r1/f", lambda: os.rename("r1", "r2"))
os.makedirs("c1")                                   # the file renamed
write_while("c1/f", lambda: os.rename("c1/f", "c1/g"))
os.makedirs("c2/a/b")                               # a grandparent renamed
write_while("c2/a/b/f", lambda: os.rename("c2/a", "c2/z"))
os.makedirs("c3/d")                                 # the file and its parent renamed
write_while("c3/d/f", lambda: os.rename("c3/d/f", "c3/d/g"), lambda: os.rename("c3/d", "c3/e"))
os.makedirs("c4/d")                                 # the parent renamed twice
write_while("c4/d/f", lambda: os.rename("c4/d", "c4/e"), lambda: os.rename("c4/e", "c4/x"))
os.makedirs("c5/a"); os.makedirs("c5/b")            # the file moved to another directory
write_while("c5/a/f", lambda: os.rename("c5/a/f", "c5/b/f"))
for path in ["r2/f", "c1/g", "c2/z/b/f", "c3/e/g", "c4/x/f", "c5/b/f"]:
    assert os.stat(path).st_size == len(head) + len(tail), path
    with open(path, "rb") as f:
        assert f.read() == head + tail, path
for gone in ["r1", "c1/f", "c2/a", "c3/d", "c4/d", "c4/e", "c5/a/f"]:
    assert not os.path.exists(gone), gone

os.makedirs("rm/d")                                 # the directory removed (rm -r)
fd = os.open("rm/d/f", os.O_WRONLY | os.O_CREAT, 0o644)
os.write(fd, head)
os.unlink("rm/d/f"); os.rmdir("rm/d"); os.rmdir("rm")
os.write(fd, tail)
os.close(fd)
assert not os.path.exists("rm")
)";
  CommandResult run = RunCommand({"/usr/bin/python3", "-c", script, mp});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  // The under storage holds exactly these files, with their bytes, and nothing else.
  const std::string ufs = cluster_->UfsRoot();
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(ufs)) {
    if (e.is_regular_file()) files.push_back(std::filesystem::relative(e.path(), ufs).string());
  }
  std::sort(files.begin(), files.end());
  EXPECT_EQ(files,
            (std::vector<std::string>{"c1/g", "c2/z/b/f", "c3/e/g", "c4/x/f", "c5/b/f", "r2/f"}));
  const std::string expected = std::string(2500000, 'x') + std::string(1000, 'y');
  for (const std::string& f : files) EXPECT_TRUE(ReadLocal(ufs + "/" + f) == expected) << f;
  EXPECT_FALSE(std::filesystem::exists(ufs + "/rm"));
  EXPECT_EQ(fuse_->Unmount(mp).exit_code, 0);
}

class WorkerFuseTest : public FuseCommandTest {
 protected:
  std::map<std::string, std::string> Properties() override {
    mount_point_ = dirs_.path() + "/worker-mnt";
    return {{"alluxio.worker.fuse.enabled", "true"},
            {"alluxio.worker.fuse.mount.point", mount_point_},
            {"alluxio.worker.fuse.mount.alluxio.path", "/"}};
  }
  std::string mount_point_;
};

TEST_F(WorkerFuseTest, TheWorkerMountsServesAndUnmountsOnStop) {
  fuse_->Track(mount_point_);
  // The worker registers its mount (for stat) right after the mount appears.
  for (int i = 0; i < 200 && (!IsMounted(mount_point_) || fuse_->DaemonPid(mount_point_) == 0);
       ++i) {
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_TRUE(IsMounted(mount_point_)) << ReadLocal(cluster_->home() + "/worker.out");
  CommandResult stat = fuse_->Stat();
  EXPECT_NE(stat.out.find(fmt::format("{}\t{}\t/\n", cluster_->worker_pid(), mount_point_)),
            std::string::npos)
      << stat.out;
  const std::string data = RandomBytes(5 << 20, 11);
  WriteFile(mount_point_ + "/from-worker-fuse", data);
  EXPECT_TRUE(ReadLocal(mount_point_ + "/from-worker-fuse") == data);
  EXPECT_TRUE(ReadLocal(cluster_->UfsRoot() + "/from-worker-fuse") == data);
  cluster_->KillWorker(SIGTERM);
  EXPECT_FALSE(IsMounted(mount_point_)) << ReadLocal(cluster_->home() + "/worker.out");
}

// No cluster configured and none reachable: mount starts the local one.
TEST(EmbeddedClusterTest, MountStartsALocalClusterWhenNoneIsReachable) {
  if (!CanMount()) GTEST_SKIP() << "needs root and /dev/fuse";
  TempDir home;
  ClusterProcesses ports;  // only for two free ports and its properties; nothing started
  std::vector<std::string> defines;
  for (const auto& d : ports.DefineArgs()) {
    if (d.starts_with("-Dalluxio.master.hostname=")) continue;  // "not configured"
    defines.push_back(d);
  }
  const std::string mp = home.path() + "/mnt";
  std::filesystem::create_directories(mp);
  std::vector<std::string> stop{ALLUXIO_BINARY};
  stop.insert(stop.end(), defines.begin(), defines.end());
  stop.push_back("local");
  stop.push_back("stop");
  {
    FuseHarness fuse(home.path(), defines);
    CommandResult mounted = fuse.Mount(mp);
    EXPECT_EQ(mounted.exit_code, 0) << mounted.out << mounted.err;
    EXPECT_NE(mounted.out.find("starting a local cluster"), std::string::npos) << mounted.out;
    WriteFile(mp + "/hello", "embedded");
    EXPECT_EQ(ReadLocal(mp + "/hello"), "embedded");
    EXPECT_EQ(fuse.Unmount(mp).exit_code, 0);
  }
  CommandResult stopped = RunCommand(stop, {{"ALLUXIO_HOME", home.path()}});
  EXPECT_NE(stopped.out.find("Stopped the local master"), std::string::npos) << stopped.out;
}

}  // namespace
}  // namespace alluxio::testing
