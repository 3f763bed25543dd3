// Notifications the server sends the kernel unasked (unique 0, the code in the error field),
// written to a /dev/fuse descriptor of the session; over FUSE-over-io_uring too.
//
// Contract: thread-safe (one write(2) per notification). device_fd outlives this object.
#pragma once

#include <cstdint>
#include <string_view>

namespace alluxio::fuse {

class KernelNotifier {
 public:
  // device_fd < 0: nothing is sent (every call succeeds).
  explicit KernelNotifier(int device_fd) : device_fd_(device_fd) {}
  KernelNotifier(const KernelNotifier&) = delete;
  KernelNotifier& operator=(const KernelNotifier&) = delete;

  // FUSE_NOTIFY_INVAL_INODE with offset -1: the kernel drops the attributes it caches for
  // `nodeid` (size, mtime, ...) and asks for them again at their next use; its pages stay.
  // Takes no page or inode lock, so it may be sent while handling a request. 0, or the errno of
  // the write (a node the kernel no longer has is 0).
  int InvalidateAttributes(uint64_t nodeid);

  // FUSE_NOTIFY_INVAL_ENTRY: the kernel drops its entry (positive or negative) for `name` in
  // the directory node `parent`, so the next use of the name is looked up. The kernel takes the
  // directory's lock: never sent while a request of the same connection may hold it and wait for
  // the sender (send from a thread no request waits for). 0, or the errno of the write (a
  // directory or name the kernel does not hold is 0).
  int InvalidateEntry(uint64_t parent, std::string_view name);

 private:
  const int device_fd_;
};

}  // namespace alluxio::fuse
