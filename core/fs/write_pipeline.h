// The write side of one open file: turns the kernel's WRITE requests (sequential, or slightly
// out of order) into the single in-order stream a FileOutStream takes.
//
//   accepted bytes [0, contiguous())  = handed to the stream, queued, or in the fill buffer
//   out-of-order writes in [contiguous(), contiguous() + reorder_window) wait in a reorder map
//     and are applied when the gap before them fills.
//
// Bytes are copied once, into the RPC message of the chunk they belong to (FileOutStream::Chunk;
// chunks of the stream's message size, chunk_bytes(), 1 MiB by default, aligned to it; a file's
// first MiB goes in chunks of 128 KiB, 128 KiB, 256 KiB and 512 KiB). A full chunk (or, at a
// flush, the partial one) is queued, and a background sender (on the pipeline's TaskGroup)
// sends queued chunks one at a time while later writes fill the next chunk. Write returns once
// its bytes are copied, unless more than max_queued_bytes are queued: then it waits for the
// sender. Memory per pipeline: at most one chunk + max_queued_bytes + reorder_window (+ one
// chunk in flight).
//
// Rejected (kUnsupported, logged once per pipeline): a write changing bytes already queued or
// sent, a write ending beyond contiguous() + reorder_window, and a write that would make the
// reorder map hold more than reorder_window bytes. Rewriting bytes still in the fill buffer is
// applied in place; rewriting queued or sent bytes with identical bytes is accepted within the
// 64 KiB-aligned block before the fill buffer (a copy of it is kept: after an fsync or close
// queued a partial chunk, the kernel's writeback resends the whole last page with the next
// append). A failure of the stream (worker, master) is
// kept and returned by every later call.
//
// Contract: reactor-bound (the FileOutStream's reactor): created, used and destroyed there; the
// TaskGroup and the stream's FileSystemClient outlive it. Callers serialise calls (one at a
// time: Write, Flush, Sync, Close, Abort); the sender runs concurrently with them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <asio/awaitable.hpp>

#include "core/client/file_out_stream.h"
#include "core/common/file_info.h"
#include "core/common/result.h"
#include "core/fs/async_signal.h"
#include "core/reactor/task_group.h"

namespace alluxio::fs {

struct WritePipelineOptions {
  size_t max_queued_bytes = 4 << 20;
  uint64_t reorder_window = 8 << 20;
};

class WritePipeline : public std::enable_shared_from_this<WritePipeline> {
 public:
  // `name` is used in log lines (the file's path).
  WritePipeline(std::unique_ptr<client::FileOutStream> out, Reactor& reactor, TaskGroup& tasks,
                WritePipelineOptions options, std::string name);
  ~WritePipeline();
  WritePipeline(const WritePipeline&) = delete;
  WritePipeline& operator=(const WritePipeline&) = delete;

  // Accepts data at `offset` (see the header comment). kUnsupported, or the stream's error.
  asio::awaitable<Status> Write(uint64_t offset, std::span<const char> data);
  // Queues the partial chunk and waits until everything contiguous reached the stream.
  asio::awaitable<Status> Flush();
  // Flush, then FileOutStream::Flush (data on the worker's block store and the UFS file, and
  // an error the worker kept reported), unless nothing was sent since the last one.
  asio::awaitable<Status> Sync();
  // Flush and complete the file. Out-of-order data still waiting for a gap: the file is
  // aborted, kIoError.
  asio::awaitable<Result<FileInfo>> Close();
  // Waits for the sender and aborts the file. Idempotent.
  asio::awaitable<void> Abort();

  // For a writer that moves to a staging file: while nothing has been handed to the stream
  // (sent_nothing()), passes every accepted byte range to `take` (the in-order bytes, then those
  // waiting for a gap) and empties the pipeline, as if nothing had been written: the stream
  // takes the file from offset 0 again. A failure of `take` is returned and changes nothing.
  Status TakeUnsent(const std::function<Status(uint64_t, std::span<const char>)>& take);

  // Nothing has been queued or sent to the stream yet (and it has not failed or finished).
  bool sent_nothing() const { return fill_offset_ == 0 && !error_ && !finished_; }
  // Bytes accepted in order from 0.
  uint64_t contiguous() const { return contiguous_; }
  // One past the highest byte accepted (in order or waiting in the reorder map).
  uint64_t size() const { return max_end_; }
  bool has_gaps() const { return !reorder_.empty(); }
  // The stream's failure, if any.
  const std::optional<Error>& error() const { return error_; }
  const FileInfo& info() const { return out_->info(); }

 private:
  // Appends in-order bytes at contiguous_; a fill reaching a chunk boundary is queued.
  void Append(std::span<const char> data);
  // Queues the fill buffer (when not empty) as one chunk.
  void QueueFill();
  // Applies reorder entries that now touch contiguous_.
  void DrainReorder();
  // Before the fill offset moves to `new_fill_offset`: keeps a copy of the bytes from the
  // kTailBytes-aligned offset below it.
  void KeepTail(uint64_t new_fill_offset);
  void StartSender();
  static asio::awaitable<void> SendLoop(std::shared_ptr<WritePipeline> self);
  asio::awaitable<void> WaitIdle();
  Status Reject(std::string why);

  std::unique_ptr<client::FileOutStream> out_;
  TaskGroup& tasks_;
  const WritePipelineOptions options_;
  const size_t chunk_bytes_;  // out_->chunk_bytes()
  const std::string name_;
  AsyncSignal changed_;  // a chunk was sent, the sender stopped, or it failed

  uint64_t contiguous_ = 0;
  uint64_t max_end_ = 0;
  uint64_t fill_offset_ = 0;           // file offset of fill_'s first byte
  client::FileOutStream::Chunk fill_;  // [fill_offset_, contiguous_), within one aligned chunk
  static constexpr uint64_t kFirstChunkBytes = 128 << 10;
  static constexpr uint64_t kTailBytes = 64 << 10;
  uint64_t tail_offset_ = 0;  // fill_offset_ rounded down to kTailBytes
  std::vector<char> tail_;    // bytes [tail_offset_, fill_offset_), already queued or sent
  std::deque<client::FileOutStream::Chunk> queue_;
  size_t queued_bytes_ = 0;  // in queue_ plus the chunk being sent
  bool sending_ = false;
  std::map<uint64_t, std::vector<char>> reorder_;  // by offset
  uint64_t reorder_bytes_ = 0;
  std::optional<Error> error_;
  uint64_t synced_bytes_ = 0;  // out_->bytes_written() when the worker last answered a Sync
  bool finished_ = false;      // closed or aborted
  bool rejected_logged_ = false;
};

}  // namespace alluxio::fs
