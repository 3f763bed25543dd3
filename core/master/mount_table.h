// The mount table: which UFS backs each part of the Alluxio namespace. In memory; the master
// persists each entry through the inode store and rebuilds this table when it opens.
// Not thread-safe: owned by the Namespace and used under its mutex.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/ufs/under_file_system.h"

namespace alluxio {

struct MountInfo {
  std::string alluxio_path;  // normalized; "/" for the root mount
  std::string ufs_uri;       // as given to Mount ("file:///data", "/data", "s3://b/p")
  bool read_only = false;
  std::map<std::string, std::string> options;  // UFS-specific properties, passed through
  // Names this mount, never another: kRootMountId for /, a random id for every other mount (a
  // path mounted again gets a new one), so a worker or client caches a UFS object by it.
  uint64_t mount_id = 0;
};

inline constexpr uint64_t kRootMountId = 1;

// A UFS object is created for a mount's URI (CreateUnderFileSystem) and rooted there: its
// methods take paths inside the mount ("/" is the mount's UFS directory itself). An Alluxio
// path /m/a/b under a mount at /m maps to UFS path "/a/b" and URI "<mount uri>/a/b".

// The local directory a URI names: "file:///data/x" → "/data/x", "/data" → "/data"; ""
// for other schemes.
std::string LocalPathOfUri(std::string_view uri);

// `base` (a UFS path or URI) joined with an Alluxio-relative path ("" or "a/b").
std::string JoinUfsPath(std::string_view base, std::string_view relative);

class MountTable {
 public:
  struct Entry {
    MountInfo info;
    std::shared_ptr<UnderFileSystem> ufs;
  };
  // Where an Alluxio path lives: its mount, the UFS path and URI for it.
  struct Resolution {
    const Entry* mount = nullptr;
    std::string ufs_path;  // path inside the mount's UFS, the argument for mount->ufs calls
    std::string ufs_uri;   // mount URI + relative path, for workers that open their own UFS
  };

  // Adds an entry; the caller has checked that its path is not mounted yet.
  void Add(MountInfo info, std::shared_ptr<UnderFileSystem> ufs);
  void Remove(const std::string& alluxio_path);

  // The mount with the longest path that is `path` or an ancestor of it. A root mount exists
  // whenever the table is in use, so this always finds one.
  Resolution Resolve(std::string_view path) const;
  // The entry mounted exactly at `path`, or null.
  const Entry* Find(std::string_view path) const;
  // The entry with this mount id, or null.
  const Entry* FindById(uint64_t mount_id) const;
  // True if some mount lies strictly below `path`.
  bool HasMountBelow(std::string_view path) const;
  std::vector<MountInfo> List() const;

 private:
  std::map<std::string, Entry, std::less<>> entries_;
};

}  // namespace alluxio
