// One Alluxio path served at a local mount point by this process: reactors (one per core), the
// Alluxio client, the file system core (core/fs) and the FUSE session (core/fuse). The
// `alluxio-fuse mount` daemon runs one; a worker with alluxio.worker.fuse.enabled runs one
// beside its block service.
//
//   auto daemon = FuseDaemon::Start(conf, spec, /*hosted_by_worker=*/false);
//   (*daemon)->WaitUntilFinished();   // until unmounted from outside, or Stop
//   (*daemon)->Stop(std::chrono::seconds(120));
//
// Threading: Start, WaitUntilFinished and Stop are called from threads that are not the
// daemon's reactors (main, or a worker's blocking pool: never a thread the file system's RPCs
// need, or Stop could wait on itself).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "core/common/configuration.h"
#include "core/common/result.h"
#include "core/fuse_daemon/mount_options.h"
#include "core/fuse_daemon/mount_registry.h"

namespace alluxio {

class ReactorPool;
namespace client {
class ClientContext;
}
namespace fs {
class AlluxioFileSystem;
}
namespace fuse {
class FuseSession;
}

// True if `mount_point` is a FUSE mount (/proc/self/mountinfo) whose connection is gone (its
// daemon died: "Transport endpoint is not connected"). Asked with statfs, which the kernel never
// answers from its caches (stat may be answered from the attribute cache for attr_timeout).
bool IsDeadFuseMount(const std::string& mount_point);

// The mount point must be an existing, empty directory the user can write. Stale FUSE mounts
// there (IsDeadFuseMount) are unmounted first, before any other check.
// kNotFound, kNotADirectory, kNotEmpty, kPermissionDenied, naming the mount point.
Status PrepareMountPoint(const std::string& mount_point);

// FUSE hosted by a worker (alluxio.worker.fuse.enabled): alluxio.worker.fuse.mount.point
// (created when missing), .mount.alluxio.path and .mount.options, as for `alluxio-fuse mount`.
class FuseDaemon;
Result<std::unique_ptr<FuseDaemon>> StartWorkerHostedFuse(const Configuration& conf);

class FuseDaemon {
 public:
  // Checks that the Alluxio path is a directory (waiting for the master as the client's retry
  // policy allows), mounts, starts serving and records the mount in the registry.
  static Result<std::unique_ptr<FuseDaemon>> Start(const Configuration& conf, FuseMountSpec spec,
                                                   bool hosted_by_worker);
  // Stop(0).
  ~FuseDaemon();
  FuseDaemon(const FuseDaemon&) = delete;
  FuseDaemon& operator=(const FuseDaemon&) = delete;

  // Blocks until the kernel ends the session (an unmount from outside) or Stop ran.
  void WaitUntilFinished();
  // Waits up to `drain` until no request is in flight and no file is being written through the
  // mount (open for writing, or completing), then unmounts (lazily if still busy) and tears
  // everything down. Idempotent.
  void Stop(std::chrono::milliseconds drain);

  // How long a SIGTERM'ed daemon drains before unmounting: alluxio.fuse.umount.timeout when
  // set, else kDefaultUnmountDrain (within `alluxio-fuse unmount`'s 120 s).
  std::chrono::milliseconds UnmountDrain() const;
  static constexpr std::chrono::milliseconds kDefaultUnmountDrain{115'000};

  const FuseMountSpec& spec() const { return spec_; }

 private:
  FuseDaemon(const Configuration& conf, FuseMountSpec spec);

  Configuration conf_;
  FuseMountSpec spec_;
  MountRegistry registry_;
  bool registered_ = false;
  bool stopped_ = false;
  std::unique_ptr<ReactorPool> pool_;
  std::shared_ptr<client::ClientContext> context_;
  std::unique_ptr<fs::AlluxioFileSystem> fs_;
  std::unique_ptr<fuse::FuseSession> session_;
};

}  // namespace alluxio
