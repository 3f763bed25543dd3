// kill -9 in the middle of a stream of acknowledged mutations: after reopening, every
// acknowledged one is there.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <set>
#include <string_view>
#include <thread>
#include <vector>

#include "core/common/block_id.h"
#include "core/master/namespace.h"
#include "tests/master/master_test_util.h"

namespace alluxio::testing {
namespace {

enum class Op : uint32_t {
  kMkdir = 1,
  kCreate = 2,
  kComplete = 3,
  kRename = 4,
  kRemove = 5,
  kSymlink = 6,
};

struct Ack {
  Op op;
  uint32_t index;
};

constexpr uint32_t kOpsPerRound = 400;

std::string Dir(uint32_t round, uint32_t i) { return fmt::format("/r{}/d{}", round, i); }
std::string Moved(uint32_t round, uint32_t i) { return fmt::format("/r{}/m{}", round, i); }
std::string File(uint32_t round, uint32_t i) { return fmt::format("/r{}/d{}/f", round, i); }
std::string Link(uint32_t round, uint32_t i) { return fmt::format("/r{}/d{}/l", round, i); }
std::string Target(uint32_t i) { return fmt::format("f-{}", i); }

// Child process body: performs the round's operations, writing an Ack to `fd` after each one
// returns success, then waits to be killed. Never returns.
[[noreturn]] void RunChild(Namespace::Options options, uint32_t round, int fd) {
  auto opened = Namespace::Open(std::move(options));
  if (!opened.ok()) {
    std::fprintf(stderr, "child: open: %s\n", opened.error().ToString().c_str());
    _exit(2);
  }
  Namespace& ns = **opened;
  auto ack = [fd](Op op, uint32_t i) {
    Ack a{op, i};
    if (::write(fd, &a, sizeof a) != static_cast<ssize_t>(sizeof a)) _exit(3);
  };
  auto check = [](const auto& result, const char* what) {
    if (!result.ok()) {
      std::fprintf(stderr, "child: %s: %s\n", what, result.error().ToString().c_str());
      _exit(4);
    }
  };
  CreateDirectoryOptions mkdir_options;
  mkdir_options.recursive = true;
  for (uint32_t i = 0; i < kOpsPerRound; ++i) {
    check(ns.CreateDirectory(Dir(round, i), mkdir_options), "mkdir");
    ack(Op::kMkdir, i);
    CreateFileOptions create;
    create.block_size = 100;
    auto created = ns.CreateFile(File(round, i), create);
    check(created, "create");
    ack(Op::kCreate, i);
    CompleteFileOptions complete;
    complete.length = 101 + i % 99;  // two 100-byte blocks
    complete.block_ids = {BlockIdForFile(created->info.id, 0), BlockIdForFile(created->info.id, 1)};
    check(ns.CompleteFile(created->info.id, complete), "complete");
    ack(Op::kComplete, i);
    check(ns.CreateSymlink(Link(round, i), Target(i), CreateSymlinkOptions{}), "symlink");
    ack(Op::kSymlink, i);
    if (i % 3 == 1) {
      check(ns.Rename(Dir(round, i), Moved(round, i)), "rename");
      ack(Op::kRename, i);
    } else if (i % 3 == 2) {
      check(ns.Remove(Dir(round, i), true), "remove");
      ack(Op::kRemove, i);
    }
  }
  // Wait for the kill even if every operation is done before the parent reads the acks.
  while (true) ::pause();
}

constexpr uint32_t kConcurrentWriters = 8;
constexpr uint32_t kFilesPerWriter = 100;

std::string ConcurrentFile(uint32_t writer, uint32_t i) {
  return fmt::format("/c/w{}/f{}", writer, i);
}

// Child process body of the concurrent test: kConcurrentWriters threads each create and complete
// their files (their completions share WAL syncs), writing an Ack {kComplete, writer << 16 | i}
// to `fd` after each completion returns. Never returns.
[[noreturn]] void RunConcurrentChild(Namespace::Options options, int fd) {
  auto opened = Namespace::Open(std::move(options));
  if (!opened.ok()) _exit(2);
  Namespace& ns = **opened;
  CreateDirectoryOptions mkdir_options;
  mkdir_options.recursive = true;
  for (uint32_t w = 0; w < kConcurrentWriters; ++w) {
    if (!ns.CreateDirectory(fmt::format("/c/w{}", w), mkdir_options).ok()) _exit(4);
  }
  std::vector<std::thread> writers;
  for (uint32_t w = 0; w < kConcurrentWriters; ++w) {
    writers.emplace_back([&ns, w, fd] {
      for (uint32_t i = 0; i < kFilesPerWriter; ++i) {
        CreateFileOptions create;
        create.block_size = 100;
        auto created = ns.CreateFile(ConcurrentFile(w, i), create);
        if (!created.ok()) _exit(4);
        CompleteFileOptions complete;
        complete.length = 1 + i;  // one 100-byte block
        complete.block_ids = {BlockIdForFile(created->info.id, 0)};
        if (!ns.CompleteFile(created->info.id, complete).ok()) _exit(4);
        Ack a{Op::kComplete, w << 16 | i};  // one write of a few bytes to a pipe: atomic
        if (::write(fd, &a, sizeof a) != static_cast<ssize_t>(sizeof a)) _exit(3);
      }
    });
  }
  for (auto& t : writers) t.join();
  while (true) ::pause();
}

// The child runs in a fresh process image (this binary re-executed with this test selected),
// so that it does not inherit the parent's RocksDB thread pools half-alive through fork().
TEST(NamespaceCrashChild, DISABLED_Run) {
  const char* db = std::getenv("ALLUXIO_CRASH_DB");
  const char* ufs = std::getenv("ALLUXIO_CRASH_UFS");
  const char* round = std::getenv("ALLUXIO_CRASH_ROUND");
  const char* fd = std::getenv("ALLUXIO_CRASH_FD");
  if (db == nullptr || ufs == nullptr || round == nullptr || fd == nullptr) {
    GTEST_SKIP() << "only run as the child of AcknowledgedOperationsSurviveKill9";
  }
  Namespace::Options options;
  options.db_path = db;
  options.root_ufs_uri = ufs;
  if (std::string_view(round) == "concurrent")
    RunConcurrentChild(std::move(options), std::stoi(fd));
  RunChild(std::move(options), static_cast<uint32_t>(std::stoul(round)), std::stoi(fd));
}

// Kills (SIGKILL) and reaps the child on every exit path of the test.
class ChildGuard {
 public:
  explicit ChildGuard(pid_t pid) : pid_(pid) {}
  ~ChildGuard() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  // Reaps the child; returns its wait status.
  int Wait() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }

 private:
  pid_t pid_;
};

class NamespaceCrashTest : public NamespaceTest {
 protected:
  // Runs the child (this binary again, NamespaceCrashChild.DISABLED_Run) over this fixture's
  // store with ALLUXIO_CRASH_ROUND=`round`, SIGKILLs it once it acknowledged `kill_after`
  // operations, and returns in `acks` every acknowledgement it wrote. The store must be closed.
  void RunChildAndKill(const std::string& round, uint32_t kill_after, std::vector<Ack>* acks) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    std::vector<std::string> env_strings = {
        "ALLUXIO_CRASH_DB=" + db_path_, "ALLUXIO_CRASH_UFS=file://" + ufs_root_,
        "ALLUXIO_CRASH_ROUND=" + round, fmt::format("ALLUXIO_CRASH_FD={}", fds[1])};
    for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
    std::vector<char*> envp;
    for (std::string& e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);
    std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
    std::string also_disabled = "--gtest_also_run_disabled_tests";
    std::string filter = "--gtest_filter=NamespaceCrashChild.DISABLED_Run";
    char* argv[] = {self.data(), also_disabled.data(), filter.data(), nullptr};

    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      ::execve(self.c_str(), argv, envp.data());
      _exit(127);
    }
    ChildGuard guard(pid);
    ::close(fds[1]);
    bool killed = false;
    Ack ack;
    while (true) {
      ssize_t n = ::read(fds[0], &ack, sizeof ack);
      if (n == 0) break;  // the child is gone and every ack it wrote has been read
      ASSERT_EQ(n, static_cast<ssize_t>(sizeof ack));
      acks->push_back(ack);
      if (!killed && acks->size() == kill_after) {
        ASSERT_EQ(::kill(pid, SIGKILL), 0);
        killed = true;
      }
    }
    ::close(fds[0]);
    int wstatus = guard.Wait();
    ASSERT_TRUE(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL)
        << "child exited on its own, status " << wstatus;
    ASSERT_GE(acks->size(), kill_after);
  }
};

TEST_F(NamespaceCrashTest, AcknowledgedOperationsSurviveKill9) {
  std::random_device device;
  uint32_t seed = device();
  std::mt19937 rng(seed);
  SCOPED_TRACE(fmt::format("seed {}", seed));

  for (uint32_t round = 0; round < 3; ++round) {
    ns_.reset();  // the child owns the store while it runs
    // Ops acknowledged in a round: 4 per index plus a rename/remove for 2 of 3 indexes.
    uint32_t total_acks = kOpsPerRound * 4 + (kOpsPerRound * 2) / 3;
    uint32_t kill_after = std::uniform_int_distribution<uint32_t>(1, total_acks - 1)(rng);
    std::vector<Ack> acks;
    ASSERT_NO_FATAL_FAILURE(RunChildAndKill(fmt::format("{}", round), kill_after, &acks));

    Reopen();
    // Replay the acknowledged ops into the expected final state of each index.
    struct Expect {
      bool dir = false, file = false, complete = false, link = false, moved = false,
           removed = false;
    };
    std::map<uint32_t, Expect> expect;
    for (const Ack& a : acks) {
      Expect& e = expect[a.index];
      switch (a.op) {
        case Op::kMkdir:
          e.dir = true;
          break;
        case Op::kCreate:
          e.file = true;
          break;
        case Op::kComplete:
          e.complete = true;
          break;
        case Op::kSymlink:
          e.link = true;
          break;
        case Op::kRename:
          e.moved = true;
          break;
        case Op::kRemove:
          e.removed = true;
          break;
      }
    }
    for (const auto& [i, e] : expect) {
      SCOPED_TRACE(fmt::format("round {} index {}", round, i));
      if (e.removed) {
        EXPECT_EQ(ns_->GetStatus(Dir(round, i)).code(), ErrorCode::kNotFound);
        continue;
      }
      std::string dir = e.moved ? Moved(round, i) : Dir(round, i);
      if (e.moved) {
        EXPECT_EQ(ns_->GetStatus(Dir(round, i)).code(), ErrorCode::kNotFound);
      }
      ASSERT_TRUE(e.dir);
      auto d = ns_->GetStatus(dir);
      ASSERT_TRUE(d.ok()) << dir << ": " << d.error().ToString();
      EXPECT_TRUE(d->is_directory);
      if (!e.file) continue;
      auto f = ns_->GetStatus(dir + "/f");
      ASSERT_TRUE(f.ok()) << dir << "/f: " << f.error().ToString();
      if (e.complete) {
        EXPECT_TRUE(f->completed);
        EXPECT_EQ(f->length, 101u + i % 99);
        EXPECT_EQ(f->block_ids.size(), 2u);
      }
      if (!e.link) continue;
      auto l = ns_->GetStatus(dir + "/l");
      ASSERT_TRUE(l.ok()) << dir << "/l: " << l.error().ToString();
      EXPECT_EQ(l->symlink_target, Target(i));
    }
    // The store is usable and ids stay unique after the crash.
    std::set<uint64_t> ids;
    for (const auto& [i, e] : expect) {
      for (const std::string& p :
           {Dir(round, i), Moved(round, i), File(round, i), Moved(round, i) + "/f", Link(round, i),
            Moved(round, i) + "/l"}) {
        auto st = ns_->GetStatus(p);
        if (st.ok()) {
          EXPECT_TRUE(ids.insert(st->id).second) << p;
        }
      }
    }
    for (int k = 0; k < 5; ++k) {
      FileInfo fresh = MustCreateFile(fmt::format("/r{}/after{}", round, k));
      EXPECT_TRUE(ids.insert(fresh.id).second) << "id reused after the crash";
    }
  }
}

// Completions acknowledged by concurrent callers (which share WAL syncs) all survive a kill -9
// that comes right after them.
TEST_F(NamespaceCrashTest, ConcurrentCompletionsSurviveKill9) {
  std::random_device device;
  uint32_t seed = device();
  std::mt19937 rng(seed);
  SCOPED_TRACE(fmt::format("seed {}", seed));
  ns_.reset();  // the child owns the store while it runs
  const uint32_t total = kConcurrentWriters * kFilesPerWriter;
  uint32_t kill_after = std::uniform_int_distribution<uint32_t>(1, total - 1)(rng);
  std::vector<Ack> acks;
  ASSERT_NO_FATAL_FAILURE(RunChildAndKill("concurrent", kill_after, &acks));
  Reopen();
  for (const Ack& a : acks) {
    uint32_t writer = a.index >> 16, i = a.index & 0xffff;
    auto f = ns_->GetStatus(ConcurrentFile(writer, i));
    ASSERT_TRUE(f.ok()) << ConcurrentFile(writer, i) << ": " << f.error().ToString();
    EXPECT_TRUE(f->completed) << ConcurrentFile(writer, i);
    EXPECT_EQ(f->length, 1u + i);
  }
}

}  // namespace
}  // namespace alluxio::testing
