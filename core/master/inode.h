// The inode record kept in the inode store, and its binary encoding. Plain value type.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/result.h"

namespace alluxio {

struct Inode {
  uint64_t id = 0;         // see block_id.h
  uint64_t parent_id = 0;  // the root's parent is itself
  std::string name;        // "" for the root
  bool is_directory = false;
  uint32_t mode = 0;  // permission bits (07777), no S_IFMT
  std::string owner;
  std::string group;
  int64_t mtime_ms = 0;
  uint64_t length = 0;      // files: bytes (final once completed)
  uint64_t block_size = 0;  // files: bytes per block
  bool completed = false;   // files: CompleteFile done (directories: always true)
  bool persisted = false;   // content (or the directory) exists in the UFS
  // Files: complete, not persisted, and a worker is to persist it (ASYNC_THROUGH, `fs persist`);
  // the store lists it among its pending persists (InodeStore::ListPendingPersists) meanwhile.
  bool to_be_persisted = false;
  std::string ufs_fingerprint;  // UfsStatus::fingerprint when last loaded/synced/persisted
  int64_t last_sync_ms = 0;     // when the metadata was last compared with the UFS
  // Directories: the UFS listing has been merged into the children at least once, last at
  // children_sync_ms (a clock of its own: comparing the directory itself is not comparing its
  // listing).
  bool children_loaded = false;
  int64_t children_sync_ms = 0;
  std::vector<uint64_t> block_ids;  // files: ids of blocks 0..n-1 (set on completion)
  // Symbolic links: the target, never empty (a link is not a directory, is completed, has no
  // blocks, mode 0777 and length = the target's size). "" for files and directories.
  std::string symlink_target;

  bool is_symlink() const { return !symlink_target.empty(); }
};

// Encodes an inode (versioned, little-endian, length-prefixed strings). A link's target, and a
// directory's children_sync_ms, follow the block ids, each behind a flag, so records written
// before they existed decode unchanged (children_sync_ms then is last_sync_ms).
std::string EncodeInode(const Inode& inode);
// Decodes an EncodeInode() record; kInternal for a corrupt or unknown-version record.
Result<Inode> DecodeInode(std::string_view bytes);

}  // namespace alluxio
