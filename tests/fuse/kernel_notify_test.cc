// KernelNotifier: the bytes of FUSE_NOTIFY_INVAL_INODE and INVAL_ENTRY as the kernel reads them
// from the device (include/uapi/linux/fuse.h: fuse_out_header, then fuse_notify_inval_inode_out or
// fuse_notify_inval_entry_out and the name).
#include "core/fuse/kernel_notify.h"

#include <unistd.h>

#include <array>
#include <csignal>
#include <cstdint>
#include <cstring>

#include <gtest/gtest.h>

namespace alluxio::fuse {
namespace {

TEST(KernelNotifierTest, InvalidateAttributesWritesOneInvalInodeMessageOfOffsetMinusOne) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  KernelNotifier notifier(fds[1]);
  EXPECT_EQ(notifier.InvalidateAttributes(0x0102030405060708), 0);
  std::array<unsigned char, 64> got{};
  ASSERT_EQ(read(fds[0], got.data(), got.size()), 40);
  const unsigned char want[40] = {
      40,   0,    0,    0,                             // len
      2,    0,    0,    0,                             // error = FUSE_NOTIFY_INVAL_INODE
      0,    0,    0,    0,    0,    0,    0,    0,     // unique 0: a notification
      8,    7,    6,    5,    4,    3,    2,    1,     // ino (the node id)
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  // off -1: attributes only
      0,    0,    0,    0,    0,    0,    0,    0,     // len
  };
  EXPECT_EQ(std::memcmp(got.data(), want, sizeof(want)), 0);
  close(fds[0]);
  close(fds[1]);
}

TEST(KernelNotifierTest, InvalidateEntryWritesTheParentAndTheNulTerminatedName) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  KernelNotifier notifier(fds[1]);
  EXPECT_EQ(notifier.InvalidateEntry(0x0102030405060708, "abc"), 0);
  std::array<unsigned char, 64> got{};
  ASSERT_EQ(read(fds[0], got.data(), got.size()), 36);
  const unsigned char want[36] = {
      36,  0,   0,   0,              // len: header, fuse_notify_inval_entry_out, name, NUL
      3,   0,   0,   0,              // error = FUSE_NOTIFY_INVAL_ENTRY
      0,   0,   0,   0, 0, 0, 0, 0,  // unique 0: a notification
      8,   7,   6,   5, 4, 3, 2, 1,  // parent (the directory's node id)
      3,   0,   0,   0,              // namelen
      0,   0,   0,   0,              // flags
      'a', 'b', 'c', 0,              // the name and its NUL
  };
  EXPECT_EQ(std::memcmp(got.data(), want, sizeof(want)), 0);
  close(fds[0]);
  close(fds[1]);
}

TEST(KernelNotifierTest, WithoutADeviceNothingIsSent) {
  KernelNotifier notifier(-1);
  EXPECT_EQ(notifier.InvalidateAttributes(5), 0);
  EXPECT_EQ(notifier.InvalidateEntry(5, "x"), 0);
}

TEST(KernelNotifierTest, AFailedWriteReturnsItsErrno) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  close(fds[0]);  // the write end now fails with EPIPE (SIGPIPE is ignored below)
  signal(SIGPIPE, SIG_IGN);
  KernelNotifier notifier(fds[1]);
  EXPECT_EQ(notifier.InvalidateAttributes(5), EPIPE);
  close(fds[1]);
}

}  // namespace
}  // namespace alluxio::fuse
