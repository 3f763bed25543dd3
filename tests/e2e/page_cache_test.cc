// The kernel's page cache of complete files on real mounts (SEMANTICS.md, "read"): kept across
// opens of an unchanged file, never shown for a file replaced since, whichever mount of this
// host replaced it. Needs root and /dev/fuse (skipped otherwise).
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/cluster/cluster_processes.h"
#include "tests/e2e/fuse_harness.h"
#include "tests/e2e/mounted_cluster_test.h"
#include "tests/e2e/whole_files.h"
#include "tests/util/temp_dir.h"

namespace alluxio::testing {
namespace {

// Pages of `path` in the page cache right after an open, before any read (mincore of a
// mapping of it); -1 if it cannot be opened or mapped.
long ResidentPagesAtOpen(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY);
  if (fd < 0) return -1;
  struct stat st {};
  long resident = -1;
  if (fstat(fd, &st) == 0 && st.st_size > 0) {
    void* map = mmap(nullptr, st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    if (map != MAP_FAILED) {
      const long page = sysconf(_SC_PAGESIZE);
      std::vector<unsigned char> vec((st.st_size + page - 1) / page);
      if (mincore(map, st.st_size, vec.data()) == 0) {
        resident = 0;
        for (unsigned char v : vec) resident += v & 1;
      }
      munmap(map, st.st_size);
    }
  }
  close(fd);
  return resident;
}

// `actual` is `expected`; else where they first differ (the bytes are not printed).
::testing::AssertionResult SameBytes(const std::string& actual, const std::string& expected) {
  if (actual == expected) return ::testing::AssertionSuccess();
  const auto diff = std::mismatch(actual.begin(), actual.end(), expected.begin(), expected.end());
  return ::testing::AssertionFailure()
         << actual.size() << " bytes read, " << expected.size() << " expected, first difference at "
         << (diff.first - actual.begin());
}

// Reads the whole file through one descriptor.
std::string ReadThrough(int fd) {
  std::string out;
  char buf[65536];
  for (off_t at = 0;;) {
    const ssize_t n = pread(fd, buf, sizeof(buf), at);
    if (n <= 0) break;
    out.append(buf, n);
    at += n;
  }
  return out;
}

class PageCacheTest : public MountedClusterTest {
 protected:
  // A mount of the cluster's root with the default options (attributes and names cached 600 s)
  // and `options`, without passthrough: a file held in one block file would be read by the
  // kernel from that file, through its page cache, not the mount's.
  std::string Mount(const std::string& name, const std::string& options = "") {
    std::string path = MountPoint(name);
    std::string all = "alluxio.fuse.passthrough.enabled=false";
    if (!options.empty()) all += "," + options;
    EXPECT_EQ(fuse_->Mount(path, "", all).exit_code, 0);
    return path;
  }
};

TEST_F(PageCacheTest, AnUnchangedCompleteFileKeepsItsPagesAcrossOpens) {
  const std::string a = Mount("a");
  const std::string data = RandomBytes(kMiB + 5000, 1);
  ASSERT_EQ(WriteWhole(a + "/f", data).error, 0);
  ASSERT_TRUE(SameBytes(ReadLocal(a + "/f"), data));  // fills the page cache
  const long pages = (data.size() + sysconf(_SC_PAGESIZE) - 1) / sysconf(_SC_PAGESIZE);
  EXPECT_EQ(ResidentPagesAtOpen(a + "/f"), pages);
  EXPECT_TRUE(SameBytes(ReadLocal(a + "/f"), data));
}

TEST_F(PageCacheTest, DirectIoMountsKeepNoPages) {
  const std::string a = Mount("a", "direct_io");
  const std::string data = RandomBytes(100000, 2);
  ASSERT_EQ(WriteWhole(a + "/f", data).error, 0);
  ASSERT_TRUE(SameBytes(ReadLocal(a + "/f"), data));
  EXPECT_EQ(ResidentPagesAtOpen(a + "/f"), 0);
}

// Each replacement keeps the length (so cached attributes cannot hide stale pages) or changes
// it (so stale attributes would cut the new content), and is read through mount A, which had
// the old content cached.
TEST_F(PageCacheTest, AReplacedFileIsNeverReadStaleThroughAMountThatHadItCached) {
  const std::string a = Mount("a");
  const std::string b = Mount("b");
  std::string expected = RandomBytes(300000, 10);
  ASSERT_EQ(WriteWhole(a + "/f", expected).error, 0);
  ASSERT_TRUE(SameBytes(ReadLocal(a + "/f"), expected));
  ASSERT_TRUE(SameBytes(ReadLocal(b + "/f"), expected));

  // `act` replaces the file through mount `via`; a read through `via` waits for the replacement
  // to land (at the writer's RELEASE, which the kernel sends after close(2) returned).
  auto replace = [&](const std::string& how, const std::string& via, const std::string& data,
                     const std::function<void()>& act) {
    SCOPED_TRACE(how);
    ASSERT_TRUE(SameBytes(ReadLocal(a + "/f"), expected));  // A has the current content cached
    expected = data;
    act();
    ASSERT_TRUE(SameBytes(ReadLocal(via + "/f"), expected));
    EXPECT_TRUE(SameBytes(ReadLocal(a + "/f"), expected));
    EXPECT_EQ(std::filesystem::file_size(a + "/f"), expected.size());
  };
  int seed = 11;
  for (size_t size : {size_t{300000}, size_t{700000}, size_t{4000}}) {
    const std::string trunc_b = RandomBytes(size, seed++);
    replace("O_TRUNC through B", b, trunc_b,
            [&] { ASSERT_EQ(WriteWhole(b + "/f", trunc_b).error, 0); });
    const std::string rename_b = RandomBytes(size, seed++);
    replace("rename over it through B", b, rename_b, [&] {
      ASSERT_EQ(WriteWhole(b + "/g", rename_b).error, 0);
      ASSERT_EQ(rename((b + "/g").c_str(), (b + "/f").c_str()), 0) << std::strerror(errno);
    });
    const std::string recreate_b = RandomBytes(size, seed++);
    replace("unlink and create through B", b, recreate_b, [&] {
      ASSERT_EQ(unlink((b + "/f").c_str()), 0) << std::strerror(errno);
      ASSERT_EQ(WriteWhole(b + "/f", recreate_b).error, 0);
    });
    const std::string trunc_a = RandomBytes(size, seed++);
    replace("O_TRUNC through A", a, trunc_a,
            [&] { ASSERT_EQ(WriteWhole(a + "/f", trunc_a).error, 0); });
    const std::string rename_a = RandomBytes(size, seed++);
    replace("rename over it through A", a, rename_a, [&] {
      ASSERT_EQ(WriteWhole(a + "/g", rename_a).error, 0);
      ASSERT_EQ(rename((a + "/g").c_str(), (a + "/f").c_str()), 0) << std::strerror(errno);
    });
  }
}

// A descriptor opened before a replacement keeps reading what it opened, one opened after it
// reads the new file, both through the same mount at once.
TEST_F(PageCacheTest, ReadersOfTheOldAndTheNewFileDoNotSeeEachOthersBytes) {
  const std::string a = Mount("a");
  const std::string b = Mount("b");
  const std::string old_data = RandomBytes(500000, 20);
  const std::string new_data = RandomBytes(500000, 21);
  ASSERT_EQ(WriteWhole(a + "/f", old_data).error, 0);
  const int old_fd = open((a + "/f").c_str(), O_RDONLY);
  ASSERT_GE(old_fd, 0);
  EXPECT_TRUE(SameBytes(ReadThrough(old_fd), old_data));
  ASSERT_EQ(WriteWhole(b + "/f", new_data).error, 0);
  // B's replacement lands at its RELEASE, which the kernel sends after close(2) returned; a
  // read through B waits for it.
  ASSERT_TRUE(SameBytes(ReadLocal(b + "/f"), new_data));
  const int new_fd = open((a + "/f").c_str(), O_RDONLY);
  ASSERT_GE(new_fd, 0);
  EXPECT_TRUE(SameBytes(ReadThrough(new_fd), new_data));
  EXPECT_TRUE(SameBytes(ReadThrough(old_fd), old_data));
  close(new_fd);
  close(old_fd);
  EXPECT_TRUE(SameBytes(ReadLocal(a + "/f"), new_data));
}

}  // namespace
}  // namespace alluxio::testing
