// One new file written in place by a client on this host (the FUSE daemon, through kernel
// passthrough): the client writes the file's bytes into its cache file (CacheFileWriter), at any
// offset; at Finish the worker persists [0, length) to the UFS as the write type says and
// records the cached blocks. docs/storage.md, "Writing a whole file in place".
//
// Synchronous; used by one thread at a time. Destruction without Finish() aborts.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "core/worker/block_store.h"
#include "core/worker/file_write_session.h"
#include "core/worker/ufs_resolver.h"

namespace alluxio {

class LocalFileWrite {
 public:
  // Creates the cache file with `reservation` bytes reserved (kNoSpace: the client writes
  // through the worker instead) and, for CACHE_THROUGH, opens the staged UFS file (as
  // FileWriteSession::Start; MUST_CACHE and ASYNC_THROUGH write none at completion).
  // kUnsupported for THROUGH (nothing is cached).
  static Result<std::unique_ptr<LocalFileWrite>> Start(BlockStore& store, UfsResolver& ufs,
                                                       FileWriteOptions options,
                                                       uint64_t reservation);
  ~LocalFileWrite();

  // The cache file the client writes.
  const std::string& path() const { return cache_.path(); }

  // Copies [0, length) of the cache file into the staged UFS file, not yet durable (no-op
  // unless CACHE_THROUGH). The persistence step of Finish, on its own for callers that persist
  // later. kIoError and the UFS's errors.
  Status Persist(uint64_t length);

  // The client wrote the file, whose length is `length` (the cache file's size): Persist, then
  // the blocks covering [0, length) are committed (CacheFileWriter::Commit), then the staged UFS
  // file is made durable. When the tier cannot hold the file: kNoSpace for MUST_CACHE and
  // ASYNC_THROUGH, else the file is persisted and not cached (its cache file dropped).
  // ASYNC_THROUGH: the result holds a pin of every block (FinishedFile::pins, for the
  // persister). On failure nothing stays: the cache file and the staged file are dropped (as
  // by Abort).
  Result<FinishedFile> Finish(uint64_t length);

  // Blocks committed since the last call (for the worker's report to the master).
  std::vector<BlockInfo> TakeCommittedBlocks();

  // Drops the cache file (and its blocks, if committed) and the staged UFS file; after a
  // successful Finish() (the writer gave up: its completion failed), the blocks it committed.
  // Idempotent.
  void Abort();

 private:
  LocalFileWrite(BlockStore& store, CacheFileWriter cache, FileWriteOptions options);

  BlockStore& store_;
  CacheFileWriter cache_;
  FileWriteOptions options_;
  std::unique_ptr<FileWriteSession> ufs_;   // a THROUGH session: the UFS copy (CACHE_THROUGH)
  std::vector<BlockInfo> committed_;        // not yet taken
  std::vector<uint64_t> cached_block_ids_;  // every block committed, for Abort
  bool done_ = false;                       // finished or aborted
  bool aborted_ = false;
};

}  // namespace alluxio
