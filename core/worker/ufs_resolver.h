// The UFS objects of a process that opens under storage itself (a worker, a client reading
// past dead workers), per mount: mount `mount_id` (FileInfo::mount_id) is opened with the
// options it was mounted with (`alluxio fs mount --option`, FileSystemMaster.getMountOptions)
// over the process's own UFS properties, never by its URI alone, so two mounts of one bucket
// with different endpoints or credentials stay apart and a path mounted again (a new mount id)
// gets new objects. A UFS URI naming one file ("file:///data/ufs/a/b", "/data/ufs/a/b",
// "s3://b/p/a") resolves to the UFS rooted at its scheme and authority and the path inside it;
// a mount's UFS URI to the UFS rooted there. Objects are created on first use and kept until
// their mount is dropped (Retain). Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/result.h"
#include "core/ufs/under_file_system.h"

namespace alluxio {

struct ResolvedUfsPath {
  std::shared_ptr<UnderFileSystem> ufs;  // stays valid after its mount is dropped
  std::string path;                      // absolute path inside `ufs`
};

class UfsResolver {
 public:
  // UFS objects are made by `factory`, each with `options` (the process's UFS properties,
  // UfsOptionsOf) overlaid with its mount's options.
  explicit UfsResolver(UfsFactory factory = CreateUnderFileSystem, UfsOptions options = {})
      : factory_(std::move(factory)), options_(std::move(options)) {}

  // True if mount `mount_id` was learned and not dropped since.
  bool Knows(uint64_t mount_id) const;
  // Records the options of mount `mount_id` (as given to mount; the master's answer). A mount
  // id names one mount forever, so learning a known mount again changes nothing.
  void Learn(uint64_t mount_id, std::map<std::string, std::string> mount_options);
  // A number that grows with every Learn: what Retain compares against.
  uint64_t Generation() const;
  // Drops every mount not in `live` (the master's current mounts) that was learned at or
  // before `generation` (a Generation() taken before the master was asked, so a mount learned
  // since, possibly mounted after the master answered, is kept). UFS objects in use stay valid
  // for their holders. The ids dropped.
  std::vector<uint64_t> Retain(std::span<const uint64_t> live, uint64_t generation);

  // kNotFound for a mount not learned (Knows), kInvalidPath for a URI without a path,
  // kUnsupported for an unknown scheme; the errors of the factory.
  Result<ResolvedUfsPath> Resolve(uint64_t mount_id, std::string_view uri);
  // The UFS rooted at `root_uri` itself (a mount's UFS URI: its staging area is there). Errors
  // as Resolve.
  Result<std::shared_ptr<UnderFileSystem>> Root(uint64_t mount_id, std::string_view root_uri);

 private:
  struct Mount {
    std::map<std::string, std::string> options;
    uint64_t learned = 0;  // the generation of its Learn
    std::map<std::string, std::shared_ptr<UnderFileSystem>, std::less<>> by_root;
  };

  const UfsFactory factory_;
  const UfsOptions options_;
  mutable std::mutex mutex_;
  uint64_t generation_ = 0;
  std::map<uint64_t, Mount> mounts_;
};

}  // namespace alluxio
