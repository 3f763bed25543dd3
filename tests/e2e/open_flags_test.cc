// Every open(2) flag combination on a real mount, against the contract of SEMANTICS.md ("open
// and create"): the access modes × every subset of O_CREAT, O_EXCL, O_TRUNC, O_APPEND,
// O_DIRECTORY, O_NOFOLLOW and O_PATH, on five kinds of path. Each case uses a fresh name, opens
// it, reads (readable opens), writes "new" (writable opens), closes, and then records what is at
// the path. ExpectedOutcome is the contract: the kernel's own rules first, then Alluxio's
// write-once model. Needs root and /dev/fuse (skipped otherwise).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tests/cluster/cluster_processes.h"
#include "tests/e2e/fuse_harness.h"
#include "tests/e2e/whole_files.h"
#include "tests/util/temp_dir.h"

namespace alluxio::testing {
namespace {

enum class State { kMissing, kEmpty, kComplete, kBeingWritten, kDirectory };

constexpr State kStates[] = {State::kMissing, State::kEmpty, State::kComplete, State::kBeingWritten,
                             State::kDirectory};
constexpr int kAccessModes[] = {O_RDONLY, O_WRONLY, O_RDWR};
constexpr int kFlags[] = {O_CREAT, O_EXCL, O_TRUNC, O_APPEND, O_DIRECTORY, O_NOFOLLOW, O_PATH};

// Content of a complete file, and what the other writer of a file being written wrote.
constexpr std::string_view kOld = "old";
constexpr std::string_view kPartial = "partial";

std::string StateName(State s) {
  switch (s) {
    case State::kMissing:
      return "missing";
    case State::kEmpty:
      return "empty file";
    case State::kComplete:
      return "complete file";
    case State::kBeingWritten:
      return "file being written";
    case State::kDirectory:
      return "directory";
  }
  return "?";
}

std::string FlagsName(int flags) {
  std::string out;
  switch (flags & O_ACCMODE) {
    case O_RDONLY:
      out = "O_RDONLY";
      break;
    case O_WRONLY:
      out = "O_WRONLY";
      break;
    default:
      out = "O_RDWR";
  }
  const std::pair<int, const char*> names[] = {
      {O_CREAT, "O_CREAT"},   {O_EXCL, "O_EXCL"},           {O_TRUNC, "O_TRUNC"},
      {O_APPEND, "O_APPEND"}, {O_DIRECTORY, "O_DIRECTORY"}, {O_NOFOLLOW, "O_NOFOLLOW"},
      {O_PATH, "O_PATH"}};
  for (const auto& [bit, name] : names) {
    if (flags & bit) out += fmt::format("|{}", name);
  }
  return out;
}

std::string ErrnoName(int err) {
  if (err == 0) return "ok";
  const char* name = strerrorname_np(err);
  return name != nullptr ? name : fmt::format("errno {}", err);
}

// What one case produced, in the form the table compares.
struct Outcome {
  int open_errno = 0;
  std::string read = "-";   // "-": not tried; else the bytes read or the errno's name
  std::string write = "-";  // "-": not tried; else "ok" or the errno's name
  int close_errno = 0;
  std::string after;  // "missing", "directory" or 'file "<content>"'

  std::string ToString() const {
    if (open_errno != 0) return fmt::format("open {} -> {}", ErrnoName(open_errno), after);
    return fmt::format("open ok, read {}, write {}, close {} -> {}", read, write,
                       ErrnoName(close_errno), after);
  }
};

std::string FileState(std::string_view content) { return fmt::format("file \"{}\"", content); }

std::string StateAfter(State s) {
  switch (s) {
    case State::kMissing:
      return "missing";
    case State::kEmpty:
      return FileState("");
    case State::kComplete:
      return FileState(kOld);
    case State::kBeingWritten:
      return FileState(kPartial);
    case State::kDirectory:
      return "directory";
  }
  return "?";
}

// The contract. The kernel decides first (open(2), path_openat, may_open); what reaches the
// server follows Alluxio's write-once model (SEMANTICS.md "open and create").
Outcome ExpectedOutcome(int flags, State s) {
  Outcome o;
  o.after = StateAfter(s);
  const int access = flags & O_ACCMODE;
  if (flags & O_PATH) {
    // O_PATH keeps only O_DIRECTORY and O_NOFOLLOW: no access mode, no creation, no I/O.
    if (s == State::kMissing) {
      o.open_errno = ENOENT;
    } else if ((flags & O_DIRECTORY) && s != State::kDirectory) {
      o.open_errno = ENOTDIR;
    }
    return o;
  }
  if ((flags & O_CREAT) && (flags & O_DIRECTORY)) {
    o.open_errno = EINVAL;  // Linux 6.4 and later
    return o;
  }
  if (s == State::kMissing) {
    if (!(flags & O_CREAT)) {
      o.open_errno = ENOENT;
      return o;
    }
    // Created: empty and complete at once when opened read-only, else written once.
    if (access != O_WRONLY) o.read = "\"\"";
    if (access == O_RDONLY) {
      o.after = FileState("");
    } else {
      o.write = "ok";
      o.after = FileState("new");
    }
    return o;
  }
  if ((flags & O_CREAT) && (flags & O_EXCL)) {
    o.open_errno = EEXIST;
    return o;
  }
  if (s == State::kDirectory) {
    if ((flags & O_CREAT) || access != O_RDONLY || (flags & O_TRUNC)) o.open_errno = EISDIR;
    return o;  // opened as a directory: no file I/O
  }
  if (flags & O_DIRECTORY) {
    o.open_errno = ENOTDIR;
    return o;
  }
  if (s == State::kBeingWritten) {
    // Another writer has the file open: readers wait 5 s for it, writers are refused at once.
    o.open_errno = EBUSY;
    return o;
  }
  const bool truncate = (flags & O_TRUNC) != 0;
  const std::string_view content = s == State::kComplete && !truncate ? kOld : "";
  if (access != O_WRONLY) o.read = fmt::format("\"{}\"", content);
  if (access == O_RDONLY) {
    o.after = FileState(content);  // O_RDONLY | O_TRUNC truncates, as Linux does
  } else if (content.empty()) {
    o.write = "ok";  // an empty file, or a replacement (O_TRUNC)
    o.after = FileState("new");
  } else {
    o.write = "EOPNOTSUPP";  // a complete file is not rewritten or appended to
  }
  return o;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Sets `path` up in state `s`. For kBeingWritten returns the writer's descriptor (else -1).
int Prepare(const std::string& path, State s) {
  switch (s) {
    case State::kMissing:
      return -1;
    case State::kDirectory:
      EXPECT_EQ(::mkdir(path.c_str(), 0755), 0) << path << ": " << std::strerror(errno);
      return -1;
    case State::kEmpty:
    case State::kComplete:
    case State::kBeingWritten: {
      const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
      EXPECT_GE(fd, 0) << path << ": " << std::strerror(errno);
      const std::string_view content = s == State::kComplete       ? kOld
                                       : s == State::kBeingWritten ? kPartial
                                                                   : "";
      if (!content.empty()) {
        EXPECT_EQ(::write(fd, content.data(), content.size()),
                  static_cast<ssize_t>(content.size()));
      }
      if (s == State::kBeingWritten) return fd;
      EXPECT_EQ(::close(fd), 0) << path << ": " << std::strerror(errno);
      return -1;
    }
  }
  return -1;
}

Outcome RunCase(const std::string& path, int flags, State s) {
  const int writer = Prepare(path, s);
  Outcome o;
  const int fd = ::open(path.c_str(), flags, 0644);
  if (fd < 0) {
    o.open_errno = errno;
  } else {
    struct stat st {};
    const bool regular = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && !(flags & O_PATH);
    const int access = flags & O_ACCMODE;
    if (regular && access != O_WRONLY) {
      char buf[64];
      const ssize_t n = ::pread(fd, buf, sizeof(buf), 0);
      o.read = n < 0 ? ErrnoName(errno) : fmt::format("\"{}\"", std::string_view(buf, n));
    }
    if (regular && access != O_RDONLY) {
      o.write = ::write(fd, "new", 3) == 3 ? "ok" : ErrnoName(errno);
    }
    if (::close(fd) != 0) o.close_errno = errno;
  }
  if (writer >= 0) {
    EXPECT_EQ(::close(writer), 0) << path << ": " << std::strerror(errno);
  }
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    o.after = "missing";
  } else if (S_ISDIR(st.st_mode)) {
    o.after = "directory";
  } else {
    o.after = FileState(ReadAll(path));
  }
  return o;
}

TEST(OpenFlagsTest, EveryCombinationMatchesTheContract) {
  if (!CanMount()) GTEST_SKIP() << "needs root and /dev/fuse";
  TempDir dirs;
  ClusterProcesses cluster;
  ASSERT_TRUE(cluster.StartMaster());
  ASSERT_TRUE(cluster.StartWorker());
  FuseHarness fuse(cluster.home(), cluster.DefineArgs());
  const std::string mp = dirs.Sub("mnt");
  std::filesystem::create_directories(mp);
  CommandResult mounted = fuse.Mount(mp);
  ASSERT_EQ(mounted.exit_code, 0) << mounted.out << mounted.err;

  struct Case {
    int flags;
    State state;
  };
  std::vector<Case> cases;
  for (State s : kStates) {
    for (int access : kAccessModes) {
      for (int subset = 0; subset < (1 << std::size(kFlags)); ++subset) {
        int flags = access;
        for (size_t bit = 0; bit < std::size(kFlags); ++bit) {
          if (subset & (1 << bit)) flags |= kFlags[bit];
        }
        cases.push_back({flags, s});
      }
    }
  }
  std::vector<Outcome> got(cases.size());
  // Reads of a file being written wait 5 s before EBUSY: cases run on several threads.
  std::atomic<size_t> next{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 12; ++t) {
    threads.emplace_back([&] {
      for (size_t i = next++; i < cases.size(); i = next++) {
        got[i] = RunCase(fmt::format("{}/case{}", mp, i), cases[i].flags, cases[i].state);
      }
    });
  }
  for (std::thread& t : threads) t.join();

  size_t passed = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    const std::string expected = ExpectedOutcome(cases[i].flags, cases[i].state).ToString();
    const std::string actual = got[i].ToString();
    EXPECT_EQ(actual, expected) << FlagsName(cases[i].flags) << " on a "
                                << StateName(cases[i].state);
    if (actual == expected) ++passed;
  }
  std::cout << fmt::format("{} of {} open flag combinations as SEMANTICS.md states\n", passed,
                           cases.size());
  EXPECT_EQ(fuse.Unmount(mp).exit_code, 0);
}

}  // namespace
}  // namespace alluxio::testing
