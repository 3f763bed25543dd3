// Real kernel mounts of the in-memory reference file system through FuseSession: mounting,
// the classic /dev/fuse transport, and how sessions end (unmount, Stop, a dead daemon).
// Needs root and /dev/fuse (skipped otherwise). File system calls are made from plain threads;
// the reactors serve the mount. Every test unmounts what it mounted, also on failure.
#include "core/fuse/fuse_session.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include "core/fuse/dev_fuse_transport.h"
#include "core/fuse/fuse_mount.h"
#include "core/fuse/uring_fuse_transport.h"
#include "tests/fuse/memory_file_system.h"
#include "tests/util/temp_dir.h"

namespace alluxio::fuse {
namespace {

using namespace std::chrono_literals;
using testing::MemoryFileSystem;

// Holds every READ while `block` is set (checking every few milliseconds; cancellable).
class BlockingFileSystem : public MemoryFileSystem {
 public:
  std::atomic<bool> block{false};
  std::atomic<int> blocked{0};

  fs::Task<size_t> Read(fs::FileHandle handle, uint64_t offset,
                        std::span<std::byte> buffer) override {
    if (block.load()) {
      blocked.fetch_add(1);
      asio::steady_timer timer(co_await asio::this_coro::executor);
      while (block.load()) {
        timer.expires_after(std::chrono::milliseconds(5));
        co_await timer.async_wait(asio::use_awaitable);
      }
    }
    co_return co_await MemoryFileSystem::Read(handle, offset, buffer);
  }
};

// Offers a registered memfd as the backing file of read-only opens of its path: what a file
// system that caches whole files locally does for passthrough.
class BackedFileSystem : public BlockingFileSystem {
 public:
  ~BackedFileSystem() override {
    for (auto& [path, fd] : backing_) ::close(fd);
    for (int fd : retired_) ::close(fd);
  }

  // Read-only opens of `path` ("/name") from now on are backed by a memfd holding `content`.
  void Back(const std::string& path, const std::string& content) {
    int fd = ::memfd_create("backing", MFD_CLOEXEC);
    ASSERT_GE(fd, 0) << std::strerror(errno);
    ASSERT_EQ(::pwrite(fd, content.data(), content.size(), 0),
              static_cast<ssize_t>(content.size()));
    std::lock_guard lock(mu_);
    if (auto it = backing_.find(path); it != backing_.end()) retired_.push_back(it->second);
    backing_[path] = fd;
  }

  fs::Task<fs::FileHandle> Open(std::string path, int flags, fs::Caller caller) override {
    Result<fs::FileHandle> handle = co_await MemoryFileSystem::Open(path, flags, caller);
    if (handle && (flags & O_ACCMODE) == O_RDONLY) {
      std::lock_guard lock(mu_);
      if (auto it = backing_.find(path); it != backing_.end()) opened_[*handle] = it->second;
    }
    co_return handle;
  }

  int BackingFile(fs::FileHandle handle) override {
    std::lock_guard lock(mu_);
    auto it = opened_.find(handle);
    return it == opened_.end() ? -1 : it->second;
  }

  fs::Task<void> Release(fs::FileHandle handle) override {
    {
      std::lock_guard lock(mu_);
      opened_.erase(handle);
    }
    co_return co_await MemoryFileSystem::Release(handle);
  }

 private:
  std::mutex mu_;
  std::map<std::string, int> backing_;
  std::vector<int> retired_;  // replaced backing files, closed at the end
  std::map<fs::FileHandle, int> opened_;
};

// Unmounts (lazily) whatever is still mounted at the path when the test ends.
class MountGuard {
 public:
  explicit MountGuard(std::string path) : path_(std::move(path)) {}
  ~MountGuard() {
    if (IsFuseMountPoint(path_)) (void)UnmountPath(path_, /*lazy=*/true);
  }
  MountGuard(const MountGuard&) = delete;
  MountGuard& operator=(const MountGuard&) = delete;

 private:
  std::string path_;
};

std::string Pattern(size_t size) {
  std::string data(size, '\0');
  uint32_t x = 12345;
  for (char& c : data) {
    x = x * 1103515245 + 12345;
    c = static_cast<char>(x >> 16);
  }
  return data;
}

bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

std::string CommandOutput(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) out.append(buffer, n);
  ::pclose(pipe);
  return out;
}

// errno of stat(path) in a child process running as `uid` (0 on success).
int StatErrnoAs(uid_t uid, const std::string& path) {
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) return -1;
  const pid_t child = ::fork();
  if (child == 0) {
    int err = 0;
    struct stat st {};
    if (::setgid(uid) != 0 || ::setuid(uid) != 0) {
      err = -1;
    } else if (::stat(path.c_str(), &st) != 0) {
      err = errno;
    }
    (void)!::write(pipe_fds[1], &err, sizeof(err));
    ::_exit(0);
  }
  ::close(pipe_fds[1]);
  int err = -1;
  if (child < 0 || ::read(pipe_fds[0], &err, sizeof(err)) != sizeof(err)) err = -1;
  ::close(pipe_fds[0]);
  if (child > 0) ::waitpid(child, nullptr, 0);
  return err;
}

// What a mount must leave as it was: signal dispositions, the signal mask, fds 0-2.
struct ProcessState {
  std::vector<uintptr_t> handlers;
  std::vector<int> blocked;
  std::vector<std::pair<dev_t, ino_t>> stdio;

  static ProcessState Capture() {
    ProcessState state;
    sigset_t mask;
    pthread_sigmask(SIG_SETMASK, nullptr, &mask);
    for (int sig : {SIGCHLD, SIGPIPE, SIGINT, SIGTERM, SIGHUP}) {
      struct sigaction action {};
      sigaction(sig, nullptr, &action);
      state.handlers.push_back(reinterpret_cast<uintptr_t>(action.sa_handler));
      state.blocked.push_back(sigismember(&mask, sig));
    }
    for (int fd = 0; fd < 3; ++fd) {
      struct stat st {};
      if (::fstat(fd, &st) == 0) {
        state.stdio.emplace_back(st.st_dev, st.st_ino);
      } else {
        state.stdio.emplace_back(0, 0);
      }
    }
    return state;
  }
  bool operator==(const ProcessState&) const = default;
};

class MountTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "mounting needs root";
    if (::access("/dev/fuse", R_OK | W_OK) != 0) GTEST_SKIP() << "no usable /dev/fuse";
    ASSERT_EQ(::mkdir(mount_point_.c_str(), 0755), 0) << std::strerror(errno);
  }

  void TearDown() override {
    if (session_) session_->Stop();
    session_.reset();
    if (pool_) pool_->Stop();
  }

  FuseSessionOptions Options() {
    FuseSessionOptions options;
    options.mount.mount_point = mount_point_;
    options.drain_timeout = 200ms;
    return options;
  }

  void Start(FuseSessionOptions options) {
    if (!pool_) pool_.emplace(ReactorPoolOptions{.reactors = 2, .blocking_threads = 1});
    auto session = FuseSession::Start(*pool_, fs_, std::move(options));
    ASSERT_TRUE(session.ok()) << session.error().ToString();
    session_ = std::move(session.value());
  }

  std::string Path(const std::string& name) const { return mount_point_ + "/" + name; }

  // umount(8) from outside: WaitUntilFinished returns and the session is finished.
  void ExpectUmountEndsTheSession() {
    std::atomic<bool> returned{false};
    std::thread waiter([&] {
      session_->WaitUntilFinished();
      returned = true;
    });
    const std::string command = "umount " + session_->mount_point();
    EXPECT_EQ(std::system(command.c_str()), 0) << command;
    EXPECT_TRUE(WaitFor([&] { return returned.load(); })) << "WaitUntilFinished did not return";
    if (!returned) session_->Stop();  // unblocks the waiter
    waiter.join();
    EXPECT_TRUE(session_->finished());
  }

  alluxio::testing::TempDir dir_;
  const std::string mount_point_ = dir_.Sub("mnt");
  MountGuard guard_{mount_point_};
  BackedFileSystem fs_;
  std::optional<ReactorPool> pool_;
  std::unique_ptr<FuseSession> session_;
};

TEST_F(MountTest, MountShowsUpAndServesMetadata) {
  const ProcessState before = ProcessState::Capture();
  ASSERT_NO_FATAL_FAILURE(Start(Options()));
  EXPECT_TRUE(ProcessState::Capture() == before) << "mounting changed signals or stdio";
  struct stat st {};
  ASSERT_EQ(::stat(mount_point_.c_str(), &st), 0) << std::strerror(errno);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_TRUE(session_->dispatcher().initialized());
  // By default one reactor reads /dev/fuse, with every slot.
  EXPECT_EQ(dynamic_cast<const DevFuseTransport&>(session_->transport()).slots_per_reactor(),
            (std::vector<size_t>{16}));

  const std::string listing = CommandOutput("mount");
  EXPECT_NE(listing.find("alluxio-fuse on " + session_->mount_point() + " type fuse.alluxio-fuse"),
            std::string::npos)
      << listing;
  std::string fs_name;
  EXPECT_TRUE(IsFuseMountPoint(mount_point_, &fs_name));
  EXPECT_EQ(fs_name, "alluxio-fuse");
  EXPECT_FALSE(IsFuseMountPoint(dir_.path()));

  // The readahead is raised right after INIT was answered, before that request completes.
  ASSERT_TRUE(session_->WaitForIdle(10s));
  std::ifstream ra(
      fmt::format("/sys/class/bdi/{}:{}/read_ahead_kb", major(st.st_dev), minor(st.st_dev)));
  uint64_t read_ahead_kb = 0;
  ASSERT_TRUE(ra >> read_ahead_kb);
  EXPECT_GE(read_ahead_kb, 1024u);

  ASSERT_EQ(::mkdir(Path("a").c_str(), 0755), 0) << std::strerror(errno);
  ASSERT_EQ(::stat(Path("a").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(::mkdir(Path("a").c_str(), 0755), -1);
  EXPECT_EQ(errno, EEXIST);
  EXPECT_EQ(::stat(Path("missing").c_str(), &st), -1);
  EXPECT_EQ(errno, ENOENT);
  EXPECT_EQ(::rmdir(Path("missing").c_str()), -1);
  EXPECT_EQ(errno, ENOENT);
  EXPECT_GT(session_->dispatcher().counters().requests.load(), 0u);
  session_->Stop();
  EXPECT_TRUE(ProcessState::Capture() == before) << "unmounting changed signals or stdio";
}

TEST_F(MountTest, ReaddirOfAThousandEntries) {
  ASSERT_NO_FATAL_FAILURE(Start(Options()));
  ASSERT_EQ(::mkdir(Path("d").c_str(), 0755), 0) << std::strerror(errno);
  for (int i = 0; i < 1000; ++i) {
    const std::string path = Path("d/entry-" + std::to_string(i));
    const int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_EXCL, 0644);
    ASSERT_GE(fd, 0) << path << ": " << std::strerror(errno);
    ::close(fd);
  }
  DIR* dir = ::opendir(Path("d").c_str());
  ASSERT_NE(dir, nullptr) << std::strerror(errno);
  std::vector<bool> seen(1000, false);
  size_t dots = 0;
  size_t entries = 0;
  while (dirent* e = ::readdir(dir)) {
    const std::string name = e->d_name;
    if (name == "." || name == "..") {
      ++dots;
      continue;
    }
    ASSERT_TRUE(name.starts_with("entry-")) << name;
    const int i = std::stoi(name.substr(6));
    ASSERT_FALSE(seen[i]) << name << " listed twice";
    seen[i] = true;
    ++entries;
  }
  ::closedir(dir);
  EXPECT_EQ(dots, 2u);
  EXPECT_EQ(entries, 1000u);
}

TEST_F(MountTest, WriteAndReadBackWithSixteenReaders) {
  ASSERT_NO_FATAL_FAILURE(Start(Options()));
  const std::string data = Pattern(3 << 20);
  const std::string path = Path("big");
  int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0644);
  ASSERT_GE(fd, 0) << std::strerror(errno);
  // Uneven write sizes: 1 MiB, then odd pieces.
  size_t off = 0;
  const size_t sizes[] = {1 << 20, 12345, 777777, 1};
  for (size_t i = 0; off < data.size(); ++i) {
    const size_t n = std::min(sizes[i % 4], data.size() - off);
    ASSERT_EQ(::write(fd, data.data() + off, n), static_cast<ssize_t>(n)) << std::strerror(errno);
    off += n;
  }
  ASSERT_EQ(::fsync(fd), 0) << std::strerror(errno);
  ASSERT_EQ(::close(fd), 0);

  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(static_cast<size_t>(st.st_size), data.size());

  // Drop cached pages so the reads reach the server.
  fd = ::open(path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  (void)::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  const std::pair<size_t, size_t> probes[] = {{0, 1},
                                              {1, 4095},
                                              {4095, 2},
                                              {123457, 65539},
                                              {(1 << 20) - 3, 1 << 20},
                                              {data.size() - 7, 7},
                                              {data.size() - 1000, 5000} /* crosses the end */};
  for (const auto& [offset, length] : probes) {
    std::string buffer(length, '\0');
    const ssize_t n = ::pread(fd, buffer.data(), length, static_cast<off_t>(offset));
    const size_t expected = std::min(length, data.size() - offset);
    ASSERT_EQ(n, static_cast<ssize_t>(expected)) << "at " << offset << ": " << std::strerror(errno);
    EXPECT_EQ(buffer.substr(0, expected), data.substr(offset, expected)) << "at " << offset;
  }
  ::close(fd);

  std::atomic<int> mismatches{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 16; ++t) {
    readers.emplace_back([&, t] {
      const int rfd = ::open(path.c_str(), O_RDONLY);
      if (rfd < 0) {
        ++mismatches;
        return;
      }
      std::string buffer(70001, '\0');
      for (int i = 0; i < 40; ++i) {
        const size_t offset = (static_cast<size_t>(t) * 7919 + i * 104729) % data.size();
        const ssize_t n = ::pread(rfd, buffer.data(), buffer.size(), static_cast<off_t>(offset));
        const size_t expected = std::min(buffer.size(), data.size() - offset);
        if (n != static_cast<ssize_t>(expected) ||
            buffer.compare(0, expected, data, offset, expected) != 0) {
          ++mismatches;
        }
      }
      ::close(rfd);
    });
  }
  for (auto& r : readers) r.join();
  EXPECT_EQ(mismatches.load(), 0);
}

std::string ReadWhole(int fd) {
  std::string out;
  char buf[65536];
  for (off_t at = 0;;) {
    ssize_t n = ::pread(fd, buf, sizeof(buf), at);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
    at += n;
  }
  return out;
}

std::string ReadPath(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return "open failed: " + std::string(std::strerror(errno));
  std::string out = ReadWhole(fd);
  ::close(fd);
  return out;
}

void WritePath(const std::string& path, const std::string& data) {
  int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0644);
  ASSERT_GE(fd, 0) << std::strerror(errno);
  ASSERT_EQ(::write(fd, data.data(), data.size()), static_cast<ssize_t>(data.size()));
  ASSERT_EQ(::close(fd), 0);
}

TEST_F(MountTest, PassthroughReadsSkipTheServerAndCoexistWithOtherOpens) {
  FuseSessionOptions options = Options();
  options.fuse.passthrough = true;
  ASSERT_NO_FATAL_FAILURE(Start(options));
  struct stat st {};
  ASSERT_EQ(::stat(mount_point_.c_str(), &st), 0);
  const FuseDispatcher& dispatcher = session_->dispatcher();
  if ((dispatcher.negotiated_flags() & abi::kPassthrough) == 0) {
    GTEST_SKIP() << "the kernel did not agree to FUSE_PASSTHROUGH";
  }
  const PassthroughFiles& passthrough = dispatcher.passthrough();
  auto reads = [&] {
    return dispatcher.counters().by_opcode[static_cast<size_t>(abi::Opcode::kRead)].load();
  };
  // The kernel sends RELEASE after close(2) returns: wait until the server has seen them all.
  auto wait_released = [&] {
    for (int i = 0; i < 1000 && passthrough.tracked_handles() > 0; ++i) {
      std::this_thread::sleep_for(5ms);
    }
    ASSERT_EQ(passthrough.tracked_handles(), 0u);
  };
  const std::string data = Pattern(300000);
  ASSERT_NO_FATAL_FAILURE(WritePath(Path("pt"), data));
  ASSERT_NO_FATAL_FAILURE(fs_.Back("/pt", data));
  ASSERT_NO_FATAL_FAILURE(wait_released());

  uint64_t before = reads();
  EXPECT_EQ(ReadPath(Path("pt")), data);
  EXPECT_EQ(reads(), before) << "passthrough reads must not reach the server";
  EXPECT_EQ(passthrough.backing_files_opened(), 1u);
  ASSERT_NO_FATAL_FAILURE(wait_released());

  // Overlapping opens share one backing file; a writer meanwhile gets through (its I/O comes
  // to the server) and the readers keep reading what they opened.
  int a = ::open(Path("pt").c_str(), O_RDONLY);
  int b = ::open(Path("pt").c_str(), O_RDONLY);
  ASSERT_GE(a, 0) << std::strerror(errno);
  ASSERT_GE(b, 0) << std::strerror(errno);
  int w = ::open(Path("pt").c_str(), O_WRONLY | O_TRUNC);
  ASSERT_GE(w, 0) << "a writer of an inode in passthrough mode: " << std::strerror(errno);
  EXPECT_EQ(::write(w, "new", 3), 3) << std::strerror(errno);
  EXPECT_EQ(::close(w), 0);
  EXPECT_EQ(ReadWhole(a), data);
  EXPECT_EQ(ReadWhole(b), data);
  ::close(a);
  ::close(b);
  EXPECT_EQ(passthrough.backing_files_opened(), 2u);  // the reader of the test above, then a+b
  ASSERT_NO_FATAL_FAILURE(wait_released());
  ASSERT_NO_FATAL_FAILURE(fs_.Back("/pt", "new"));
  EXPECT_EQ(ReadPath(Path("pt")), "new");
  EXPECT_EQ(passthrough.backing_files_opened(), 3u);
  ASSERT_NO_FATAL_FAILURE(wait_released());

  // A page-cached open keeps passthrough off for its inode until it is released.
  ASSERT_NO_FATAL_FAILURE(WritePath(Path("c"), data));
  ASSERT_NO_FATAL_FAILURE(wait_released());
  int cached = ::open(Path("c").c_str(), O_RDONLY);
  ASSERT_GE(cached, 0) << std::strerror(errno);
  ASSERT_NO_FATAL_FAILURE(fs_.Back("/c", data));
  before = reads();
  EXPECT_EQ(ReadPath(Path("c")), data);
  EXPECT_GT(reads(), before);
  EXPECT_EQ(passthrough.backing_files_opened(), 3u);
  ::close(cached);
  ASSERT_NO_FATAL_FAILURE(wait_released());
  before = reads();
  EXPECT_EQ(ReadPath(Path("c")), data);
  EXPECT_EQ(reads(), before);
  EXPECT_EQ(passthrough.backing_files_opened(), 4u);
}

TEST_F(MountTest, RenameUnlinkRmdir) {
  ASSERT_NO_FATAL_FAILURE(Start(Options()));
  ASSERT_EQ(::mkdir(Path("dir").c_str(), 0755), 0);
  int fd = ::open(Path("dir/f").c_str(), O_CREAT | O_WRONLY, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, "hello", 5), 5);
  ::close(fd);

  ASSERT_EQ(::rename(Path("dir/f").c_str(), Path("dir/g").c_str()), 0) << std::strerror(errno);
  struct stat st {};
  EXPECT_EQ(::stat(Path("dir/f").c_str(), &st), -1);
  EXPECT_EQ(errno, ENOENT);
  ASSERT_EQ(::stat(Path("dir/g").c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 5);
  EXPECT_EQ(::rename(Path("dir/missing").c_str(), Path("dir/h").c_str()), -1);
  EXPECT_EQ(errno, ENOENT);

  EXPECT_EQ(::rmdir(Path("dir").c_str()), -1);
  EXPECT_EQ(errno, ENOTEMPTY);
  ASSERT_EQ(::unlink(Path("dir/g").c_str()), 0) << std::strerror(errno);
  EXPECT_EQ(::unlink(Path("dir/g").c_str()), -1);
  EXPECT_EQ(errno, ENOENT);
  ASSERT_EQ(::rmdir(Path("dir").c_str()), 0) << std::strerror(errno);
  EXPECT_EQ(::stat(Path("dir").c_str(), &st), -1);
  EXPECT_EQ(errno, ENOENT);
}

// Drops the kernel's dentries and inodes (every file system's: as the benchmarks do).
void DropKernelNameCaches() { std::ofstream("/proc/sys/vm/drop_caches") << "2\n"; }

uint64_t Lookups(const FuseDispatcher& dispatcher) {
  return dispatcher.counters().by_opcode[static_cast<size_t>(abi::Opcode::kLookup)].load();
}

// READDIRPLUS hands the kernel every entry with its attributes: `ls -l` and then a stat of each
// file, or `find -printf %s`, ask the server nothing more (no LOOKUP), also for a directory
// larger than one READDIRPLUS reply. The kernel's references are accounted: once it drops its
// caches, every node is forgotten.
TEST_F(MountTest, LsMinusLThenStatOfEachFileSendsNoLookup) {
  FuseSessionOptions options = Options();
  options.fuse.entry_timeout = 600;
  options.fuse.attr_timeout = 600;
  ASSERT_NO_FATAL_FAILURE(Start(options));
  constexpr int kFiles = 3000;  // more than one READDIRPLUS reply
  ASSERT_EQ(::mkdir(Path("d").c_str(), 0755), 0) << std::strerror(errno);
  for (int i = 0; i < kFiles; ++i) {
    const int fd = ::open(Path("d/f" + std::to_string(i)).c_str(), O_CREAT | O_WRONLY, 0644);
    ASSERT_GE(fd, 0) << std::strerror(errno);
    ::close(fd);
  }
  const FuseDispatcher& dispatcher = session_->dispatcher();
  DropKernelNameCaches();
  ASSERT_TRUE(WaitFor([&] { return dispatcher.inodes().size() == 1; }))
      << dispatcher.inodes().size() << " nodes left after the kernel dropped its caches";

  struct stat st {};
  ASSERT_EQ(::stat(Path("d").c_str(), &st), 0);
  const uint64_t before = Lookups(dispatcher);
  const std::string listing = CommandOutput("ls -l " + Path("d"));
  EXPECT_EQ(std::count(listing.begin(), listing.end(), '\n'), kFiles + 1) << listing;
  for (int i = 0; i < kFiles; ++i) {
    ASSERT_EQ(::stat(Path("d/f" + std::to_string(i)).c_str(), &st), 0) << std::strerror(errno);
  }
  EXPECT_EQ(Lookups(dispatcher), before);
  EXPECT_EQ(dispatcher.inodes().size(), kFiles + 2u);

  // find reads a whole directory before it stats the entries: each came with the listing too
  // (with READDIRPLUS_AUTO only the first reply's did, and the rest were looked up).
  DropKernelNameCaches();
  ASSERT_TRUE(WaitFor([&] { return dispatcher.inodes().size() == 1; }))
      << dispatcher.inodes().size() << " nodes left after the kernel dropped its caches";
  ASSERT_EQ(::stat(Path("d").c_str(), &st), 0);
  const uint64_t before_find = Lookups(dispatcher);
  const std::string sizes = CommandOutput("find " + Path("d") + " -printf '%s\\n'");
  EXPECT_EQ(std::count(sizes.begin(), sizes.end(), '\n'), kFiles + 1);
  EXPECT_EQ(Lookups(dispatcher), before_find);

  DropKernelNameCaches();
  EXPECT_TRUE(WaitFor([&] { return dispatcher.inodes().size() == 1; }))
      << dispatcher.inodes().size() << " nodes left after the kernel dropped its caches";
}

// With negative_timeout, a missing name is remembered by the kernel: looking it up again asks
// the server nothing; creating it through the mount shows it at once. Without, every lookup of
// a missing name reaches the server.
TEST_F(MountTest, MissingNamesAreCachedForTheNegativeTimeout) {
  FuseSessionOptions options = Options();
  options.fuse.negative_timeout = 600;
  ASSERT_NO_FATAL_FAILURE(Start(options));
  const FuseDispatcher& dispatcher = session_->dispatcher();
  struct stat st {};
  ASSERT_EQ(::stat(Path("missing").c_str(), &st), -1);
  EXPECT_EQ(errno, ENOENT);
  const uint64_t after_first = Lookups(dispatcher);
  ASSERT_EQ(::stat(Path("missing").c_str(), &st), -1);
  EXPECT_EQ(errno, ENOENT);
  EXPECT_EQ(Lookups(dispatcher), after_first);
  EXPECT_EQ(dispatcher.inodes().size(), 1u) << "a negative entry takes no node";

  const int fd = ::open(Path("missing").c_str(), O_CREAT | O_WRONLY, 0644);
  ASSERT_GE(fd, 0) << std::strerror(errno);
  ::close(fd);
  EXPECT_EQ(::stat(Path("missing").c_str(), &st), 0) << std::strerror(errno);
  // So does a directory made over a missing name.
  ASSERT_EQ(::stat(Path("dir").c_str(), &st), -1);
  ASSERT_EQ(::mkdir(Path("dir").c_str(), 0755), 0) << std::strerror(errno);
  EXPECT_EQ(::stat(Path("dir").c_str(), &st), 0) << std::strerror(errno);
}

TEST_F(MountTest, WithoutNegativeTimeoutEveryLookupOfAMissingNameReachesTheServer) {
  ASSERT_NO_FATAL_FAILURE(Start(Options()));
  const FuseDispatcher& dispatcher = session_->dispatcher();
  struct stat st {};
  ASSERT_EQ(::stat(Path("missing").c_str(), &st), -1);
  const uint64_t after_first = Lookups(dispatcher);
  ASSERT_EQ(::stat(Path("missing").c_str(), &st), -1);
  EXPECT_EQ(errno, ENOENT);
  EXPECT_EQ(Lookups(dispatcher), after_first + 1);
}

// Two mounts served by one process over one file system, each kernel keeping names, missing
// names and attributes for 600 s: what is removed, replaced, created or changed through one is
// not shown stale through the other (ServedMounts: FUSE_NOTIFY_INVAL_ENTRY / INVAL_INODE), nor
// through the mount it was changed through.
TEST_F(MountTest, ChangesThroughOneMountAreNotShownStaleThroughAnotherOfTheSameProcess) {
  auto served = std::make_shared<ServedMounts>();
  FuseSessionOptions options = Options();
  options.fuse.entry_timeout = 600;
  options.fuse.attr_timeout = 600;
  options.fuse.negative_timeout = 600;
  options.served_mounts = served;
  ASSERT_NO_FATAL_FAILURE(Start(options));
  const std::string other_mount = dir_.Sub("mnt-b");
  ASSERT_EQ(::mkdir(other_mount.c_str(), 0755), 0) << std::strerror(errno);
  MountGuard other_guard{other_mount};
  options.mount.mount_point = other_mount;
  auto started = FuseSession::Start(*pool_, fs_, options);
  ASSERT_TRUE(started.ok()) << started.error().ToString();
  std::unique_ptr<FuseSession> other = std::move(started.value());
  auto in_b = [&](const std::string& name) { return other_mount + "/" + name; };
  auto write_file = [&](const std::string& path, const std::string& content) {
    const int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0644);
    ASSERT_GE(fd, 0) << std::strerror(errno);
    ASSERT_EQ(::write(fd, content.data(), content.size()), static_cast<ssize_t>(content.size()));
    ASSERT_EQ(::close(fd), 0);
  };
  // stat(2) of `path`: its size, or -errno.
  auto size_of = [](const std::string& path) -> int64_t {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? st.st_size : -errno;
  };
  auto mode_of = [](const std::string& path) -> uint32_t {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? st.st_mode & 07777 : 0;
  };

  ASSERT_NO_FATAL_FAILURE(write_file(Path("gone"), "12345"));
  ASSERT_NO_FATAL_FAILURE(write_file(Path("target"), "12345"));
  ASSERT_NO_FATAL_FAILURE(write_file(Path("source"), "1234567890"));
  ASSERT_NO_FATAL_FAILURE(write_file(Path("rewritten"), "12345"));
  ASSERT_EQ(::mkdir(Path("dir").c_str(), 0755), 0);
  served->Flush();
  // Mount B caches each name and its attributes, and that "new" is missing.
  EXPECT_EQ(size_of(in_b("gone")), 5);
  EXPECT_EQ(size_of(in_b("target")), 5);
  EXPECT_EQ(size_of(in_b("rewritten")), 5);
  EXPECT_EQ(mode_of(in_b("source")), 0644u);
  EXPECT_EQ(size_of(in_b("dir")) >= 0, true);
  EXPECT_EQ(size_of(in_b("new")), -ENOENT);
  const uint64_t lookups_of_b = Lookups(other->dispatcher());
  EXPECT_EQ(size_of(in_b("gone")), 5);
  EXPECT_EQ(size_of(in_b("new")), -ENOENT);
  ASSERT_EQ(Lookups(other->dispatcher()), lookups_of_b) << "mount B does not cache names";

  ASSERT_EQ(::unlink(Path("gone").c_str()), 0) << std::strerror(errno);
  ASSERT_EQ(::rename(Path("source").c_str(), Path("target").c_str()), 0) << std::strerror(errno);
  ASSERT_NO_FATAL_FAILURE(write_file(Path("rewritten"), "1234567"));
  ASSERT_NO_FATAL_FAILURE(write_file(Path("new"), "123"));
  ASSERT_EQ(::rmdir(Path("dir").c_str()), 0) << std::strerror(errno);
  ASSERT_EQ(::chmod(Path("target").c_str(), 0600), 0) << std::strerror(errno);
  served->Flush();  // the notifications follow the replies

  for (const auto& [mount, name] : {std::pair{other_mount, "B"}, std::pair{mount_point_, "A"}}) {
    SCOPED_TRACE(std::string("through mount ") + name);
    EXPECT_EQ(size_of(mount + "/gone"), -ENOENT);
    EXPECT_EQ(size_of(mount + "/source"), -ENOENT);
    EXPECT_EQ(size_of(mount + "/target"), 10);
    EXPECT_EQ(mode_of(mount + "/target"), 0600u);
    EXPECT_EQ(size_of(mount + "/rewritten"), 7);
    EXPECT_EQ(size_of(mount + "/new"), 3);
    EXPECT_EQ(size_of(mount + "/dir"), -ENOENT);
  }
  other->Stop();
}

// A name removed by another client (here a mount of the same file system with no group in
// common, as another daemon's) stays in this mount's kernel for entry_timeout, unless a listing
// through this mount shows it gone: then the kernel drops it (FUSE_NOTIFY_INVAL_ENTRY).
TEST_F(MountTest, ANameAListingShowsRemovedIsDroppedFromTheKernel) {
  FuseSessionOptions options = Options();
  options.fuse.entry_timeout = 600;
  options.fuse.attr_timeout = 600;
  ASSERT_NO_FATAL_FAILURE(Start(options));
  const std::string other_mount = dir_.Sub("mnt-other");
  ASSERT_EQ(::mkdir(other_mount.c_str(), 0755), 0) << std::strerror(errno);
  MountGuard other_guard{other_mount};
  options.mount.mount_point = other_mount;
  auto started = FuseSession::Start(*pool_, fs_, options);
  ASSERT_TRUE(started.ok()) << started.error().ToString();
  std::unique_ptr<FuseSession> other = std::move(started.value());

  ASSERT_EQ(::mkdir(Path("d").c_str(), 0755), 0);
  for (const char* name : {"kept", "removed"}) {
    const int fd = ::open(Path(std::string("d/") + name).c_str(), O_CREAT | O_WRONLY, 0644);
    ASSERT_GE(fd, 0) << std::strerror(errno);
    ::close(fd);
  }
  struct stat st {};
  ASSERT_EQ(::stat(Path("d/removed").c_str(), &st), 0);
  ASSERT_EQ(::unlink((other_mount + "/d/removed").c_str()), 0) << std::strerror(errno);
  EXPECT_EQ(::stat(Path("d/removed").c_str(), &st), 0) << "the kernel keeps the name";

  EXPECT_EQ(CommandOutput("ls " + Path("d")), "kept\n");
  session_->served_mounts().Flush();  // the notification follows the reply
  EXPECT_EQ(::stat(Path("d/removed").c_str(), &st), -1);
  EXPECT_EQ(errno, ENOENT);
  EXPECT_EQ(::stat(Path("d/kept").c_str(), &st), 0) << std::strerror(errno);
  other->Stop();
}

TEST_F(MountTest, AllowRootAnswersOtherUsersEacces) {
  constexpr uid_t kNobody = 65534;
  ASSERT_EQ(::chmod(dir_.path().c_str(), 0755), 0);
  FuseSessionOptions options = Options();
  options.mount.mount_options = {"allow_root"};
  ASSERT_NO_FATAL_FAILURE(Start(std::move(options)));
  struct stat st {};
  EXPECT_EQ(::stat(Path("missing-1").c_str(), &st), -1);
  EXPECT_EQ(errno, ENOENT);
  // The kernel lets everyone in (allow_other); the transport answers LOOKUP EACCES.
  EXPECT_EQ(StatErrnoAs(kNobody, Path("missing-2")), EACCES);
  session_->Stop();

  options = Options();
  options.mount.mount_options = {"allow_other"};
  session_.reset();
  ASSERT_NO_FATAL_FAILURE(Start(std::move(options)));
  EXPECT_EQ(StatErrnoAs(kNobody, Path("missing-3")), ENOENT);
}

TEST_F(MountTest, RequestSlotsBoundTheRequestsServedConcurrently) {
  FuseSessionOptions options = Options();
  options.request_slots = 3;
  options.reading_reactors = 2;   // slots spread over both reactors
  options.fuse.direct_io = true;  // every read reaches the server
  ASSERT_NO_FATAL_FAILURE(Start(std::move(options)));
  const auto& transport = dynamic_cast<const DevFuseTransport&>(session_->transport());
  EXPECT_EQ(transport.slots_per_reactor(), (std::vector<size_t>{2, 1}));

  const std::string path = Path("shared");
  int fd = ::open(path.c_str(), O_CREAT | O_WRONLY, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, "0123456789", 10), 10);
  ::close(fd);

  fs_.block = true;
  std::atomic<int> correct{0};
  std::vector<std::thread> readers;
  for (int i = 0; i < 5; ++i) {
    readers.emplace_back([&, i] {
      const int rfd = ::open(path.c_str(), O_RDONLY);
      char c = 0;
      if (rfd >= 0 && ::pread(rfd, &c, 1, i) == 1 && c == '0' + i) ++correct;
      if (rfd >= 0) ::close(rfd);
    });
  }
  // Three READs reach the file system; the other two wait in the kernel for a free slot.
  EXPECT_TRUE(WaitFor([&] { return fs_.blocked.load() == 3; }));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(fs_.blocked.load(), 3);
  EXPECT_EQ(session_->in_flight(), 3u);
  fs_.block = false;
  for (auto& r : readers) r.join();
  EXPECT_EQ(correct.load(), 5);
}

// Runs fn on a thread pinned to `cpu`, so the kernel hands its requests to that CPU's queue.
void OnCpu(int cpu, const std::function<void()>& fn) {
  std::thread thread([&] {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    (void)::pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
    fn();
  });
  thread.join();
}

TEST_F(MountTest, IoUringServesEveryCpuFromItsRingAndEndsOnUnmount) {
  if (Status ready = UringFuseTransport::KernelReady(); !ready.ok()) {
    GTEST_SKIP() << ready.error().ToString();
  }
  FuseSessionOptions options = Options();
  options.io_uring = true;
  options.fuse.direct_io = true;  // every read reaches the server
  ASSERT_NO_FATAL_FAILURE(Start(std::move(options)));
  ASSERT_STREQ(session_->transport().name(), "io-uring");
  const auto& transport = dynamic_cast<const UringFuseTransport&>(session_->transport());
  struct stat st {};
  ASSERT_EQ(::stat(mount_point_.c_str(), &st), 0) << std::strerror(errno);  // after INIT
  // 16 slots over 2 reactors: 8 entries in each queue.
  ASSERT_TRUE(WaitFor([&] { return transport.registered_entries() == transport.queues() * 8; }))
      << transport.registered_entries() << " entries registered";
  EXPECT_NE(session_->dispatcher().negotiated_flags() & abi::kOverIoUring, 0u);

  const std::string data = Pattern((2 << 20) + 4321);
  const int cpus = static_cast<int>(std::min<size_t>(transport.queues(), 2));
  for (int cpu = 0; cpu < cpus; ++cpu) {
    const uint64_t before = transport.ring_requests();
    const std::string dir = Path("cpu" + std::to_string(cpu));
    OnCpu(cpu, [&] {
      ASSERT_EQ(::mkdir(dir.c_str(), 0755), 0) << std::strerror(errno);
      EXPECT_EQ(::mkdir(dir.c_str(), 0755), -1);
      EXPECT_EQ(errno, EEXIST);
      struct stat missing {};
      EXPECT_EQ(::stat((dir + "/missing").c_str(), &missing), -1);
      EXPECT_EQ(errno, ENOENT);
      // WRITE payloads arrive in the ring's payload buffer; READ replies are built in it.
      ASSERT_NO_FATAL_FAILURE(WritePath(dir + "/file", data));
      EXPECT_EQ(ReadPath(dir + "/file"), data);
      DIR* listing = ::opendir(dir.c_str());
      ASSERT_NE(listing, nullptr) << std::strerror(errno);
      std::vector<std::string> names;
      while (dirent* e = ::readdir(listing)) names.emplace_back(e->d_name);
      ::closedir(listing);
      std::sort(names.begin(), names.end());
      EXPECT_EQ(names, (std::vector<std::string>{".", "..", "file"}));
    });
    EXPECT_GT(transport.ring_requests(), before + 5)
        << "CPU " << cpu << " was not served by a ring";
  }

  ExpectUmountEndsTheSession();
  session_->Stop();
  EXPECT_EQ(transport.registered_entries(), 0u);
  EXPECT_FALSE(IsFuseMountPoint(mount_point_));
}

TEST_F(MountTest, IoUringPollsForTheNextRequestOnlyWhenAsked) {
  if (Status ready = UringFuseTransport::KernelReady(); !ready.ok()) {
    GTEST_SKIP() << ready.error().ToString();
  }
  for (const auto poll : {0us, 20000us}) {  // a long poll: every next request falls in it
    FuseSessionOptions options = Options();
    options.io_uring = true;
    options.io_uring_poll = poll;
    ASSERT_NO_FATAL_FAILURE(Start(std::move(options)));
    const auto& transport = dynamic_cast<const UringFuseTransport&>(session_->transport());
    struct stat st {};
    ASSERT_EQ(::stat(mount_point_.c_str(), &st), 0) << std::strerror(errno);
    ASSERT_TRUE(WaitFor([&] { return transport.registered_entries() > 0; }));
    // A missing name is looked up anew each time (an error reply leaves no negative entry).
    OnCpu(0, [&] {
      for (int i = 0; i < 200; ++i) {
        struct stat missing {};
        ASSERT_EQ(::stat(Path("missing").c_str(), &missing), -1);
        ASSERT_EQ(errno, ENOENT);
      }
    });
    if (poll == 0us) {
      EXPECT_EQ(transport.polled_completions(), 0u);
    } else {
      EXPECT_GE(transport.polled_completions(), 100u) << "of 200 lookups";
    }
    ExpectUmountEndsTheSession();  // also while a queue polls
    session_->Stop();
    session_.reset();
  }
}

TEST_F(MountTest, ExternalUmountEndsTheSession) {
  ASSERT_NO_FATAL_FAILURE(Start(Options()));
  struct stat st {};
  ASSERT_EQ(::stat(mount_point_.c_str(), &st), 0);
  ExpectUmountEndsTheSession();
  EXPECT_FALSE(IsFuseMountPoint(mount_point_));
  session_->Stop();  // nothing left to unmount: must not fail or touch the path
  ASSERT_EQ(::stat(mount_point_.c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
}

TEST_F(MountTest, StopWhileAReaderIsBlocked) {
  FuseSessionOptions options = Options();
  options.fuse.direct_io = true;  // every read reaches the server
  ASSERT_NO_FATAL_FAILURE(Start(std::move(options)));
  const std::string path = Path("slow");
  int fd = ::open(path.c_str(), O_CREAT | O_WRONLY, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, "data", 4), 4);
  ::close(fd);
  fd = ::open(path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0) << std::strerror(errno);

  fs_.block = true;
  std::atomic<bool> done{false};
  ssize_t result = 0;
  int read_errno = 0;
  std::thread reader([&] {
    char buffer[16];
    result = ::pread(fd, buffer, sizeof(buffer), 0);
    read_errno = errno;
    done = true;
  });
  ASSERT_TRUE(WaitFor([&] { return fs_.blocked.load() > 0; })) << "the READ never arrived";
  EXPECT_EQ(session_->in_flight(), 1u);

  session_->Stop();
  EXPECT_TRUE(WaitFor([&] { return done.load(); })) << "the reader is still blocked";
  if (!done) (void)UnmountPath(mount_point_, /*lazy=*/true);
  reader.join();
  ::close(fd);
  EXPECT_EQ(result, -1);
  EXPECT_TRUE(read_errno == ENOTCONN || read_errno == ECONNABORTED || read_errno == EIO ||
              read_errno == EINTR)
      << std::strerror(read_errno);
  EXPECT_FALSE(IsFuseMountPoint(mount_point_));
  // The stuck READ was cancelled (its coroutine got operation_aborted), not abandoned.
  EXPECT_EQ(session_->in_flight(), 0u);
}

TEST_F(MountTest, UnmountPathCleansUpAStaleMount) {
  // A daemon that mounts and dies without unmounting: the kernel sees the fd closed.
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    MountRequest request;
    request.mount_point = mount_point_;
    auto mount = FuseMount::Mount(request);
    const char status = mount.ok() ? 'y' : 'n';
    (void)!::write(ready[1], &status, 1);
    ::_exit(0);  // no unmount: the mount stays, its connection dies with the fd
  }
  ::close(ready[1]);
  char status = 0;
  ASSERT_EQ(::read(ready[0], &status, 1), 1);
  ::close(ready[0]);
  int wstatus = 0;
  ASSERT_EQ(::waitpid(child, &wstatus, 0), child);
  ASSERT_EQ(status, 'y') << "the child could not mount";

  ASSERT_TRUE(IsFuseMountPoint(mount_point_));
  struct stat st {};
  EXPECT_EQ(::stat(mount_point_.c_str(), &st), -1);
  EXPECT_EQ(errno, ENOTCONN);
  DIR* dir = ::opendir(mount_point_.c_str());
  EXPECT_EQ(dir, nullptr);
  if (dir != nullptr) ::closedir(dir);

  Status s = UnmountPath(mount_point_, /*lazy=*/false);
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_FALSE(IsFuseMountPoint(mount_point_));
  ASSERT_EQ(::stat(mount_point_.c_str(), &st), 0) << std::strerror(errno);
  EXPECT_TRUE(S_ISDIR(st.st_mode));

  s = UnmountPath(mount_point_, /*lazy=*/false);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument);
}

TEST_F(MountTest, MountErrorsNameTheMountPoint) {
  MountRequest request;
  request.mount_point = dir_.Sub("nope");
  auto missing = FuseMount::Mount(request);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.code(), ErrorCode::kNotFound);
  EXPECT_NE(missing.error().message.find(request.mount_point), std::string::npos);

  request.mount_point = dir_.Sub("file");
  std::ofstream(request.mount_point) << "x";
  auto file = FuseMount::Mount(request);
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.code(), ErrorCode::kNotADirectory);

  request.mount_point = mount_point_;
  request.mount_options = {"no_such_option"};
  auto bad = FuseMount::Mount(request);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.error().message.find("no_such_option"), std::string::npos) << bad.error().message;
  EXPECT_FALSE(IsFuseMountPoint(mount_point_));
}

}  // namespace
}  // namespace alluxio::fuse
