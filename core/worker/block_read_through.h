// Serving block reads on a worker: a cached block is read from the block store; a miss reads
// through from the UFS. With `cache`, a miss fetches the whole block once (a BlockFill: ranged
// copies ahead in flight into the block's cache file), and readers of that block wait for their
// bytes in it and read them from that file instead of reading them again; a read starting
// beyond the next range to arrive (random access), or of a block the store has no room for,
// reads its own range and the fill (if any) goes on in the background. The UFS
// file is opened as the version the source names (UnderFileSystem::OpenVersion: no HEAD on S3).
// Synchronous: call it from a blocking pool. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>

#include "core/common/result.h"
#include "core/worker/block_fill.h"
#include "core/worker/block_store.h"
#include "core/worker/ufs_resolver.h"

namespace alluxio {

// Where a block's bytes live in the UFS.
struct UfsBlockSource {
  std::string ufs_uri;  // the whole file ("file:///data/ufs/a")
  uint64_t offset_in_file = 0;
  uint64_t block_length = 0;
  uint64_t mount_id = 0;  // its mount (UfsResolver: the UFS is opened with its options)
  // The file's version (UfsStatus::fingerprint, as the master has it); "" when unknown.
  std::string ufs_fingerprint;
};

struct ReadThroughCounters {
  std::atomic<uint64_t> cache_hits{0};
  std::atomic<uint64_t> cache_misses{0};
  std::atomic<uint64_t> bytes_read_cache{0};
  std::atomic<uint64_t> bytes_read_ufs{0};
  std::atomic<uint64_t> blocks_cached_from_ufs{0};
};

class BlockReadThrough {
 public:
  // Runs a job later on another thread (the blocking pool); the job must not outlive `this`:
  // the owner drains the pool before destroying this object. Jobs may wait for UFS reads.
  using BackgroundRunner = std::function<void(std::function<void()>)>;

  BlockReadThrough(BlockStore& store, UfsResolver& ufs, BackgroundRunner background,
                   BlockFillOptions fill_options = {});

  struct ReadResult {
    size_t bytes = 0;  // fewer than asked only at the end of the block
    bool from_cache = false;
  };

  // Reads up to buf.size() bytes at `offset` of the block. Without a source, only the cache
  // is consulted (kNotFound on a miss). kOutOfRange if offset is past the block's end.
  Result<ReadResult> Read(uint64_t block_id, uint64_t offset, std::span<char> buf,
                          const UfsBlockSource* source, bool cache);

  // Loads the whole block from the UFS into the store (joining its fill if one is under way);
  // a block already cached is success. `for_reader`: a reader waits for it (openLocalBlock),
  // so a block not cached counts as a cache miss.
  Status CacheBlock(uint64_t block_id, const UfsBlockSource& source, bool for_reader);

  const ReadThroughCounters& counters() const { return counters_; }

 private:
  // Reads from the store; kNotFound when the block is not cached here.
  Result<ReadResult> ReadCached(uint64_t block_id, uint64_t offset, std::span<char> buf);
  // The fill of `block_id`. When there is none: nullptr if the block is cached (a fill may
  // just have committed it) or `create` is false, else a new fill: with `created`, set to
  // true, the caller Complete()s it; without, its background job (Complete) is queued. Errors:
  // the UFS's opening the file, or the store's creating the block (kNoSpace).
  Result<std::shared_ptr<BlockFill>> FillOf(uint64_t block_id, const UfsBlockSource& source,
                                            bool create, bool* created);
  // Drives `fill` (of `block_id`) to its end, counts or logs the outcome, forgets it.
  Status Complete(uint64_t block_id, const std::shared_ptr<BlockFill>& fill);
  // Drops `fill` from fills_ (a later miss starts a new one).
  void Forget(uint64_t block_id, const std::shared_ptr<BlockFill>& fill);
  Result<std::unique_ptr<UfsReader>> OpenSource(const UfsBlockSource& source);

  BlockStore& store_;
  UfsResolver& ufs_;
  BackgroundRunner background_;
  const BlockFillOptions fill_options_;
  ReadThroughCounters counters_;
  std::mutex mutex_;
  std::map<uint64_t, std::shared_ptr<BlockFill>> fills_;  // blocks being fetched
};

}  // namespace alluxio
