// The worker's side of asynchronous persistence (ASYNC_THROUGH, `alluxio fs persist`): it pins
// the cached blocks of files that are not persisted yet, so that eviction never removes their
// only copy, and writes such a file's UFS copy from those blocks when the master asks.
//
// A persist stages the copy in the mount's UFS under StagedFileName(file_id) (UnderFileSystem's
// staging: never visible at a user path), for the master to publish onto the file's path at
// that moment (persistDone); a renamed file lands at its new path, a removed one's copy is
// dropped. Thread-safe (one mutex for the pins and the running set; Persist runs unlocked).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "core/worker/block_store.h"
#include "core/worker/ufs_resolver.h"

namespace alluxio {

// What the master asks a worker to persist (schema/master.capnp PersistFile).
struct PersistRequest {
  uint64_t file_id = 0;
  uint64_t length = 0;
  uint64_t block_size = 0;
  std::vector<uint64_t> block_ids;  // every block of the file, in order
  uint32_t mode = 0644;
  uint64_t mount_id = 0;  // must be known to the UfsResolver (learned) before Persist
  std::string mount_ufs_uri;
};

class FilePersister {
 public:
  // `store` and `ufs` outlive the persister.
  FilePersister(BlockStore& store, UfsResolver& ufs);

  // Keeps `pins` (BlockReaders of the file's committed blocks) until Unpin(file_id); pins the
  // file already had are kept too.
  void Pin(uint64_t file_id, std::vector<BlockReader> pins);
  // Pins those of `block_ids` that are committed (kept until their file is unpinned).
  void PinBlocks(std::span<const uint64_t> block_ids);
  // Releases the file's pins (persisted, or removed from the namespace).
  void Unpin(uint64_t file_id);
  // Files pinned now.
  size_t pinned_files() const;

  // Marks a persist of the file running; false if one is running already.
  bool Begin(uint64_t file_id);
  void End(uint64_t file_id);
  // The files whose persist is running, in id order.
  std::vector<uint64_t> Running() const;

  // Writes the file's staged UFS copy from its cached blocks and makes it durable. Blocks the
  // calling thread for the whole copy (run it on a pool). kNotFound if a block is not cached
  // (the master asks a worker that holds them all), the UFS's errors; nothing stays staged
  // after a failure.
  Status Persist(const PersistRequest& request);

 private:
  BlockStore& store_;
  UfsResolver& ufs_;
  mutable std::mutex mu_;
  std::map<uint64_t, std::vector<BlockReader>> pins_;  // by file id
  std::set<uint64_t> running_;
};

}  // namespace alluxio
