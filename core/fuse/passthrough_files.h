// Kernel passthrough of open files (protocol 7.40): the kernel reads a backing file itself and
// READ requests never reach the server.
//
// The kernel allows one backing file per inode at a time, and refuses to mix passthrough opens
// with page-cached opens of an inode. So: while an inode has a backing file, every open of it
// carries that backing file — an open whose content is elsewhere (a writer, a file replaced
// since) gets FOPEN_DIRECT_IO as well, so that its reads and writes still come to the server;
// an inode with page-cached opens gets no backing file until they are released. The backing
// file is handed back to the kernel at the release of the inode's last passthrough open. The
// kernel drops an open's mode before it sends RELEASE, so the counts here are never below its
// own: conservative both ways.
//
// Contract: thread-safe. device_fd is a /dev/fuse descriptor of the session (clones work) and
// outlives this object.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <unordered_map>

namespace alluxio::fuse {

class PassthroughFiles {
 public:
  // device_fd < 0: passthrough is never used.
  explicit PassthroughFiles(int device_fd) : device_fd_(device_fd) {}
  PassthroughFiles(const PassthroughFiles&) = delete;
  PassthroughFiles& operator=(const PassthroughFiles&) = delete;

  struct OpenReply {
    uint32_t open_flags = 0;  // FOPEN_PASSTHROUGH (+ FOPEN_DIRECT_IO), or 0
    int32_t backing_id = 0;
  };
  // Decides the passthrough part of the OPEN/CREATE reply for `handle` on inode `nodeid`.
  // `backing_fd` is the file holding the handle's whole content (-1: none); `page_cached`
  // tells whether the open would otherwise use the page cache (no FOPEN_DIRECT_IO). Every
  // handle passed here must be passed to Released.
  OpenReply Opened(uint64_t nodeid, uint64_t handle, int backing_fd, bool page_cached);
  void Released(uint64_t handle);

  uint64_t backing_files_opened() const { return backing_files_opened_.load(); }
  // Handles passed to Opened and not yet Released (passthrough or page-cached).
  size_t tracked_handles() const {
    std::lock_guard lock(mu_);
    return handles_.size();
  }
  uint64_t passthrough_opens() const { return passthrough_opens_.load(); }

 private:
  struct Inode {
    int32_t backing_id = 0;  // 0: none
    dev_t backing_dev = 0;   // identity of the backing file
    ino_t backing_ino = 0;
    uint32_t passthrough_opens = 0;
    uint32_t cached_opens = 0;
  };
  enum class Kind { kPassthrough, kCached };
  struct Handle {
    uint64_t nodeid;
    Kind kind;
  };
  // mu_ held. A backing id for fd (0 on failure; EPERM disables passthrough for good).
  int32_t OpenBacking(int fd);

  const int device_fd_;
  mutable std::mutex mu_;
  bool disabled_ = false;
  std::unordered_map<uint64_t, Inode> inodes_;    // by nodeid, while some open counts
  std::unordered_map<uint64_t, Handle> handles_;  // by file handle
  std::atomic<uint64_t> backing_files_opened_{0};
  std::atomic<uint64_t> passthrough_opens_{0};
};

}  // namespace alluxio::fuse
