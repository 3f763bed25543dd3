// One file written through a worker: sequential data is cut into blocks of the file's block
// size (block ids derive from the file id, core/common/block_id.h); each block is cached in the
// block store (unless THROUGH; ASYNC_THROUGH pins each committed block, its only copy until the
// file is persisted) and the whole file is written to the UFS (CACHE_THROUGH, THROUGH),
// staged in its mount's UFS (UnderFileSystem's staging): Finish() makes it durable, the master
// publishes it onto the file's path at completion, wherever the file is then. Synchronous; used
// by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "core/common/write_type.h"
#include "core/worker/block_store.h"
#include "core/worker/ufs_resolver.h"

namespace alluxio {

struct FileWriteOptions {
  uint64_t file_id = 0;
  uint64_t block_size = 0;  // > 0
  // The UFS URI of the file's mount (unused for MUST_CACHE): the UFS copy is staged there
  // under StagedFileName(file_id), for the master to publish at completion.
  std::string mount_ufs_uri;
  uint32_t mode = 0644;
  WriteType write_type = WriteType::kCacheThrough;
  uint64_t mount_id = 0;  // the file's mount: its UFS is opened with its options (UfsResolver)
};

struct FinishedFile {
  uint64_t length = 0;
  std::vector<uint64_t> block_ids;  // every block of the file, cached or not
  std::string ufs_fingerprint;      // of the staged file; "" unless written to the UFS
  // ASYNC_THROUGH: the pins of every block, to keep until the file is persisted
  // (FilePersister::Pin).
  std::vector<BlockReader> pins;
};

// A file of `length` bytes written with `options`: its length and every block id (no
// fingerprint).
FinishedFile FinishedFileOf(const FileWriteOptions& options, uint64_t length);

class FileWriteSession {
 public:
  // Opens the UFS file (unless MUST_CACHE); `ufs` must know the mount (kNotFound otherwise).
  // kInvalidArgument for a zero block size.
  static Result<std::unique_ptr<FileWriteSession>> Start(BlockStore& store, UfsResolver& ufs,
                                                         FileWriteOptions options);
  ~FileWriteSession();

  // Appends data. With CACHE_THROUGH a block that does not fit in the cache is skipped (the
  // UFS copy is complete); with MUST_CACHE and ASYNC_THROUGH that is kNoSpace. After an error the
  // session only accepts Abort().
  Status Write(std::span<const char> data);

  // Bytes accepted so far: in the block files, and in the UFS file or on their way to it.
  uint64_t length() const { return length_; }

  // Hands everything accepted to the UFS file (written, not yet fsynced).
  Status Flush();

  // Blocks committed to the store since the last call (for commitBlock to the master).
  std::vector<BlockInfo> TakeCommittedBlocks();

  // Commits the last block and makes the staged UFS file durable.
  Result<FinishedFile> Finish();

  // Drops everything written: uncommitted block data, committed blocks of this file and the
  // staged UFS file (unless Finish() succeeded). Idempotent.
  void Abort();

 private:
  FileWriteSession(BlockStore& store, FileWriteOptions options);
  Status WriteBlocks(std::span<const char> data);  // records its failure
  Status CommitCurrentBlock();
  Failure Failed(Error error);  // records the error: later calls fail with it too

  BlockStore& store_;
  FileWriteOptions options_;
  std::shared_ptr<UnderFileSystem> ufs_;  // outlives ufs_writer_, which may point into it
  std::unique_ptr<UfsWriter> ufs_writer_;
  std::optional<BlockWriter> block_;  // the block being filled, if cached
  bool block_skipped_ = false;        // the current block could not be cached
  uint64_t length_ = 0;
  uint64_t blocks_started_ = 0;
  std::vector<BlockInfo> committed_;  // not yet taken
  std::vector<uint64_t> cached_block_ids_;
  std::vector<BlockReader> pins_;  // ASYNC_THROUGH: of the committed blocks
  bool done_ = false;
  std::optional<Error> error_;
};

}  // namespace alluxio
