// What Alluxio reports for one path (Alluxio's URIStatus): shared by the master, the wire
// conversions and the client.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace alluxio {

struct FileInfo {
  uint64_t id = 0;   // inode id (stable while the inode lives; FUSE ino)
  std::string name;  // last component ("" for /)
  std::string path;  // normalized Alluxio path
  bool is_directory = false;
  uint32_t mode = 0;  // permission bits, no S_IFMT
  std::string owner;
  std::string group;
  int64_t mtime_ms = 0;
  uint64_t length = 0;
  uint64_t block_size = 0;
  bool completed = false;  // directories: true
  bool persisted = false;  // present in the UFS
  // Complete and waiting for a worker to persist it (ASYNC_THROUGH, `alluxio fs persist`).
  bool to_be_persisted = false;
  bool mount_point = false;
  std::vector<uint64_t> block_ids;  // completed files
  std::string ufs_uri;              // where the content lives (or is to be persisted) in the UFS
  uint64_t mount_id = 0;            // the mount of `path` (MountInfo::mount_id)
  // A symbolic link (not a directory, length = the target's size): its target, never empty.
  // "" for files and directories.
  std::string symlink_target;

  bool is_symlink() const { return !symlink_target.empty(); }
  // Alluxio's persistence state: "PERSISTED", "TO_BE_PERSISTED" or "NOT_PERSISTED".
  std::string_view persistence_state() const {
    if (persisted) return "PERSISTED";
    return to_be_persisted ? "TO_BE_PERSISTED" : "NOT_PERSISTED";
  }
};

}  // namespace alluxio
