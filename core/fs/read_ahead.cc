#include "core/fs/read_ahead.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace alluxio::fs {

ReadAhead::ReadAhead(std::unique_ptr<client::FileInStream> in, Reactor& reactor, TaskGroup& tasks,
                     ReadAheadOptions options)
    : in_(std::move(in)),
      tasks_(tasks),
      options_(options),
      stream_mu_(reactor.executor()),
      filled_(reactor.executor()) {}

ReadAhead::~ReadAhead() = default;

std::shared_ptr<ReadAhead::Segment> ReadAhead::Find(uint64_t offset) const {
  for (const std::shared_ptr<Segment>& s : segments_) {
    if (s->offset <= offset && offset < s->offset + s->size) return s;
  }
  return nullptr;
}

asio::awaitable<Result<size_t>> ReadAhead::Read(uint64_t offset, std::span<char> buf) {
  const uint64_t length = in_->length();
  if (offset >= length || buf.empty()) co_return size_t{0};
  const size_t want = static_cast<size_t>(std::min<uint64_t>(buf.size(), length - offset));
  ++stats_.reads;
  const uint64_t slack = options_.segment_bytes;
  if (last_end_ && offset + slack >= *last_end_ && offset <= *last_end_ + slack) {
    ++sequential_;
    last_end_ = std::max(*last_end_, offset + want);
  } else {
    sequential_ = 0;
    last_end_ = offset + want;
  }
  if (sequential_ >= options_.sequential_trigger && !closed_ && !in_->IsLocal(offset + want)) {
    Prefetch(offset, offset + want);
  }

  size_t done = 0;
  while (done < want) {
    const uint64_t pos = offset + done;
    std::shared_ptr<Segment> segment = Find(pos);
    if (!segment) break;
    while (!segment->done) co_await filled_.Wait();
    if (segment->error || pos >= segment->offset + segment->filled) {
      std::erase(segments_, segment);
      break;
    }
    const size_t n = static_cast<size_t>(
        std::min<uint64_t>(want - done, segment->offset + segment->filled - pos));
    std::memcpy(buf.data() + done, segment->data.get() + (pos - segment->offset), n);
    done += n;
    stats_.bytes_from_prefetch += n;
  }
  if (done < want) {
    co_await stream_mu_.Lock();
    AsyncLockGuard guard(stream_mu_);
    const std::span<char> rest = buf.subspan(done, want - done);
    Result<size_t> got = co_await in_->Read(offset + done, rest);
    if (!got) co_return got.failure();
    done += *got;
    stats_.bytes_direct += *got;
  }
  co_return done;
}

void ReadAhead::Prefetch(uint64_t read_offset, uint64_t read_end) {
  // Segments entirely before this read are consumed.
  while (!segments_.empty() && segments_.front()->offset + segments_.front()->size <= read_offset) {
    segments_.pop_front();
  }
  uint64_t next = read_end;
  if (!segments_.empty()) {
    next = std::max(next, segments_.back()->offset + segments_.back()->size);
  }
  const uint64_t length = in_->length();
  while (segments_.size() < options_.max_segments && next < length) {
    auto segment = std::make_shared<Segment>();
    segment->offset = next;
    segment->size = static_cast<size_t>(std::min<uint64_t>(options_.segment_bytes, length - next));
    segment->data.reset(new char[segment->size]);
    next += segment->size;
    segments_.push_back(segment);
    ++stats_.prefetches;
    std::shared_ptr<ReadAhead> self = shared_from_this();
    tasks_.Spawn(Fill(self, segment), "prefetch");
  }
}

asio::awaitable<void> ReadAhead::Fill(std::shared_ptr<ReadAhead> self,
                                      std::shared_ptr<Segment> segment) {
  // Marks the segment done also when the task is destroyed before finishing.
  struct Done {
    ReadAhead* owner;
    Segment* segment;
    ~Done() {
      if (!segment->done) {
        if (!segment->error) segment->error = Error{ErrorCode::kCancelled, "prefetch cancelled"};
        segment->done = true;
      }
      owner->filled_.NotifyAll();
    }
  };
  Done done{self.get(), segment.get()};
  co_await self->stream_mu_.Lock();
  AsyncLockGuard guard(self->stream_mu_);
  if (self->closed_) co_return;
  const std::span<char> view(segment->data.get(), segment->size);
  Result<size_t> got = co_await self->in_->Read(segment->offset, view);
  if (got) {
    segment->filled = *got;
  } else {
    segment->error = got.error();
  }
  segment->done = true;
}

asio::awaitable<void> ReadAhead::Close() {
  closed_ = true;
  co_await stream_mu_.Lock();
  stream_mu_.Unlock();
  segments_.clear();
}

}  // namespace alluxio::fs
