#include "core/ufs/direct_write_behind.h"

#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "core/common/write_all.h"

namespace alluxio {
namespace {

constexpr size_t kBufferBytes = 4 << 20;
constexpr size_t kBuffersPerFile = 4;  // two being written, one queued, one filling
constexpr size_t kWriterThreads = 2;
constexpr size_t kHugePage = 2 << 20;
constexpr size_t kCachedBuffersMax = 8;

// Buffers outlive their files: a fresh buffer's pages cost a fault each (two huge pages where
// the kernel grants them), so up to kCachedBuffersMax wait here for the next file.
class BufferCache {
 public:
  static BufferCache& Get() {
    static BufferCache* cache = new BufferCache();  // never destroyed: used by exiting threads
    return *cache;
  }
  char* Take() {
    {
      std::lock_guard lock(mu_);
      if (!free_.empty()) {
        char* b = free_.back();
        free_.pop_back();
        return b;
      }
    }
    void* p = std::aligned_alloc(kHugePage, kBufferBytes);
    if (p != nullptr) (void)::madvise(p, kBufferBytes, MADV_HUGEPAGE);
    return static_cast<char*>(p);
  }
  void Give(char* buffer) {
    {
      std::lock_guard lock(mu_);
      if (free_.size() < kCachedBuffersMax) {
        free_.push_back(buffer);
        return;
      }
    }
    std::free(buffer);
  }

 private:
  std::mutex mu_;
  std::vector<char*> free_;
};

}  // namespace

DirectWriteBehind::DirectWriteBehind(int direct_fd, int buffered_fd, uint64_t offset,
                                     std::string name)
    : direct_fd_(direct_fd), buffered_fd_(buffered_fd), name_(std::move(name)) {
  current_.offset = offset;
}

DirectWriteBehind::~DirectWriteBehind() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  changed_.notify_all();
  for (std::thread& t : threads_) t.join();
  // The threads leave only with nothing queued.
  for (char* b : free_) BufferCache::Get().Give(b);
  if (current_.data != nullptr) BufferCache::Get().Give(current_.data);
  ::close(direct_fd_);
}

std::optional<Error> DirectWriteBehind::error() {
  std::lock_guard lock(mu_);
  return error_;
}

void DirectWriteBehind::WriteFull() {
  std::unique_lock lock(mu_);
  for (;;) {
    changed_.wait(lock, [&] { return stopping_ || !queued_.empty(); });
    if (queued_.empty()) return;  // stopping, nothing left to write
    Buffer b = queued_.front();
    queued_.pop_front();
    ++in_flight_;
    // A failed or dropped file's data no longer matters.
    const bool skip = error_.has_value() || stopping_;
    lock.unlock();
    Status s = skip ? Ok() : WriteBuffer(b);
    lock.lock();
    --in_flight_;
    if (!s.ok() && !error_) error_ = s.error();
    free_.push_back(b.data);
    changed_.notify_all();
  }
}

Status DirectWriteBehind::WriteBuffer(const Buffer& b) {
  Status s = PwriteAll(direct_fd_, {b.data, b.size}, b.offset, name_);
  // EINVAL: the file system wants another alignment, or a short direct write left an unaligned
  // rest. The page cache takes the buffer instead.
  if (s.ok() || s.code() != ErrorCode::kInvalidArgument) return s;
  return PwriteAll(buffered_fd_, {b.data, b.size}, b.offset, name_);
}

Status DirectWriteBehind::WaitForFreeBuffer() {
  std::unique_lock lock(mu_);
  if (free_.empty() && buffers_ < kBuffersPerFile) {
    char* b = BufferCache::Get().Take();
    if (b == nullptr) return Fail(ErrorCode::kNoSpace, "no memory for a write buffer");
    ++buffers_;
    free_.push_back(b);
  }
  changed_.wait(lock, [&] { return error_.has_value() || !free_.empty(); });
  if (error_) return Fail(*error_);
  current_.data = free_.back();
  free_.pop_back();
  return Ok();
}

Status DirectWriteBehind::Append(std::span<const char> data) {
  if (std::optional<Error> e = error()) return Fail(*e);
  while (!data.empty()) {
    if (current_.data == nullptr) {
      if (Status s = WaitForFreeBuffer(); !s.ok()) return s;
    }
    size_t n = std::min(data.size(), kBufferBytes - current_.size);
    std::memcpy(current_.data + current_.size, data.data(), n);
    current_.size += n;
    data = data.subspan(n);
    if (current_.size == kBufferBytes) {
      // Threads only once a buffer fills: a file that ends sooner goes out at Flush.
      for (size_t i = threads_.size(); i < kWriterThreads; ++i) {
        threads_.emplace_back([this] {
          ::pthread_setname_np(::pthread_self(), "ufs-direct");
          WriteFull();
        });
      }
      {
        std::lock_guard lock(mu_);
        queued_.push_back(current_);
      }
      changed_.notify_all();
      current_ = Buffer{nullptr, 0, current_.offset + kBufferBytes};
    }
  }
  return Ok();
}

Status DirectWriteBehind::Flush() {
  {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return queued_.empty() && in_flight_ == 0; });
    if (error_) return Fail(*error_);
  }
  if (current_.size == 0) return Ok();
  // Unaligned: written through the page cache; the direct write of the full buffer later
  // replaces these pages (the kernel writes back and drops cached pages a direct write covers).
  Status s = PwriteAll(buffered_fd_, {current_.data, current_.size}, current_.offset, name_);
  if (!s.ok()) {
    std::lock_guard lock(mu_);
    if (!error_) error_ = s.error();
  }
  return s;
}

}  // namespace alluxio
