// What `alluxio-fuse mount -o a,b=c` means, item by item, as Alluxio documents it:
//   - `key=value` where key is an Alluxio property (alluxio.*) sets it for this mount only;
//   - Alluxio's shortcuts metadata_cache_size=N, metadata_cache_expire=D (the client metadata
//     cache), data_cache=DIR, data_cache_size=S (the client data cache properties);
//   - `max_idle_threads=N`: the number of requests this mount reads from /dev/fuse and serves
//     at once, spread over the reactors (libfuse: the idle threads waiting on /dev/fuse);
//   - FUSE options (direct_io, kernel_cache, auto_cache, attr_timeout=, entry_timeout=,
//     big_writes, max_read=, ...: fuse_options.h);
//   - anything else is an ordinary mount option handed to the kernel (ro, allow_other,
//     default_permissions, ...; allow_root as libfuse does it: fuse_mount.h). allow_other and
//     allow_root exclude each other. With either, default_permissions is added (the kernel
//     checks permissions against each caller) unless alluxio.fuse.permission.check.enabled is
//     false; the daemon logs which (LogPermissionCheck).
// Options given with -o replace alluxio.fuse.mount.options; without -o that property applies.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "core/common/configuration.h"
#include "core/common/result.h"
#include "core/fuse/fuse_options.h"

namespace alluxio {

struct FuseMountSpec {
  std::string mount_point;  // absolute
  std::string alluxio_path = "/";
  fuse::FuseOptions fuse;
  std::vector<std::string> kernel_options;      // for the mount(2) data string
  size_t request_slots = 16;                    // max_idle_threads
  bool io_uring = true;                         // alluxio.fuse.io_uring.enabled
  std::chrono::microseconds io_uring_poll{50};  // alluxio.fuse.io_uring.poll.us
  std::vector<std::string> items;               // the -o items as given, for logs and `stat`
  // allow_other / allow_root without default_permissions among the items: whether it was
  // added (alluxio.fuse.permission.check.enabled) or the user opted out.
  enum class PermissionCheck { kAsGiven, kAdded, kOptedOut };
  PermissionCheck permission_check = PermissionCheck::kAsGiven;
};

// Splits "-o" arguments ("a,b=c") into items; empty items are dropped.
std::vector<std::string> SplitMountOptions(const std::vector<std::string>& option_args);

// Applies `items` (or alluxio.fuse.mount.options when `items` is empty) to *spec and the
// Alluxio properties among them to *conf. kInvalidArgument naming the item for a bad value,
// an unknown alluxio.* key, or allow_other together with allow_root.
Status ApplyMountOptions(const std::vector<std::string>& items, Configuration* conf,
                         FuseMountSpec* spec);

// Logs how a shared mount checks permissions (spec.permission_check): a line saying
// default_permissions was added, or a warning that the user opted out (saying whether the
// master still checks each caller: `master_checks_callers`, the system user policy); nothing
// otherwise.
void LogPermissionCheck(const FuseMountSpec& spec, bool master_checks_callers);

}  // namespace alluxio
