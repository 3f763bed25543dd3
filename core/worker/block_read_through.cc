#include "core/worker/block_read_through.h"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "core/common/logging.h"

namespace alluxio {
namespace {

constexpr size_t kCacheChunkBytes = 4 << 20;

// Reads exactly buf.size() bytes at offset (fewer only at the end of the file).
Result<size_t> ReadFully(UfsReader& reader, uint64_t offset, std::span<char> buf) {
  size_t done = 0;
  while (done < buf.size()) {
    auto n = reader.ReadAt(offset + done, buf.subspan(done));
    if (!n.ok()) return n.failure();
    if (*n == 0) break;
    done += *n;
  }
  return done;
}

}  // namespace

BlockReadThrough::BlockReadThrough(BlockStore& store, UfsResolver& ufs, BackgroundRunner background)
    : store_(store), ufs_(ufs), background_(std::move(background)) {}

Result<BlockReadThrough::ReadResult> BlockReadThrough::Read(uint64_t block_id, uint64_t offset,
                                                            std::span<char> buf,
                                                            const UfsBlockSource* source,
                                                            bool cache) {
  if (auto reader = store_.OpenBlock(block_id); reader.ok()) {
    if (offset > reader->length()) {
      return Fail(ErrorCode::kOutOfRange,
                  fmt::format("offset {} past the end of block {} ({} bytes)", offset, block_id,
                              reader->length()));
    }
    size_t want = std::min<uint64_t>(buf.size(), reader->length() - offset);
    size_t done = 0;
    while (done < want) {
      auto n = reader->ReadAt(offset + done, buf.subspan(done, want - done));
      if (!n.ok()) return n.failure();
      if (*n == 0) break;
      done += *n;
    }
    counters_.cache_hits.fetch_add(1, std::memory_order_relaxed);
    counters_.bytes_read_cache.fetch_add(done, std::memory_order_relaxed);
    return ReadResult{done, true};
  } else if (reader.code() != ErrorCode::kNotFound) {
    return reader.failure();
  }
  if (source == nullptr) {
    return Fail(ErrorCode::kNotFound, fmt::format("block {} is not cached here", block_id));
  }
  if (offset > source->block_length) {
    return Fail(ErrorCode::kOutOfRange, fmt::format("offset {} past the end of block {} ({} bytes)",
                                                    offset, block_id, source->block_length));
  }
  counters_.cache_misses.fetch_add(1, std::memory_order_relaxed);
  auto resolved = ufs_.Resolve(source->mount_id, source->ufs_uri);
  if (!resolved.ok()) return resolved.failure();
  auto file = resolved->ufs->Open(resolved->path);
  if (!file.ok()) return file.failure();
  size_t want = std::min<uint64_t>(buf.size(), source->block_length - offset);
  auto n = ReadFully(**file, source->offset_in_file + offset, buf.first(want));
  if (!n.ok()) return n.failure();
  counters_.bytes_read_ufs.fetch_add(*n, std::memory_order_relaxed);
  if (cache) {
    if (offset == 0 && *n == source->block_length) {
      // The whole block passed through: keep it. A failure to cache does not fail the read.
      if (Status s = StoreBlock(block_id, buf.first(*n)); !s.ok()) {
        ALX_LOG(kWarn, "worker", "caching block {} failed: {}", block_id, s.error().ToString());
      }
    } else {
      CacheInBackground(block_id, *source);
    }
  }
  return ReadResult{*n, false};
}

Status BlockReadThrough::StoreBlock(uint64_t block_id, std::span<const char> data) {
  auto writer = store_.CreateBlock(block_id, data.size());
  if (!writer.ok()) {
    return writer.code() == ErrorCode::kAlreadyExists ? Ok() : Status(writer.failure());
  }
  if (Status s = writer->Append(data); !s.ok()) return s;
  auto committed = writer->Commit();
  if (!committed.ok() && committed.code() != ErrorCode::kAlreadyExists) {
    return committed.failure();
  }
  if (committed.ok()) counters_.blocks_cached_from_ufs.fetch_add(1, std::memory_order_relaxed);
  return Ok();
}

void BlockReadThrough::CacheInBackground(uint64_t block_id, const UfsBlockSource& source) {
  {
    std::lock_guard lock(mutex_);
    if (!caching_.insert(block_id).second) return;  // already on its way
  }
  background_([this, block_id, source] {
    if (Status s = CacheBlock(block_id, source); !s.ok()) {
      ALX_LOG(kWarn, "worker", "background caching of block {} failed: {}", block_id,
              s.error().ToString());
    }
    std::lock_guard lock(mutex_);
    caching_.erase(block_id);
  });
}

Status BlockReadThrough::CacheBlock(uint64_t block_id, const UfsBlockSource& source) {
  if (store_.HasBlock(block_id)) return Ok();
  auto resolved = ufs_.Resolve(source.mount_id, source.ufs_uri);
  if (!resolved.ok()) return resolved.failure();
  auto file = resolved->ufs->Open(resolved->path);
  if (!file.ok()) return file.failure();
  auto writer = store_.CreateBlock(block_id, source.block_length);
  if (!writer.ok()) {
    return writer.code() == ErrorCode::kAlreadyExists ? Ok() : Status(writer.failure());
  }
  std::vector<char> chunk(std::min<uint64_t>(kCacheChunkBytes, source.block_length));
  uint64_t done = 0;
  while (done < source.block_length) {
    size_t want = std::min<uint64_t>(chunk.size(), source.block_length - done);
    auto n = ReadFully(**file, source.offset_in_file + done, std::span(chunk).first(want));
    if (!n.ok()) return n.failure();
    if (*n != want) {
      return Fail(ErrorCode::kIoError,
                  fmt::format("{} ended at {} inside block {} (expected {} bytes)", source.ufs_uri,
                              source.offset_in_file + done + *n, block_id, source.block_length));
    }
    if (Status s = writer->Append(std::span(chunk).first(want)); !s.ok()) return s;
    counters_.bytes_read_ufs.fetch_add(want, std::memory_order_relaxed);
    done += want;
  }
  auto committed = writer->Commit();
  if (!committed.ok() && committed.code() != ErrorCode::kAlreadyExists) {
    return committed.failure();
  }
  if (committed.ok()) counters_.blocks_cached_from_ufs.fetch_add(1, std::memory_order_relaxed);
  return Ok();
}

}  // namespace alluxio
