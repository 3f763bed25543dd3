#include "core/fuse/passthrough_files.h"

#include <sys/ioctl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "core/common/logging.h"
#include "core/fuse/fuse_abi.h"

namespace alluxio::fuse {

int32_t PassthroughFiles::OpenBacking(int fd) {
  abi::BackingMap map{};
  map.fd = fd;
  const int id = ::ioctl(device_fd_, abi::kDevIocBackingOpen, &map);
  if (id > 0) return id;
  const int err = errno;
  if (err == EPERM || err == ENOTTY || err == EOPNOTSUPP) {
    ALX_LOG(kWarn, "fuse", "passthrough unavailable ({}): files are read through the server",
            std::strerror(err));
    disabled_ = true;
  } else {
    ALX_LOG(kWarn, "fuse", "FUSE_DEV_IOC_BACKING_OPEN failed: {}", std::strerror(err));
  }
  return 0;
}

PassthroughFiles::OpenReply PassthroughFiles::Opened(uint64_t nodeid, uint64_t handle,
                                                     int backing_fd, bool page_cached) {
  if (device_fd_ < 0) return {};
  struct stat st {};
  if (backing_fd >= 0 && ::fstat(backing_fd, &st) != 0) backing_fd = -1;
  std::lock_guard lock(mu_);
  auto it = inodes_.find(nodeid);
  if (it != inodes_.end() && it->second.backing_id != 0) {
    // The inode is in passthrough mode: this open must carry the same backing file.
    Inode& inode = it->second;
    const bool same =
        backing_fd >= 0 && st.st_dev == inode.backing_dev && st.st_ino == inode.backing_ino;
    ++inode.passthrough_opens;
    handles_[handle] = Handle{nodeid, Kind::kPassthrough};
    passthrough_opens_.fetch_add(1, std::memory_order_relaxed);
    return OpenReply{abi::kFopenPassthrough | (same ? 0U : abi::kFopenDirectIo), inode.backing_id};
  }
  if (backing_fd < 0 || disabled_ || (it != inodes_.end() && it->second.cached_opens > 0)) {
    if (page_cached) {
      ++inodes_[nodeid].cached_opens;
      handles_[handle] = Handle{nodeid, Kind::kCached};
    }
    return {};
  }
  const int32_t id = OpenBacking(backing_fd);
  if (id == 0) {
    if (page_cached) {
      ++inodes_[nodeid].cached_opens;
      handles_[handle] = Handle{nodeid, Kind::kCached};
    }
    return {};
  }
  Inode& inode = inodes_[nodeid];
  inode.backing_id = id;
  inode.backing_dev = st.st_dev;
  inode.backing_ino = st.st_ino;
  inode.passthrough_opens = 1;
  handles_[handle] = Handle{nodeid, Kind::kPassthrough};
  backing_files_opened_.fetch_add(1, std::memory_order_relaxed);
  passthrough_opens_.fetch_add(1, std::memory_order_relaxed);
  return OpenReply{abi::kFopenPassthrough, id};
}

void PassthroughFiles::Released(uint64_t handle) {
  if (device_fd_ < 0) return;
  std::lock_guard lock(mu_);
  auto h = handles_.find(handle);
  if (h == handles_.end()) return;
  const Handle released = h->second;
  handles_.erase(h);
  auto it = inodes_.find(released.nodeid);
  if (it == inodes_.end()) return;
  Inode& inode = it->second;
  if (released.kind == Kind::kCached) {
    --inode.cached_opens;
  } else if (--inode.passthrough_opens == 0) {
    uint32_t id = static_cast<uint32_t>(inode.backing_id);
    if (::ioctl(device_fd_, abi::kDevIocBackingClose, &id) != 0) {
      ALX_LOG(kWarn, "fuse", "FUSE_DEV_IOC_BACKING_CLOSE of {} failed: {}", id,
              std::strerror(errno));
    }
    inode.backing_id = 0;
  }
  if (inode.backing_id == 0 && inode.cached_opens == 0) inodes_.erase(it);
}

}  // namespace alluxio::fuse
