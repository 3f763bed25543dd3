#include "core/worker/local_file_write.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <utility>

#include <fmt/format.h>

#include "core/common/block_id.h"
#include "core/common/logging.h"

namespace alluxio {
namespace {

constexpr size_t kPersistPiece = 4 << 20;

}  // namespace

LocalFileWrite::LocalFileWrite(BlockStore& store, CacheFileWriter cache, FileWriteOptions options)
    : store_(store), cache_(std::move(cache)), options_(std::move(options)) {}

LocalFileWrite::~LocalFileWrite() {
  if (!done_) Abort();
}

Result<std::unique_ptr<LocalFileWrite>> LocalFileWrite::Start(BlockStore& store, UfsResolver& ufs,
                                                              FileWriteOptions options,
                                                              uint64_t reservation) {
  if (options.write_type == WriteType::kThrough) {
    return Fail(ErrorCode::kUnsupported, "a THROUGH file is not cached: no cache file to write");
  }
  auto cache =
      store.CreateCacheFile(ContainerIdOf(options.file_id), options.block_size, reservation);
  if (!cache.ok()) return cache.failure();
  std::unique_ptr<LocalFileWrite> write(
      new LocalFileWrite(store, std::move(cache).value(), options));
  if (WritesUfsAtCompletion(options.write_type)) {
    options.write_type = WriteType::kThrough;  // the session writes the UFS copy only
    auto session = FileWriteSession::Start(store, ufs, std::move(options));
    if (!session.ok()) return session.failure();
    write->ufs_ = std::move(session).value();
  }
  return write;
}

Status LocalFileWrite::Persist(uint64_t length) {
  if (!ufs_) return Ok();
  const int fd = ::open(path().c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Fail(ErrnoError(errno, fmt::format("open {}", path())));
  std::vector<char> piece(static_cast<size_t>(std::min<uint64_t>(kPersistPiece, length)));
  uint64_t at = ufs_->length();
  Status result = Ok();
  while (at < length && result.ok()) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(piece.size(), length - at));
    const ssize_t n = ::pread(fd, piece.data(), want, static_cast<off_t>(at));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      result = n < 0 ? Fail(ErrnoError(errno, fmt::format("read {}", path())))
                     : Fail(ErrorCode::kIoError,
                            fmt::format("{} ends at {}, before {}", path(), at, length));
      break;
    }
    result = ufs_->Write(std::span<const char>(piece.data(), static_cast<size_t>(n)));
    at += static_cast<uint64_t>(n);
  }
  ::close(fd);
  return result;
}

Result<FinishedFile> LocalFileWrite::Finish(uint64_t length) {
  if (done_) return Fail(ErrorCode::kInvalidArgument, "finish after finish or abort");
  // The tier's quota first: a MUST_CACHE file the cache cannot hold fails before anything
  // else; a persisted one is completed uncached (as a stream skips the blocks that do not fit).
  Status reserved = cache_.Reserve(length);
  if (!reserved.ok() && (!ufs_ || reserved.code() != ErrorCode::kNoSpace)) {
    Abort();
    return reserved.failure();
  }
  if (Status s = Persist(length); !s.ok()) {
    Abort();
    return s.failure();
  }
  if (reserved.ok()) {
    auto blocks = cache_.Commit(length);
    if (!blocks.ok()) {
      Abort();
      return blocks.failure();
    }
    committed_ = std::move(blocks).value();
    for (const BlockInfo& block : committed_) cached_block_ids_.push_back(block.block_id);
  } else {
    ALX_LOG(kWarn, "worker", "file {} not cached: {}", options_.file_id,
            reserved.error().ToString());
    cache_.Abort();
  }
  FinishedFile finished = FinishedFileOf(options_, length);
  if (options_.write_type == WriteType::kAsyncThrough) {
    // Its only copy until it is persisted: every block pinned before anything can evict it.
    for (const BlockInfo& block : committed_) {
      auto pin = store_.OpenBlock(block.block_id);
      if (!pin.ok()) {
        Abort();
        return pin.failure();
      }
      finished.pins.push_back(std::move(pin).value());
    }
  }
  if (ufs_) {
    auto staged = ufs_->Finish();
    if (!staged.ok()) {
      Abort();
      return staged.failure();
    }
    finished.ufs_fingerprint = staged->ufs_fingerprint;
  }
  done_ = true;
  return finished;
}

std::vector<BlockInfo> LocalFileWrite::TakeCommittedBlocks() {
  return std::exchange(committed_, {});
}

void LocalFileWrite::Abort() {
  if (aborted_) return;
  aborted_ = true;
  if (!done_) {
    cache_.Abort();
    if (ufs_) ufs_->Abort();
  }
  done_ = true;
  for (uint64_t id : cached_block_ids_) (void)store_.RemoveBlock(id);
  cached_block_ids_.clear();
  committed_.clear();
}

}  // namespace alluxio
