// The worker's tiered block store: per-file cache files in tier directories with byte quotas,
// LRU eviction at allocation time, pinning of blocks being read, and recovery of committed
// blocks after a restart. Synchronous and RPC-free; docs/storage.md describes the on-disk layout
// and the policies.
//
// Layout: the blocks of one file (one container id, core/common/block_id.h) that a directory
// holds are byte ranges of one sparse file <dir>/<container id> (decimal), each at its offset in
// the Alluxio file, so a file whose blocks are all in one directory is that file, byte for byte.
// A block is written in place; it is committed when <dir>/.blocks/<block id>.<offset>.<length>
// exists (created after the data is synced). Removing a block drops that record, then punches
// its range (FALLOC_FL_PUNCH_HOLE) or, for the file's last block, unlinks the file. <dir>/.lock
// is flock()ed by the store that owns <dir>.
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
  std::string path;     // the per-file cache file holding the block
  uint64_t offset = 0;  // of the block in `path` (= in the Alluxio file)
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
// removes it, and RemoveBlock() drops it from the index at once but keeps its bytes in the file
// (and accounted) until the reader goes away. Destruction closes the fd and unpins.
class BlockReader {
 public:
  BlockReader(BlockReader&& other) noexcept;
  BlockReader& operator=(BlockReader&& other) noexcept;
  ~BlockReader();

  uint64_t block_id() const;
  uint64_t length() const;
  int tier() const;
  // The per-file cache file holding the block at offset(). A same-host client may open it and
  // read the block's range while this reader pins the block.
  const std::string& path() const;
  uint64_t offset() const;
  // Read-only fd of path(), valid for this reader's lifetime (for pread, splice). Owned by the
  // reader. The block is [offset(), offset() + length()) of it.
  int fd() const { return fd_; }
  // Reads up to buf.size() bytes at `offset` in the block; fewer only at the end of the block;
  // 0 past it. Thread-safe (pread).
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

// A block being written in place: its range of the per-file cache file in one directory, with a
// space reservation there. Append grows the reservation (evicting LRU blocks of that directory
// if needed); the block never moves to another directory once created. Destruction without
// Commit() aborts.
class BlockWriter {
 public:
  BlockWriter(BlockWriter&& other) noexcept;
  BlockWriter& operator=(BlockWriter&& other) noexcept;
  ~BlockWriter();

  uint64_t block_id() const { return block_id_; }
  int tier() const;
  uint64_t bytes_written() const { return written_; }
  uint64_t bytes_reserved() const { return reserved_; }

  // The per-file cache file, open for writing until Commit/Abort (-1 after), and the block's
  // offset in it: for a caller that writes the block's bytes itself (in any order, inside the
  // block's range) instead of with Append, and then records them with Wrote().
  int fd() const { return fd_; }
  const std::string& path() const { return path_; }
  uint64_t offset() const { return offset_; }
  // Records that bytes [0, bytes) of the block have been written through fd() (bytes >=
  // bytes_written()): grows the reservation as Append does (kNoSpace, the writer stays usable).
  // kInvalidArgument after Commit/Abort.
  Status Wrote(uint64_t bytes);

  // Appends data. kNoSpace when the directory cannot hold the block even after evicting every
  // unpinned block in it; the writer stays usable (a smaller append may succeed). An I/O error
  // makes the writer unusable (Commit fails; Abort cleans up). kInvalidArgument after
  // Commit/Abort.
  Status Append(std::span<const char> data);
  // fdatasync, record the block (.blocks entry, directories synced), account the space as
  // committed (unused reservation is returned). kAlreadyExists if a block with this id was
  // committed meanwhile (this writer's bytes are the same: block ids are never reused). On any
  // failure the range is released as by Abort. Returns the committed block.
  Result<BlockInfo> Commit();
  // Releases the range written (punched unless another writer or a committed copy uses it) and
  // returns the reservation. Idempotent.
  void Abort();

 private:
  friend class internal::BlockStoreState;
  BlockWriter(std::shared_ptr<internal::BlockStoreState> store, uint64_t block_id, uint64_t offset,
              int dir, std::string path, int fd, uint64_t reserved);

  std::shared_ptr<internal::BlockStoreState> store_;
  uint64_t block_id_ = 0;
  uint64_t offset_ = 0;  // of the block in path_
  int dir_ = -1;         // index of the directory (store-wide numbering)
  std::string path_;     // the per-file cache file
  int fd_ = -1;          // -1 once committed or aborted
  uint64_t reserved_ = 0;
  uint64_t written_ = 0;
  bool failed_ = false;
};

// The cache file of a new file, written in place by a client on this host (the FUSE daemon
// through kernel passthrough, docs/storage.md "Writing a whole file in place"): the store only
// reserves space for it in one directory and, at Commit, records its blocks. Its bytes are not
// accounted as written until then: the client may write past the reservation, which Commit
// then grows (evicting in the directory), or fails with kNoSpace. Destruction without Commit()
// aborts: the cache file is removed (punched where it holds committed blocks of the file).
class CacheFileWriter {
 public:
  CacheFileWriter(CacheFileWriter&& other) noexcept;
  CacheFileWriter& operator=(CacheFileWriter&& other) noexcept;
  ~CacheFileWriter();

  // The cache file; the client opens it (O_RDWR) and writes the file's bytes at their offsets.
  const std::string& path() const { return path_; }
  int tier() const;
  uint64_t bytes_reserved() const { return reserved_; }

  // Grows the reservation to `bytes` (no-op when it is as large). kNoSpace when the directory
  // cannot hold them even after evicting every unpinned block in it; the writer stays usable.
  Status Reserve(uint64_t bytes);
  // The file is [0, length) of the cache file, whose size must be `length` (else kIoError):
  // reserves `length` (kNoSpace: the writer stays usable, the caller aborts or retries),
  // fdatasync, then records blocks 0..n-1 of the file's block size as ranges of it (as
  // BlockWriter::Commit, all under one lock: kAlreadyExists if one was committed meanwhile)
  // and returns them. Any other failure aborts.
  Result<std::vector<BlockInfo>> Commit(uint64_t length);
  // Returns the reservation and releases the cache file. Idempotent.
  void Abort();

 private:
  friend class internal::BlockStoreState;
  CacheFileWriter(std::shared_ptr<internal::BlockStoreState> store, uint64_t container,
                  uint64_t block_size, int dir, std::string path, int fd, uint64_t reserved);

  std::shared_ptr<internal::BlockStoreState> store_;
  uint64_t container_ = 0;
  uint64_t block_size_ = 0;
  int dir_ = -1;
  std::string path_;
  int fd_ = -1;  // O_RDWR; -1 once committed or aborted
  uint64_t reserved_ = 0;
};

// Every block of one file, pinned together while it exists (as BlockReaders pin one block): the
// file is path(), whole. Destruction unpins.
class PinnedFile {
 public:
  PinnedFile(PinnedFile&& other) noexcept = default;
  PinnedFile& operator=(PinnedFile&& other) noexcept;
  ~PinnedFile();

  // The per-file cache file; its bytes [0, length()) are the file's.
  const std::string& path() const { return path_; }
  uint64_t length() const { return length_; }
  int tier() const { return tier_; }

 private:
  friend class internal::BlockStoreState;
  PinnedFile(std::shared_ptr<internal::BlockStoreState> store,
             std::vector<std::shared_ptr<internal::BlockMeta>> blocks, std::string path,
             uint64_t length, int tier);
  void Release();

  std::shared_ptr<internal::BlockStoreState> store_;
  std::vector<std::shared_ptr<internal::BlockMeta>> blocks_;
  std::string path_;
  uint64_t length_ = 0;
  int tier_ = 0;
};

class BlockStore {
 public:
  // Validates the config, creates the directories (and <dir>/.blocks), locks them (kBusy if
  // another store holds one), recovers committed blocks from <dir>/.blocks (LRU order after a
  // restart is by record mtime, oldest first; a record whose range its file does not hold is
  // dropped), releases what interrupted writes left (ranges of cache files with no record are
  // punched, cache files with none are removed, as is <dir>/.tmp of the earlier one-file-per-
  // block layout) and evicts LRU blocks of any directory whose recovered content exceeds its
  // quota. Files whose name is not a canonical decimal are left alone and not accounted.
  static Result<std::unique_ptr<BlockStore>> Open(const BlockStoreConfig& config);
  ~BlockStore();

  BlockStore(const BlockStore&) = delete;
  BlockStore& operator=(const BlockStore&) = delete;

  // Starts writing block `block_id` at byte `offset` of its file (index * the file's block size)
  // with `initial_reservation` bytes reserved (pass the expected length,
  // e.g. min(block size, bytes left in the file), so that the block lands where it fits; 0 is
  // fine, the reservation grows on Append). Placement, among tiers first_tier..last:
  //   1. the first tier having a directory with enough free space (the directory with the most
  //      free space in that tier);
  //   2. otherwise, among directories that can make room by evicting unpinned committed blocks,
  //      the one whose least recently used evictable block is the oldest store-wide; its LRU
  //      blocks are evicted until the reservation fits.
  // In step 1, a directory of the tier that already holds blocks of the file is preferred, so
  // that the file stays one cache file.
  // kAlreadyExists if the block is committed; kNoSpace if no directory can hold the
  // reservation; kInvalidArgument for a bad tier or an offset that is not a multiple of the
  // block's index (0 for block 0). Several writers of one id may coexist: the
  // first Commit wins.
  Result<BlockWriter> CreateBlock(uint64_t block_id, uint64_t offset, uint64_t initial_reservation,
                                  int first_tier = 0);

  // Creates the cache file of a new file (container id `container_id`, blocks of `block_size`)
  // for a same-host client to write in place, with `initial_reservation` bytes reserved in the
  // directory chosen as by CreateBlock. kAlreadyExists if a cache file of the container exists;
  // kNoSpace; kInvalidArgument for a bad tier or a zero block size.
  Result<CacheFileWriter> CreateCacheFile(uint64_t container_id, uint64_t block_size,
                                          uint64_t initial_reservation, int first_tier = 0);

  // Pins the block and marks it most recently used. kNotFound if it is not committed (or its
  // file has vanished, in which case it is dropped from the store).
  Result<BlockReader> OpenBlock(uint64_t block_id);

  // Pins `block_ids`, every block of one file in order, and marks them most recently used, when
  // the file is one cache file: all committed in one directory, block i at the end of block
  // i - 1 (block 0 at 0). kNotFound if one is not committed; kUnsupported if they are in
  // several directories or their ranges do not follow each other; kInvalidArgument if the list
  // is empty or holds blocks of several files.
  Result<PinnedFile> OpenFile(std::span<const uint64_t> block_ids);

  // Marks the committed blocks among `block_ids` most recently used (no pin); others are
  // ignored.
  void Touch(std::span<const uint64_t> block_ids);

  // Removes a committed block (its record at once, its range once no reader pins it; see
  // BlockReader).
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
