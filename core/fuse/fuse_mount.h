// Mounting and unmounting a FUSE file system. libfuse3 is used for exactly this (its option
// parsing, mount(2) as root, the fusermount3 helper otherwise); it never serves requests: the
// transports (dev_fuse_transport.h) read the returned /dev/fuse fd themselves.
//
// Thread-safety: FuseMount is used by one thread at a time; the free functions are reentrant.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/result.h"

struct fuse_session;

namespace alluxio::fuse {

struct MountRequest {
  // An existing directory (the CLI checks that it is empty).
  std::string mount_point;
  // The mount's source as `mount` and /proc/self/mountinfo show it.
  std::string fs_name = "alluxio-fuse";
  // The type becomes "fuse.<subtype>".
  std::string subtype = "alluxio-fuse";
  // Ordinary mount options, one item each, passed to the kernel / fusermount3: allow_other,
  // allow_root, ro, rw, default_permissions, max_read=N, blksize=N, nosuid, noexec, noatime,
  // auto_unmount, ... An option libfuse does not know fails the mount (kInvalidArgument).
  // allow_root mounts with allow_other and leaves the filtering to the transport
  // (FuseMount::root_and_owner_only()).
  std::vector<std::string> mount_options;
};

// One mounted FUSE file system and its /dev/fuse session fd.
class FuseMount {
 public:
  // Mounts request.mount_point. Errors name the mount point and the reason: kNotFound (no such
  // directory, /dev/fuse missing), kNotADirectory, kPermissionDenied / kNotPermitted (not root
  // and no usable fusermount3), kInvalidArgument (an unknown or malformed option),
  // kUnavailable (the mount itself failed; the message carries libfuse's reason).
  // Leaves stdio, signal dispositions and the signal mask as they were (libfuse only opens
  // /dev/null on fds 0-2 if they were closed).
  static Result<std::unique_ptr<FuseMount>> Mount(const MountRequest& request);

  // Unmount().
  ~FuseMount();
  FuseMount(const FuseMount&) = delete;
  FuseMount& operator=(const FuseMount&) = delete;

  // The session fd (the original /dev/fuse fd, O_CLOEXEC, blocking), owned by this object;
  // -1 after Unmount(). Transports clone it (FUSE_DEV_IOC_CLONE) rather than read it.
  int fd() const { return fd_; }
  const std::string& mount_point() const { return mount_point_; }
  // The mount's device number (from /proc/self/mountinfo right after mounting; 0 if unknown),
  // the key of its /sys/class/bdi entry.
  dev_t device() const { return device_; }
  // allow_root was given: requests of users other than root and the mounting user must be
  // answered EACCES by the transport (libfuse does this in its own loop, which is not used).
  bool root_and_owner_only() const { return root_and_owner_only_; }
  uid_t owner() const { return owner_; }

  // Closes the session fd (which aborts the connection once every clone is closed too) and
  // unmounts lazily (MNT_DETACH as root, else `fusermount3 -u -z`) unless the kernel already
  // ended the session (someone unmounted it): then the path is left alone, it may hold
  // another mount by now. kUnavailable if the mount is still there afterwards (fusermount3
  // refused). Idempotent; never blocks on the file system.
  Status Unmount();

 private:
  FuseMount() = default;

  fuse_session* session_ = nullptr;
  int fd_ = -1;
  std::string mount_point_;
  dev_t device_ = 0;
  bool root_and_owner_only_ = false;
  uid_t owner_ = 0;
};

// Unmounts `mount_point`, also when its daemon died ("Transport endpoint is not connected").
// As root umount2 (MNT_DETACH when `lazy`), else `fusermount3 -u [-z]`. kInvalidArgument if it
// is not a mount point, kBusy if it is busy and not lazy.
Status UnmountPath(std::string_view mount_point, bool lazy);

// True if `mount_point` (made absolute lexically, never resolved through the file system, so a
// dead mount does not matter) is the top mount of a FUSE file system (type "fuse" or
// "fuse.<subtype>") in /proc/self/mountinfo. Sets *fs_name (if not null) to its source.
bool IsFuseMountPoint(std::string_view mount_point, std::string* fs_name = nullptr);

// Raises /sys/class/bdi/<major>:<minor>/read_ahead_kb of `device` to at least `min_kb`
// (never lowers it). Needs root. Call after INIT was answered: the kernel caps the readahead
// at the INIT reply's max_readahead when it processes the reply.
Status RaiseReadAhead(dev_t device, uint32_t min_kb);

}  // namespace alluxio::fuse
