// The read side of one open file: positioned reads over a FileInStream with sequential
// detection and prefetch.
//
// A read whose offset is within segment_bytes of where the previous read ended counts as
// sequential; after `sequential_trigger` such reads in a row, up to `max_segments` segments of
// segment_bytes after the last read are read ahead in the background (one stream Read at a
// time, as FileInStream requires) into buffers owned here, while the caller copies out what it
// already has; not where the stream reads a local block file (short-circuit), which is as fast
// as copying from a segment. Reads served by a ready or in-flight segment copy from it; anything
// else goes straight to the stream. Random reads therefore cost one stream Read, sequential reads
// mostly a memcpy. Memory: at most max_segments * segment_bytes per open file.
//
// Contract: reactor-bound (the stream's reactor); the TaskGroup and the FileSystemClient that
// made the stream outlive it, and Close() is awaited before the client goes. Concurrent Read
// calls are allowed (they are serialised on the stream where needed).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <asio/awaitable.hpp>

#include "core/client/file_in_stream.h"
#include "core/common/result.h"
#include "core/fs/async_signal.h"
#include "core/reactor/task_group.h"

namespace alluxio::fs {

struct ReadAheadOptions {
  size_t segment_bytes = 1 << 20;
  size_t max_segments = 2;
  int sequential_trigger = 2;
};

struct ReadAheadStats {
  uint64_t reads = 0;
  uint64_t bytes_from_prefetch = 0;
  uint64_t bytes_direct = 0;
  uint64_t prefetches = 0;
};

class ReadAhead : public std::enable_shared_from_this<ReadAhead> {
 public:
  ReadAhead(std::unique_ptr<client::FileInStream> in, Reactor& reactor, TaskGroup& tasks,
            ReadAheadOptions options);
  ~ReadAhead();
  ReadAhead(const ReadAhead&) = delete;
  ReadAhead& operator=(const ReadAhead&) = delete;

  // Up to buf.size() bytes at `offset`; short only at the end of the file. The stream's errors.
  asio::awaitable<Result<size_t>> Read(uint64_t offset, std::span<char> buf);
  // No more prefetch; waits for the stream call in flight. Reads after Close go direct.
  asio::awaitable<void> Close();

  uint64_t length() const { return in_->length(); }
  const client::FileBlocks& blocks() const { return in_->blocks(); }
  const ReadAheadStats& stats() const { return stats_; }

 private:
  struct Segment {
    uint64_t offset = 0;
    std::unique_ptr<char[]> data;  // `size` bytes, not initialised
    size_t size = 0;
    size_t filled = 0;
    bool done = false;
    std::optional<Error> error;
  };

  std::shared_ptr<Segment> Find(uint64_t offset) const;
  void Prefetch(uint64_t read_offset, uint64_t read_end);
  static asio::awaitable<void> Fill(std::shared_ptr<ReadAhead> self,
                                    std::shared_ptr<Segment> segment);

  std::unique_ptr<client::FileInStream> in_;
  TaskGroup& tasks_;
  const ReadAheadOptions options_;
  AsyncMutex stream_mu_;                           // one stream Read at a time
  AsyncSignal filled_;                             // a segment finished
  std::deque<std::shared_ptr<Segment>> segments_;  // by offset
  std::optional<uint64_t> last_end_;
  int sequential_ = 0;
  bool closed_ = false;
  ReadAheadStats stats_;
};

}  // namespace alluxio::fs
