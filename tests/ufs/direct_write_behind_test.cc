#include "core/ufs/direct_write_behind.h"

#include <fcntl.h>
#include <unistd.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/util/temp_dir.h"

namespace alluxio {
namespace {

using testing::TempDir;

constexpr size_t kMiB = 1 << 20;

// Bytes that differ at every offset (a misplaced buffer shows).
std::string Pattern(size_t size) {
  std::string s(size, '\0');
  for (size_t i = 0; i < size; ++i) s[i] = static_cast<char>((i * 131 + i / 4096) % 251);
  return s;
}

std::string ReadAll(int fd) {
  std::string out;
  char buf[1 << 16];
  for (off_t at = 0;;) {
    ssize_t n = ::pread(fd, buf, sizeof buf, at);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
    at += n;
  }
  return out;
}

// A file under a fresh directory, open buffered (read-write) and with O_DIRECT. Skips where the
// file system has no direct I/O.
class DirectWriteBehindTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string path = dir_.Sub("file");
    buffered_fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    ASSERT_GE(buffered_fd_, 0);
    direct_fd_ = ::open(path.c_str(), O_WRONLY | O_DIRECT | O_CLOEXEC);
    if (direct_fd_ < 0) GTEST_SKIP() << "no O_DIRECT under " << dir_.path();
  }
  void TearDown() override {
    if (buffered_fd_ >= 0) ::close(buffered_fd_);
  }

  TempDir dir_;
  int buffered_fd_ = -1;
  int direct_fd_ = -1;  // owned by the writer under test
};

TEST_F(DirectWriteBehindTest, PiecesOfAnySizeArriveWholeAndInPlace) {
  const std::string data = Pattern(18 * kMiB + 777);
  const std::string head(8192, 'h');  // written before, through the page cache
  ASSERT_EQ(::pwrite(buffered_fd_, head.data(), head.size(), 0), ssize_t(head.size()));
  DirectWriteBehind writer(direct_fd_, buffered_fd_, head.size(), "file");
  const size_t pieces[] = {1, kMiB + 13, 4095, 3 * kMiB, 7, 5 * kMiB + 4097};
  size_t at = 0;
  for (size_t i = 0; at < data.size(); ++i) {
    size_t n = std::min(pieces[i % std::size(pieces)], data.size() - at);
    ASSERT_TRUE(writer.Append({data.data() + at, n}).ok());
    at += n;
    if (i == 3) {
      ASSERT_TRUE(writer.Flush().ok());  // mid-buffer, unaligned
    }
  }
  EXPECT_EQ(writer.offset(), head.size() + data.size());
  ASSERT_TRUE(writer.Flush().ok());
  EXPECT_EQ(ReadAll(buffered_fd_), head + data);
}

TEST_F(DirectWriteBehindTest, BuffersTheFileSystemRefusesGoThroughThePageCache) {
  // At an offset of 100 a disk file system refuses direct writes (EINVAL); tmpfs takes them.
  const std::string head(100, 'h');
  ASSERT_EQ(::pwrite(buffered_fd_, head.data(), head.size(), 0), ssize_t(head.size()));
  DirectWriteBehind writer(direct_fd_, buffered_fd_, head.size(), "file");
  const std::string data = Pattern(9 * kMiB + 5);
  ASSERT_TRUE(writer.Append(data).ok());
  ASSERT_TRUE(writer.Flush().ok());
  EXPECT_EQ(ReadAll(buffered_fd_), head + data);
}

TEST_F(DirectWriteBehindTest, FlushHandsAPartialBufferToTheFileAndWritingGoesOn) {
  DirectWriteBehind writer(direct_fd_, buffered_fd_, 0, "file");
  const std::string data = Pattern(6 * kMiB);
  ASSERT_TRUE(writer.Append({data.data(), 5000}).ok());
  ASSERT_TRUE(writer.Flush().ok());
  EXPECT_EQ(ReadAll(buffered_fd_), data.substr(0, 5000));
  ASSERT_TRUE(writer.Append({data.data() + 5000, data.size() - 5000}).ok());
  ASSERT_TRUE(writer.Flush().ok());
  EXPECT_EQ(ReadAll(buffered_fd_), data);
}

TEST(DirectWriteBehindErrorTest, AFailedWriteBehindIsReportedByEveryLaterCall) {
  int full = ::open("/dev/full", O_WRONLY | O_CLOEXEC);
  ASSERT_GE(full, 0);
  int full_direct = ::dup(full);
  {
    DirectWriteBehind writer(full_direct, full, 0, "/dev/full");
    const std::string data = Pattern(4 * kMiB);
    Status failed = Ok();
    // Four buffers per file: by the sixth full one, a write behind has failed and been seen.
    for (int i = 0; i < 6 && failed.ok(); ++i) failed = writer.Append(data);
    if (failed.ok()) failed = writer.Flush();
    ASSERT_FALSE(failed.ok());
    EXPECT_EQ(failed.code(), ErrorCode::kNoSpace) << failed.error().ToString();
    EXPECT_EQ(writer.Append({data.data(), 1}).code(), ErrorCode::kNoSpace);
    EXPECT_EQ(writer.Flush().code(), ErrorCode::kNoSpace);
  }
  ::close(full);
}

TEST_F(DirectWriteBehindTest, DestroyingWithDataQueuedReturnsPromptly) {
  const std::string data = Pattern(16 * kMiB);
  {
    DirectWriteBehind writer(direct_fd_, buffered_fd_, 0, "file");
    ASSERT_TRUE(writer.Append(data).ok());
  }  // what was queued is dropped; the writes in flight finish
  EXPECT_LE(ReadAll(buffered_fd_).size(), data.size());
}

}  // namespace
}  // namespace alluxio
