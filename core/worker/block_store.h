// The worker's tiered block store: block files in tier directories with byte quotas, LRU
// eviction at allocation time, pinning of blocks being read, and recovery of committed blocks
// after a restart. Synchronous and RPC-free; docs/storage.md describes the on-disk layout and
// the policies.
//
// Layout: a committed block is the file <dir>/<block_id> (decimal); a block being written is
// <dir>/.tmp/<block_id>.<sequence>; <dir>/.lock is flock()ed by the store that owns <dir>.
//
// Thread-safety: BlockStore is thread-safe: one mutex guards the metadata (block index, LRU,
// usage) and is never held across data I/O (writes, fsync, reads); it is held across the
// metadata syscalls that must be atomic with the index (rename on commit, unlink on eviction
// and removal). A BlockWriter is used by one thread at a time; a BlockReader's ReadAt may be
// called from several threads at once. Readers and writers keep the store's state alive, so
// they may outlive the BlockStore object (the directories stay locked until the last one goes).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/common/result.h"
#include "core/worker/tiered_store_config.h"

namespace alluxio {

namespace internal {
class BlockStoreState;
struct BlockMeta;
}  // namespace internal

struct BlockInfo {
  uint64_t block_id = 0;
  uint64_t length = 0;
  int tier = 0;  // index in BlockStoreConfig::tiers
  std::string tier_alias;
  std::string path;  // the committed block file
};

struct DirUsage {
  int tier = 0;
  std::string tier_alias;
  std::string path;
  uint64_t capacity_bytes = 0;   // the quota
  uint64_t committed_bytes = 0;  // committed blocks (including removed ones still being read)
  uint64_t reserved_bytes = 0;   // space reserved by blocks being written
  uint64_t blocks = 0;           // committed blocks
  uint64_t available_bytes() const { return capacity_bytes - committed_bytes - reserved_bytes; }
};

// Cumulative since Open().
struct BlockStoreCounters {
  uint64_t blocks_recovered = 0;    // committed blocks found on disk by Open()
  uint64_t temp_files_removed = 0;  // leftovers of interrupted writes removed by Open()
  uint64_t blocks_committed = 0;
  uint64_t bytes_committed = 0;
  uint64_t blocks_evicted = 0;
  uint64_t bytes_evicted = 0;
  uint64_t blocks_removed = 0;       // by RemoveBlock()
  uint64_t writes_aborted = 0;       // Abort(), destruction, failed or duplicate Commit()
  uint64_t allocation_failures = 0;  // kNoSpace from CreateBlock() or Append()
};

// Blocks committed and removed (evicted, RemoveBlock'd, lost) since the last TakeChanges(): what
// a worker reports to the block master in its heartbeat. A block both added and removed in one
// period appears only as removed.
struct BlockChanges {
  std::vector<std::pair<uint64_t, int>> added;  // (block id, tier)
  std::vector<uint64_t> removed;
};

// A committed block opened for reading. While it exists the block is pinned: eviction never
// removes it, and RemoveBlock() unlinks the file but keeps its space accounted until the reader
// goes away (the open fd keeps the data). Destruction closes the fd and unpins.
class BlockReader {
 public:
  BlockReader(BlockReader&& other) noexcept;
  BlockReader& operator=(BlockReader&& other) noexcept;
  ~BlockReader();

  uint64_t block_id() const;
  uint64_t length() const;
  int tier() const;
  // The block file. A same-host client may open it while this reader pins the block.
  const std::string& path() const;
  // Read-only fd of the block file, valid for this reader's lifetime (for pread, splice, FUSE
  // passthrough). Owned by the reader.
  int fd() const { return fd_; }
  // Reads up to buf.size() bytes at offset; fewer only at the end of the block; 0 past it.
  // Thread-safe (pread).
  Result<size_t> ReadAt(uint64_t offset, std::span<char> buf) const;

 private:
  friend class internal::BlockStoreState;
  BlockReader(std::shared_ptr<internal::BlockStoreState> store,
              std::shared_ptr<internal::BlockMeta> meta, int fd);
  void Release();

  std::shared_ptr<internal::BlockStoreState> store_;
  std::shared_ptr<internal::BlockMeta> meta_;
  int fd_ = -1;
};

// A block being written: a temp file in one directory with a space reservation there. Append
// grows the reservation (evicting LRU blocks of that directory if needed); the block never moves
// to another directory once created. Destruction without Commit() aborts.
class BlockWriter {
 public:
  BlockWriter(BlockWriter&& other) noexcept;
  BlockWriter& operator=(BlockWriter&& other) noexcept;
  ~BlockWriter();

  uint64_t block_id() const { return block_id_; }
  int tier() const;
  uint64_t bytes_written() const { return written_; }
  uint64_t bytes_reserved() const { return reserved_; }

  // Appends data. kNoSpace when the directory cannot hold the block even after evicting every
  // unpinned block in it; the writer stays usable (a smaller append may succeed). An I/O error
  // makes the writer unusable (Commit fails; Abort cleans up). kInvalidArgument after
  // Commit/Abort.
  Status Append(std::span<const char> data);
  // fsync, rename into place, account the space as committed (unused reservation is returned).
  // kAlreadyExists if a block with this id was committed meanwhile (this data is dropped). On
  // any failure the temp file is removed. Returns the committed block.
  Result<BlockInfo> Commit();
  // Removes the temp file and returns the reservation. Idempotent.
  void Abort();

 private:
  friend class internal::BlockStoreState;
  BlockWriter(std::shared_ptr<internal::BlockStoreState> store, uint64_t block_id, int dir,
              std::string temp_path, int fd, uint64_t reserved);

  std::shared_ptr<internal::BlockStoreState> store_;
  uint64_t block_id_ = 0;
  int dir_ = -1;  // index of the directory (store-wide numbering)
  std::string temp_path_;
  int fd_ = -1;  // -1 once committed or aborted
  uint64_t reserved_ = 0;
  uint64_t written_ = 0;
  bool failed_ = false;
};

class BlockStore {
 public:
  // Validates the config, creates the directories (and <dir>/.tmp), locks them (kBusy if another
  // store holds one), removes temp files of interrupted writes, recovers committed blocks (LRU
  // order after a restart is by file mtime, oldest first) and evicts LRU blocks of any directory
  // whose recovered content exceeds its quota. Unknown files in a directory are left alone and
  // not accounted.
  static Result<std::unique_ptr<BlockStore>> Open(const BlockStoreConfig& config);
  ~BlockStore();

  BlockStore(const BlockStore&) = delete;
  BlockStore& operator=(const BlockStore&) = delete;

  // Starts writing a block with `initial_reservation` bytes reserved (pass the expected length,
  // e.g. min(block size, bytes left in the file), so that the block lands where it fits; 0 is
  // fine, the reservation grows on Append). Placement, among tiers first_tier..last:
  //   1. the first tier having a directory with enough free space (the directory with the most
  //      free space in that tier);
  //   2. otherwise, among directories that can make room by evicting unpinned committed blocks,
  //      the one whose least recently used evictable block is the oldest store-wide; its LRU
  //      blocks are evicted until the reservation fits.
  // kAlreadyExists if the block is committed; kNoSpace if no directory can hold the
  // reservation; kInvalidArgument for a bad tier. Several writers of one id may coexist: the
  // first Commit wins.
  Result<BlockWriter> CreateBlock(uint64_t block_id, uint64_t initial_reservation,
                                  int first_tier = 0);

  // Pins the block and marks it most recently used. kNotFound if it is not committed (or its
  // file has vanished, in which case it is dropped from the store).
  Result<BlockReader> OpenBlock(uint64_t block_id);

  // Marks the committed blocks among `block_ids` most recently used (no pin); others are
  // ignored.
  void Touch(std::span<const uint64_t> block_ids);

  // Removes a committed block (its file is unlinked at once; see BlockReader for readers).
  // kNotFound if it is not committed.
  Status RemoveBlock(uint64_t block_id);

  bool HasBlock(uint64_t block_id) const;
  // The block's location without pinning it or touching the LRU order: the path may vanish at
  // any moment unless a BlockReader pins the block. kNotFound if not committed.
  Result<BlockInfo> GetBlock(uint64_t block_id) const;
  // Every committed block, for worker registration.
  std::vector<BlockInfo> ListBlocks() const;

  const BlockStoreConfig& config() const;
  // Index of the tier with this alias, or nullopt.
  std::optional<int> TierIndex(std::string_view alias) const;
  // One entry per directory, tiers in order.
  std::vector<DirUsage> Usage() const;
  // Bytes taken in every directory: committed blocks and space reserved for blocks being written.
  uint64_t UsedBytes() const;
  BlockStoreCounters Counters() const;
  BlockChanges TakeChanges();

 private:
  explicit BlockStore(std::shared_ptr<internal::BlockStoreState> state);
  std::shared_ptr<internal::BlockStoreState> state_;
};

}  // namespace alluxio
