// The FUSE mounts running on this host for one Alluxio installation, as `alluxio-fuse stat`
// and `alluxio-fuse unmount` see them: one small file per mount under
// ${alluxio.work.dir}/run/fuse, written by the serving process (an alluxio-fuse daemon or a
// worker hosting FUSE) once the mount is up, removed when it ends. A record whose process is
// not live (gone, a zombie nobody reaped, or its pid reused by another program:
// core/common/live_process.h) is stale: List drops (and deletes) it.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "core/common/configuration.h"
#include "core/common/result.h"

namespace alluxio {

struct MountRecord {
  pid_t pid = 0;
  std::string mount_point;
  std::string alluxio_path;
  bool hosted_by_worker = false;
  // The serving process's program (CurrentProgramName()); empty: not checked.
  std::string program;
};

class MountRegistry {
 public:
  explicit MountRegistry(const Configuration& conf);

  // Records `record` (replacing an earlier record for the same mount point).
  Status Add(const MountRecord& record);
  // Removes the record of `mount_point` if `pid` wrote it.
  void Remove(const std::string& mount_point, pid_t pid);
  // Live records, ordered by mount point.
  std::vector<MountRecord> List() const;
  std::optional<MountRecord> Find(const std::string& mount_point) const;

  const std::string& directory() const { return dir_; }

 private:
  std::string FileFor(const std::string& mount_point) const;

  std::string dir_;
};

}  // namespace alluxio
