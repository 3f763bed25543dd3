#include "core/fs/write_pipeline.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "core/common/logging.h"

namespace alluxio::fs {

WritePipeline::WritePipeline(std::unique_ptr<client::FileOutStream> out, Reactor& reactor,
                             TaskGroup& tasks, WritePipelineOptions options, std::string name)
    : out_(std::move(out)),
      tasks_(tasks),
      options_(options),
      chunk_bytes_(out_->chunk_bytes()),
      name_(std::move(name)),
      changed_(reactor.executor()) {}

WritePipeline::~WritePipeline() = default;

Status WritePipeline::Reject(std::string why) {
  if (!rejected_logged_) {
    rejected_logged_ = true;
    ALX_LOG(kWarn, "fuse", "write to {} refused: {} (later refusals on this handle not logged)",
            name_, why);
  }
  return Fail(ErrorCode::kUnsupported, name_ + ": " + why);
}

void WritePipeline::Append(std::span<const char> data) {
  while (!data.empty()) {
    // The fill is the next RPC message itself. It ends at the next chunk-aligned offset, and
    // holds no more than the file before it (at least kFirstChunkBytes): a small file's only
    // message is not a zeroed 1 MiB.
    if (fill_.capacity() == 0) {
      const uint64_t to_boundary = chunk_bytes_ - fill_offset_ % chunk_bytes_;
      fill_ = out_->NewChunk(static_cast<size_t>(
          std::min(to_boundary, std::max<uint64_t>(kFirstChunkBytes, fill_offset_))));
    }
    const size_t n = std::min(fill_.room(), data.size());
    fill_.Append(data.first(n));
    contiguous_ += n;
    data = data.subspan(n);
    if (fill_.room() == 0) QueueFill();
  }
}

void WritePipeline::DrainReorder() {
  while (!reorder_.empty()) {
    auto it = reorder_.begin();
    if (it->first > contiguous_) break;
    const std::vector<char>& data = it->second;
    const uint64_t end = it->first + data.size();
    // Bytes of the entry below contiguous_ were written again in order later: those win.
    if (end > contiguous_) Append(std::span<const char>(data).subspan(contiguous_ - it->first));
    reorder_bytes_ -= data.size();
    reorder_.erase(it);
  }
}

void WritePipeline::KeepTail(uint64_t new_fill_offset) {
  const uint64_t start = new_fill_offset - new_fill_offset % kTailBytes;
  std::vector<char> tail;
  if (new_fill_offset > start) {
    tail.reserve(static_cast<size_t>(new_fill_offset - start));
    if (start < fill_offset_) {
      // start >= tail_offset_: both are fill offsets rounded down, and the fill offset grows.
      tail.insert(tail.end(), tail_.begin() + static_cast<ptrdiff_t>(start - tail_offset_),
                  tail_.end());
    }
    const uint64_t from = std::max(start, fill_offset_);
    const std::span<const char> fill = fill_.bytes();
    tail.insert(tail.end(), fill.begin() + static_cast<ptrdiff_t>(from - fill_offset_),
                fill.begin() + static_cast<ptrdiff_t>(new_fill_offset - fill_offset_));
  }
  tail_ = std::move(tail);
  tail_offset_ = start;
}

void WritePipeline::QueueFill() {
  if (fill_.size() == 0) return;
  const uint64_t end = fill_offset_ + fill_.size();
  KeepTail(end);
  queued_bytes_ += fill_.size();
  queue_.push_back(std::move(fill_));  // leaves fill_ empty
  fill_offset_ = end;
  StartSender();
}

void WritePipeline::StartSender() {
  if (sending_ || queue_.empty() || error_) return;
  sending_ = true;
  std::shared_ptr<WritePipeline> self = shared_from_this();
  tasks_.Spawn(SendLoop(self), "send " + name_);
}

asio::awaitable<void> WritePipeline::SendLoop(std::shared_ptr<WritePipeline> self) {
  // Also when the task is destroyed without finishing (its group was cancelled).
  struct Stopped {
    WritePipeline* pipeline;
    ~Stopped() {
      pipeline->sending_ = false;
      pipeline->changed_.NotifyAll();
    }
  };
  Stopped stopped{self.get()};
  while (!self->queue_.empty() && !self->error_) {
    client::FileOutStream::Chunk chunk = std::move(self->queue_.front());
    self->queue_.pop_front();
    const size_t bytes = chunk.size();
    Status s = co_await self->out_->WriteChunk(std::move(chunk));
    self->queued_bytes_ -= bytes;
    if (!s) {
      ALX_LOG(kWarn, "fuse", "writing {} failed: {}", self->name_, s.error().ToString());
      self->error_ = s.error();
      for (const client::FileOutStream::Chunk& dropped : self->queue_) {
        self->queued_bytes_ -= dropped.size();
      }
      self->queue_.clear();
    }
    self->changed_.NotifyAll();
  }
}

asio::awaitable<void> WritePipeline::WaitIdle() {
  while (sending_) co_await changed_.Wait();
}

asio::awaitable<Status> WritePipeline::Write(uint64_t offset, std::span<const char> data) {
  if (error_) co_return Fail(*error_);
  if (finished_) co_return Fail(ErrorCode::kInvalidArgument, name_ + " is closed");
  if (data.empty()) co_return Ok();
  const uint64_t end = offset + data.size();
  if (offset < fill_offset_) {
    // Bytes already handed to the stream: accepted only when identical (the kernel resends a
    // whole page that an append after an fsync dirtied again).
    const size_t overlap = static_cast<size_t>(std::min(end, fill_offset_) - offset);
    if (offset < tail_offset_ ||
        std::memcmp(data.data(), tail_.data() + (offset - tail_offset_), overlap) != 0) {
      co_return Reject(fmt::format("{} bytes at {} rewrite data already sent (below {})",
                                   data.size(), offset, fill_offset_));
    }
    if (end <= fill_offset_) co_return Ok();
    offset = fill_offset_;
    data = data.subspan(overlap);
  }
  if (offset <= contiguous_) {
    const size_t overlap = static_cast<size_t>(std::min(end, contiguous_) - offset);
    if (overlap > 0) std::memcpy(fill_.data() + (offset - fill_offset_), data.data(), overlap);
    if (end > contiguous_) Append(data.subspan(overlap));
    DrainReorder();
    max_end_ = std::max(max_end_, end);
    while (queued_bytes_ > options_.max_queued_bytes && !error_) co_await changed_.Wait();
    if (error_) co_return Fail(*error_);
    co_return Ok();
  }
  // A gap before `offset`: keep the bytes until it fills.
  if (end > contiguous_ + options_.reorder_window) {
    co_return Reject(
        fmt::format("{} bytes at {} leave a gap beyond the {} byte reorder window "
                    "(written in order up to {})",
                    data.size(), offset, options_.reorder_window, contiguous_));
  }
  auto it = reorder_.find(offset);
  const uint64_t old_size = it == reorder_.end() ? 0 : it->second.size();
  const uint64_t new_size = std::max<uint64_t>(old_size, data.size());
  if (reorder_bytes_ - old_size + new_size > options_.reorder_window) {
    co_return Reject(
        fmt::format("more than {} bytes waiting for gaps to fill", options_.reorder_window));
  }
  std::vector<char>& slot = reorder_[offset];
  if (slot.size() < data.size()) slot.resize(data.size());
  std::memcpy(slot.data(), data.data(), data.size());
  reorder_bytes_ = reorder_bytes_ - old_size + new_size;
  max_end_ = std::max(max_end_, end);
  co_return Ok();
}

Status WritePipeline::TakeUnsent(
    const std::function<Status(uint64_t, std::span<const char>)>& take) {
  if (!sent_nothing()) {
    return Fail(ErrorCode::kInvalidArgument, name_ + ": bytes were already sent");
  }
  if (fill_.size() > 0) {
    Status s = take(0, fill_.bytes());
    if (!s) return s;
  }
  for (const auto& [offset, data] : reorder_) {
    Status s = take(offset, data);
    if (!s) return s;
  }
  fill_ = client::FileOutStream::Chunk();
  contiguous_ = 0;
  max_end_ = 0;
  reorder_.clear();
  reorder_bytes_ = 0;
  return Ok();
}

asio::awaitable<Status> WritePipeline::Flush() {
  if (error_) co_return Fail(*error_);
  if (finished_) co_return Ok();
  QueueFill();
  co_await WaitIdle();
  if (error_) co_return Fail(*error_);
  co_return Ok();
}

asio::awaitable<Status> WritePipeline::Sync() {
  Status flushed = co_await Flush();
  if (!flushed || finished_) co_return flushed;
  // Nothing sent since the worker last answered: it has nothing new to persist or report (an
  // fsync then close asks once).
  if (out_->bytes_written() == synced_bytes_) co_return Ok();
  Status s = co_await out_->Flush();
  if (!s) {
    error_ = s.error();
    ALX_LOG(kWarn, "fuse", "flush of {} to the worker failed: {}", name_, s.error().ToString());
    co_return s;
  }
  synced_bytes_ = out_->bytes_written();
  co_return s;
}

asio::awaitable<Result<FileInfo>> WritePipeline::Close() {
  if (finished_) {
    if (error_) co_return Fail(*error_);
    co_return Fail(ErrorCode::kInvalidArgument, name_ + " is closed");
  }
  Status flushed = co_await Flush();
  if (!flushed) {
    finished_ = true;
    (void)co_await out_->Abort();
    co_return flushed.failure();
  }
  if (!reorder_.empty()) {
    Error holes{ErrorCode::kIoError,
                fmt::format("{}: closed with a gap: written in order up to {}, {} bytes beyond it",
                            name_, contiguous_, reorder_bytes_)};
    ALX_LOG(kWarn, "fuse", "{}; the file is aborted", holes.ToString());
    error_ = holes;
    finished_ = true;
    (void)co_await out_->Abort();
    co_return Fail(std::move(holes));
  }
  finished_ = true;
  Result<FileInfo> info = co_await out_->Close();
  if (!info) error_ = info.error();
  co_return info;
}

asio::awaitable<void> WritePipeline::Abort() {
  co_await WaitIdle();
  if (finished_) co_return;
  finished_ = true;
  (void)co_await out_->Abort();
}

}  // namespace alluxio::fs
