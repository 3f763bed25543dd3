// Serving block reads on a worker: a cached block is read from the block store; a miss reads
// through from the UFS and caches the block (a whole-block read caches what it read; a partial
// read caches the whole block in the background, once per block). Synchronous: call it from
// the reactor's blocking pool. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <set>
#include <span>
#include <string>

#include "core/common/result.h"
#include "core/worker/block_store.h"
#include "core/worker/ufs_resolver.h"

namespace alluxio {

// Where a block's bytes live in the UFS.
struct UfsBlockSource {
  std::string ufs_uri;  // the whole file ("file:///data/ufs/a")
  uint64_t offset_in_file = 0;
  uint64_t block_length = 0;
  uint64_t mount_id = 0;  // its mount (UfsResolver: the UFS is opened with its options)
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
  // the owner drains the pool before destroying this object.
  using BackgroundRunner = std::function<void(std::function<void()>)>;

  BlockReadThrough(BlockStore& store, UfsResolver& ufs, BackgroundRunner background);

  struct ReadResult {
    size_t bytes = 0;  // fewer than asked only at the end of the block
    bool from_cache = false;
  };

  // Reads up to buf.size() bytes at `offset` of the block. Without a source, only the cache
  // is consulted (kNotFound on a miss). kOutOfRange if offset is past the block's end.
  Result<ReadResult> Read(uint64_t block_id, uint64_t offset, std::span<char> buf,
                          const UfsBlockSource* source, bool cache);

  // Loads the whole block from the UFS into the store; a block already cached is success.
  Status CacheBlock(uint64_t block_id, const UfsBlockSource& source);

  const ReadThroughCounters& counters() const { return counters_; }

 private:
  void CacheInBackground(uint64_t block_id, const UfsBlockSource& source);
  Status StoreBlock(uint64_t block_id, std::span<const char> data);

  BlockStore& store_;
  UfsResolver& ufs_;
  BackgroundRunner background_;
  ReadThroughCounters counters_;
  std::mutex mutex_;
  std::set<uint64_t> caching_;  // blocks being loaded in the background
};

}  // namespace alluxio
