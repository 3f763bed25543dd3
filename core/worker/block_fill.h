// A block being fetched from the UFS once for all its readers: one pass over the block's bytes
// of the file with several ranges in flight ahead (a bounded window), each copied by the UFS
// straight into the block's range of its cache file (UfsReader::StartCopy: S3 writes a GET's
// body there as it arrives, the local UFS uses copy_file_range), the block committed when
// complete. A reader waits for the bytes it needs and reads them from the cache file; nothing is
// read from the UFS twice.
//
// Ranges arrive out of order; the one ending the block is started only after every other one
// has arrived, so that the cache file never reaches the block's end with a hole before it.
//
// Driving: a fill has no thread of its own. A caller that needs bytes not yet arrived drives it
// (starts ranges, waits for the oldest one) while no one else does, and stops when its bytes
// are there; another waiting caller then takes over. So a caller only ever waits for a thread
// that is running, never for a queued job. The owner (BlockReadThrough) also queues one job
// that calls Finish(), which drives what is left once the readers are gone.
//
// Thread-safe. Memory: no buffer for the block's bytes; the ranges in flight hold what their
// UFS's StartCopy holds (S3: libcurl's receive buffer; the default: kUfsCopyBufferBytes, in the
// one range being waited for).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>

#include "core/common/result.h"
#include "core/ufs/under_file_system.h"
#include "core/worker/block_store.h"

namespace alluxio {

struct BlockFillOptions {
  uint64_t range_bytes = 8 << 20;  // alluxio.worker.ufs.block.read.range.size
  size_t ranges_in_flight = 8;     // alluxio.worker.ufs.block.read.ranges.max
};

class BlockFill {
 public:
  // Fetches `length` bytes at `offset_in_file` of `reader` (named `what` in errors) into
  // `writer`, a new block `block_id` of `store` (which outlives the fill) reserving `length`
  // bytes. `ufs_bytes` counts the bytes fetched.
  BlockFill(uint64_t block_id, std::string what, std::unique_ptr<UfsReader> reader,
            uint64_t offset_in_file, uint64_t length, BlockWriter writer, BlockStore& store,
            BlockFillOptions options, std::atomic<uint64_t>& ufs_bytes);
  ~BlockFill();

  uint64_t length() const { return length_; }
  const std::string& what() const { return what_; }

  // True when the byte at `offset` has arrived or is in the next range to arrive: a reader
  // from there (a sequential one) waits here instead of reading itself. A reader further ahead
  // (random access into a block being fetched from its start) would wait for every range
  // before its own, each a share of the link.
  bool Covers(uint64_t offset);
  // Waits until bytes [0, end) have arrived (end <= length()), driving the fill while no one
  // else does; the fill's error (the UFS's, or the cache file's), if any.
  Status WaitFor(uint64_t end);
  // Reads bytes that WaitFor covered, from the cache file (pinned through the store once the
  // block is committed). kNotFound when the fill failed meanwhile or the committed block has
  // already been evicted: the caller reads them elsewhere.
  Status CopyOut(uint64_t offset, std::span<char> buf);
  // Drives the fill to its end: its error, else Ok (the block is committed).
  Status Finish();
  bool finished();

 private:
  // One step of the driver (which holds `driving_`): starts ranges up to the window, waits for
  // the oldest; after the last one, commits. Returns with `lock` held.
  void Step(std::unique_lock<std::mutex>& lock);
  // After the last range or an error (driver, `lock` held): once no reader reads the cache file
  // any more, commits or drops the block; finished_.
  void End(std::unique_lock<std::mutex>& lock);
  // Drives (or waits for the driver) until `done` is true.
  template <typename Done>
  void DriveUntil(std::unique_lock<std::mutex>& lock, Done done);

  const uint64_t block_id_;
  const std::string what_;
  const std::unique_ptr<UfsReader> reader_;
  const uint64_t offset_in_file_;
  const uint64_t length_;
  const BlockFillOptions options_;
  std::atomic<uint64_t>& ufs_bytes_;
  BlockStore& store_;
  BlockWriter writer_;  // driver only
  const std::string path_;
  const uint64_t base_;  // the block's offset in path_

  std::mutex mu_;
  std::condition_variable cv_;
  bool driving_ = false;
  uint64_t issued_ = 0;  // bytes of ranges started
  uint64_t ready_ = 0;   // bytes arrived, in order (the last ones once committed)
  bool ending_ = false;  // End() waits for copying_ readers, then commits or drops
  bool finished_ = false;
  std::optional<Error> error_;
  int read_fd_ = -1;  // path_, opened for the first CopyOut
  int copying_ = 0;   // CopyOuts reading read_fd_
  // Ranges started, oldest first (end offset in the block, the copy). Destroyed before the
  // writer commits or aborts, each waiting for its transfer into the file.
  std::deque<std::pair<uint64_t, std::unique_ptr<UfsPendingRead>>> in_flight_;
};

}  // namespace alluxio
